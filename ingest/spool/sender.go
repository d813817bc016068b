package spool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greenmetrics/greenmetrics/store"
)

// Writer writes line-protocol lines to InfluxDB in one request.
// *store.Store is one. Errors that are not a *store.WriteError are taken
// as transport failures and retried.
type Writer interface {
	WriteLines(ctx context.Context, lines ...string) error
}

// pinger is implemented by Writers that can check InfluxDB without
// writing (*store.Store does); the Sender then pings while idle so that
// readiness and the influx-up gauge stay current.
type pinger interface {
	Ping(ctx context.Context) error
}

// SenderOptions tune a Sender. The zero value is usable.
type SenderOptions struct {
	// BatchSize is the number of points per write: the Sender reads
	// BatchSize·Concurrency records at a time and shares them among its
	// writers by point. Zero means 5000.
	BatchSize int
	// RetryMin and RetryMax bound the wait between attempts: attempt n
	// waits a uniformly random time between RetryMin and
	// min(RetryMax, RetryMin·2ⁿ), or longer if InfluxDB sent Retry-After
	// (honoured up to RetryMax). Zero means 500 ms and 1 min.
	RetryMin, RetryMax time.Duration
	// WriteTimeout bounds one write request, so a hung InfluxDB is
	// retried rather than waited on forever. Zero means 30 s.
	WriteTimeout time.Duration
	// PingInterval is how long the Sender waits idle before it pings
	// InfluxDB. Zero means 10 s.
	PingInterval time.Duration
	// Concurrency is the number of write requests in flight at once,
	// each carrying the points (series and time) that hash to its
	// writer, so that every point's revisions stay in order
	// (parallel.go). Zero means 2.
	Concurrency int
	// Marks, when set, gives for a batch's lines the lines that record
	// what they changed (store.MarkLines: the months whose kept days they
	// make stale). They are written after InfluxDB has stored every
	// share of the batch and before the batch is acknowledged, so a
	// crash between the two replays both. Batches delivered one after
	// another have their marks written together, in one request.
	Marks func(lines []string) []string
	// Logger receives delivery failures; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sender delivers a Spool to InfluxDB. One delivery loop (Run or Drain)
// runs at a time; Stats is safe to call concurrently with it.
type Sender struct {
	sp   *Spool
	w    Writer
	opts SenderOptions
	log  *slog.Logger

	runMu        sync.Mutex
	delivered    atomic.Int64
	deadLettered atomic.Int64

	mu          sync.Mutex
	errs        map[string]int64
	lastSuccess time.Time
	up          bool
	blocked     *BlockedError // the last write failed in a way waiting cannot heal
}

// BlockedError says InfluxDB refuses every write for a reason that
// waiting cannot heal: 404 (no such database or bucket), 401 or 403 (the
// token is wrong or lacks permission). Someone must act; meanwhile the
// data waits in the spool and the Sender keeps retrying with backoff.
type BlockedError struct {
	Status  int    // InfluxDB's HTTP status
	Message string // InfluxDB's message
	Since   time.Time
}

func (e *BlockedError) Error() string {
	what := "check the InfluxDB token and its write permission (influx.token)"
	if e.Status == http.StatusNotFound {
		what = "create the database or bucket (serve --create-db, or influx.bucket names the wrong one)"
	}
	return fmt.Sprintf("InfluxDB refuses every write: %d %s: %q; waiting will not help: %s", e.Status, http.StatusText(e.Status), e.Message, what)
}

// Blocked returns a *BlockedError from the first write InfluxDB refused
// in a way that cannot heal by waiting, until a write succeeds; nil
// otherwise. Readiness uses it to leave rotation on the first such answer.
func (s *Sender) Blocked() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked == nil {
		return nil
	}
	return s.blocked
}

// NewSender returns a Sender of sp's records to w.
func NewSender(sp *Spool, w Writer, opts SenderOptions) *Sender {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 500 * time.Millisecond
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(time.Minute, opts.RetryMin)
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Every kind starts at zero so that its counter exists from the first
	// scrape and rate() sees the first failure.
	errs := map[string]int64{}
	for _, k := range []string{KindUnreachable, KindThrottled, KindServer, KindRejected, KindAuth, KindNotFound, KindOther} {
		errs[k] = 0
	}
	return &Sender{sp: sp, w: w, opts: opts, log: opts.Logger, errs: errs}
}

// Run delivers records as they arrive until ctx is done, then returns nil.
// A write request already sent when ctx ends is let finish (it is bounded
// by WriteTimeout), so that its answer decides whether the batch is
// acknowledged: cutting it would leave a batch InfluxDB may already have
// stored to be sent again by the shutdown's Drain. Batches not yet sent
// stay in the spool. Run returns an error only when the spool is closed
// under it.
func (s *Sender) Run(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	// Ping first, so readiness knows at once whether InfluxDB answers.
	s.ping(ctx)
	for {
		idle, cancel := context.WithTimeout(ctx, s.opts.PingInterval)
		b, err := s.sp.Next(idle, s.readSize())
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, context.DeadlineExceeded):
			s.ping(ctx)
			continue
		case errors.Is(err, ErrClosed):
			return err
		case err != nil:
			s.log.Error("spool read failed; retrying", "err", err)
			if sleep(ctx, s.opts.RetryMax) != nil {
				return nil
			}
			continue
		}
		if err := s.deliverFrom(ctx, b, finishRequests); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Error("spool delivery step failed; retrying", "err", err)
			if sleep(ctx, s.opts.RetryMin) != nil {
				return nil
			}
		}
	}
}

// Drain delivers everything the spool holds and returns nil once it is
// empty, or ctx's error when ctx ends first; undelivered records stay in
// the spool. A request in flight when ctx ends is cut, so Drain keeps to
// its deadline; InfluxDB may have stored that batch, and sending it again
// later rewrites the same points. Import uses Drain to finish, serve to
// flush on shutdown.
func (s *Sender) Drain(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	for {
		b, err := s.sp.TryNext(s.readSize())
		if err != nil {
			return err
		}
		if b.Empty() {
			return nil
		}
		if err := s.deliverFrom(ctx, b, cutRequests); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("%d points left in the spool: %w", s.sp.pending.Load(), ctxErr)
			}
			return err
		}
	}
}

// onStop says what happens to a write request in flight when the delivery
// context ends.
type onStop bool

const (
	cutRequests    onStop = false
	finishRequests onStop = true
)

// deadLine is a line InfluxDB refused, with its answer.
type deadLine struct {
	line    string
	status  int
	message string
}

// deliver writes lines, retrying transient failures with backoff. When
// InfluxDB rejects the data (400: a line it cannot parse, a field type
// conflict), it bisects the batch so that the good lines are stored and
// exactly the bad ones come back, to be dead-lettered. It returns an error
// only when ctx ends.
func (s *Sender) deliver(ctx context.Context, lines []string, stop onStop) ([]deadLine, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := s.write(ctx, lines, stop)
		if err == nil {
			return nil, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		kind, status, msg := classify(err)
		if kind == KindRejected {
			if len(lines) == 1 {
				return []deadLine{{line: lines[0], status: status, message: msg}}, nil
			}
			half := len(lines) / 2
			left, err := s.deliver(ctx, lines[:half], stop)
			if err != nil {
				return nil, err
			}
			right, err := s.deliver(ctx, lines[half:], stop)
			if err != nil {
				return nil, err
			}
			return append(left, right...), nil
		}
		wait := s.backoff(attempt, err)
		level := slog.LevelWarn
		if cannotHeal(kind) {
			// Not the data's fault and not transient: someone must fix the
			// token or create the database; the data waits in the spool.
			level = slog.LevelError
		}
		s.log.Log(ctx, level, "influxdb write failed; will retry", "kind", kind, "status", status,
			"points", len(lines), "attempt", attempt+1, "wait", wait.Round(time.Millisecond), "err", msg)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// write sends one request and records its outcome. With finishRequests
// the request outlives ctx, up to WriteTimeout.
func (s *Sender) write(ctx context.Context, lines []string, stop onStop) error {
	reqCtx := ctx
	if stop == finishRequests {
		reqCtx = context.WithoutCancel(ctx)
	}
	wctx, cancel := context.WithTimeout(reqCtx, s.opts.WriteTimeout)
	defer cancel()
	err := s.w.WriteLines(wctx, lines...)
	if err != nil && reqCtx.Err() != nil {
		return err // shutting down: not InfluxDB's failure
	}
	s.record(err)
	return err
}

func (s *Sender) ping(ctx context.Context) {
	p, ok := s.w.(pinger)
	if !ok {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.WriteTimeout)
	defer cancel()
	err := p.Ping(pctx)
	if err != nil && ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.up = err == nil
	if err == nil {
		s.lastSuccess = s.opts.Now()
	}
}

func (s *Sender) record(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.up = true
		s.lastSuccess = s.opts.Now()
		s.blocked = nil
		return
	}
	kind, status, msg := classify(err)
	s.errs[kind]++
	if cannotHeal(kind) {
		if s.blocked == nil || s.blocked.Status != status || s.blocked.Message != msg {
			s.blocked = &BlockedError{Status: status, Message: msg, Since: s.opts.Now()}
		}
	}
	// A rejection is an answer: InfluxDB is up, the data is bad.
	s.up = kind == KindRejected
}

// Kinds of failed writes, the keys of Stats.WriteErrors.
const (
	KindUnreachable = "unreachable"
	KindThrottled   = "throttled"
	KindServer      = "server"
	KindRejected    = "rejected"
	KindAuth        = "auth"
	KindNotFound    = "not_found"
	KindOther       = "other"
)

// cannotHeal reports whether a failure of this kind stays until someone
// acts (creates the database, fixes the token), so waiting is pointless.
func cannotHeal(kind string) bool { return kind == KindAuth || kind == KindNotFound }

// classify sorts a write error into a kind, with the HTTP status (0 when
// there was no answer) and InfluxDB's message.
func classify(err error) (kind string, status int, message string) {
	var we *store.WriteError
	if !errors.As(err, &we) {
		return KindUnreachable, 0, err.Error()
	}
	msg := we.Message
	switch code := we.StatusCode; {
	case code == 0:
		return KindUnreachable, 0, msg
	case code == http.StatusTooManyRequests:
		return KindThrottled, code, msg
	case code >= 500:
		return KindServer, code, msg
	case code == http.StatusBadRequest, code == http.StatusRequestEntityTooLarge, code == http.StatusUnprocessableEntity:
		return KindRejected, code, msg
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return KindAuth, code, msg
	case code == http.StatusNotFound:
		return KindNotFound, code, msg
	default:
		return KindOther, code, msg
	}
}

// backoff is the wait before attempt+1: uniformly random between RetryMin
// and an exponentially growing ceiling (full jitter, so that many senders
// recovering together do not hit InfluxDB in step), at least the server's
// Retry-After up to RetryMax.
func (s *Sender) backoff(attempt int, err error) time.Duration {
	lo, hi := s.opts.RetryMin, s.opts.RetryMax
	ceil := hi
	if attempt < 40 {
		if c := lo << attempt; c > 0 && c < hi {
			ceil = c
		}
	}
	d := lo + time.Duration(rand.Int64N(int64(ceil-lo)+1))
	var we *store.WriteError
	if errors.As(err, &we) {
		d = max(d, min(we.Wait(), hi))
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// deadLetterReason is the .reason file beside each dead-letter .lp file.
type deadLetterReason struct {
	Time    time.Time         `json:"time"`
	Status  int               `json:"status"`
	Message string            `json:"message"`
	Count   int               `json:"count"`
	Lines   []deadLetterEntry `json:"lines"`
}

type deadLetterEntry struct {
	Line    int    `json:"line"` // 1-based, in the .lp file
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// maxReasonLines bounds the per-line detail in a .reason file.
const maxReasonLines = 100

// writeDeadLetter stores refused lines as dead-letter/<time>-<pos>.lp with
// a .reason file, both fsync'ed before the batch is acknowledged.
func (s *Sender) writeDeadLetter(pos int64, dead []deadLine) error {
	now := s.opts.Now().UTC()
	base := filepath.Join(s.sp.DeadLetterDir(), fmt.Sprintf("%s-%d", now.Format("20060102T150405.000000000Z"), pos))
	var lp strings.Builder
	reason := deadLetterReason{Time: now, Status: dead[0].status, Message: dead[0].message, Count: len(dead)}
	for i, d := range dead {
		lp.WriteString(d.line)
		lp.WriteByte('\n')
		if i < maxReasonLines {
			reason.Lines = append(reason.Lines, deadLetterEntry{Line: i + 1, Status: d.status, Message: d.message})
		}
	}
	js, err := json.MarshalIndent(reason, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileSync(base+".lp", []byte(lp.String())); err != nil {
		return fmt.Errorf("dead letter: %w", err)
	}
	if err := writeFileSync(base+".reason", append(js, '\n')); err != nil {
		return fmt.Errorf("dead letter: %w", err)
	}
	s.log.Error("influxdb refused points; kept in the dead-letter directory", "points", len(dead),
		"file", base+".lp", "status", reason.Status, "message", reason.Message)
	return syncDir(s.sp.DeadLetterDir())
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Stats returns the spool's state with the delivery counters.
func (s *Sender) Stats() Stats {
	st := s.sp.Stats()
	st.DeliveredPoints = s.delivered.Load()
	st.DeadLetteredPoints = s.deadLettered.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	st.WriteErrors = make(map[string]int64, len(s.errs))
	for k, v := range s.errs {
		st.WriteErrors[k] = v
	}
	st.LastSuccess = s.lastSuccess
	st.InfluxUp = s.up
	return st
}
