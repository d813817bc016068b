package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"
	influxhttp "github.com/influxdata/influxdb-client-go/v2/api/http"
)

// Config says where the store is. Bucket is "db/rp" on InfluxDB 1.8, a
// bucket with a DBRP mapping on 2.x, the database on 3.x.
type Config struct {
	URL     string
	Token   string
	Org     string
	Bucket  string
	Timeout time.Duration
	// Rollups makes DailyAggregates keep the daily figures in the bucket and
	// read them instead of the hours (keptdays.go). Exact only when
	// every figure reaches InfluxDB through greenmetrics' spool, which
	// marks the months it changes (docs/schema.md §7).
	Rollups bool
}

// Store writes to and reads from one InfluxDB bucket. It is safe for
// concurrent use.
type Store struct {
	cfg    Config
	client influxdb2.Client
	writer api.WriteAPIBlocking
	http   *http.Client
	db, rp string
	// rollupWrites are the kept daily figures being written back (keptdays.go).
	rollupWrites sync.WaitGroup
}

// New connects lazily: nothing is sent until the first call.
// queryTransport is the transport of InfluxQL queries to host. Answers
// from the same machine are not compressed: gzip costs InfluxDB more CPU
// than the bytes cost to move over loopback (a 9 MB answer of kept daily
// figures: 1.0 s gzipped against 0.7 s plain, docs/benchmarks.md), and
// that CPU is the analysis' own. Across a network they are.
func queryTransport(host string) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	ip := net.ParseIP(host)
	t.DisableCompression = host == "localhost" || (ip != nil && ip.IsLoopback())
	return t
}

func New(cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("influx url %q: not an http(s) URL", cfg.URL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	opts := influxdb2.DefaultOptions().
		SetPrecision(time.Second).
		SetHTTPRequestTimeout(uint(cfg.Timeout / time.Second)).
		// Retries are ours (the spool); the blocking API must not add any.
		SetMaxRetries(0)
	client := influxdb2.NewClientWithOptions(strings.TrimRight(cfg.URL, "/"), cfg.Token, opts)
	db, rp, _ := strings.Cut(cfg.Bucket, "/")
	return &Store{
		cfg:    cfg,
		client: client,
		writer: client.WriteAPIBlocking(cfg.Org, cfg.Bucket),
		http:   &http.Client{Timeout: cfg.Timeout, Transport: queryTransport(u.Hostname())},
		db:     db,
		rp:     rp,
	}, nil
}

// Close waits for the kept daily figures being written back, then releases
// idle connections.
func (s *Store) Close() {
	s.rollupWrites.Wait()
	s.client.Close()
}

// WriteError is a failed write, classified so the caller knows whether the
// same batch can succeed later (network trouble, 429, 5xx) or never will
// (400 bad data, 401/403 auth, 404 no such bucket).
type WriteError struct {
	StatusCode int           // 0 for transport errors
	RetryAfter time.Duration // from the Retry-After header, 0 if absent
	Message    string
	Err        error
}

func (e *WriteError) Error() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("influxdb write: %v", e.Err)
	}
	return fmt.Sprintf("influxdb write: HTTP %d: %s", e.StatusCode, e.Message)
}

func (e *WriteError) Unwrap() error { return e.Err }

// Retryable reports whether sending the same batch again may succeed.
func (e *WriteError) Retryable() bool {
	return e.StatusCode == 0 || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Wait is how long the server asked the client to wait, if it did.
func (e *WriteError) Wait() time.Duration { return e.RetryAfter }

// Unreachable reports whether the write never reached InfluxDB (no HTTP
// answer).
func (e *WriteError) Unreachable() bool { return e.StatusCode == 0 }

// unreachableError is a query that never reached InfluxDB, or whose answer
// broke off: refused, timed out, no route. Its Unreachable method tells a
// caller that knows nothing of store (the analysis engine stops its run at
// the first such error rather than logging one per indicator).
type unreachableError struct{ err error }

func (e unreachableError) Error() string     { return e.err.Error() }
func (e unreachableError) Unwrap() error     { return e.err }
func (e unreachableError) Unreachable() bool { return true }

// transportError marks err unreachable when it is a network error.
func transportError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) {
		return unreachableError{err}
	}
	return err
}

// WriteLines sends line-protocol lines in one request. Points with the same
// measurement, tags and time replace each other, so sending a batch twice
// leaves one copy: delivery can be at-least-once without duplicates.
func (s *Store) WriteLines(ctx context.Context, lines ...string) error {
	if len(lines) == 0 {
		return nil
	}
	err := s.writer.WriteRecord(ctx, lines...)
	if err == nil {
		return nil
	}
	return classifyWriteError(err)
}

// WritePoints encodes and writes points.
func (s *Store) WritePoints(ctx context.Context, points ...Point) error {
	lines := make([]string, 0, len(points))
	for _, p := range points {
		line, err := EncodePoint(p)
		if err != nil {
			return fmt.Errorf("encoding %s point: %w", p.Measurement, err)
		}
		lines = append(lines, line)
	}
	return s.WriteLines(ctx, lines...)
}

func classifyWriteError(err error) error {
	var he *influxhttp.Error
	if !errors.As(err, &he) {
		return &WriteError{Err: err, Message: err.Error()}
	}
	we := &WriteError{StatusCode: he.StatusCode, RetryAfter: time.Duration(he.RetryAfter) * time.Second, Err: err}
	we.Message = strings.TrimSpace(he.Message)
	if we.Message == "" {
		we.Message = he.Error()
	}
	if he.StatusCode == 0 && he.Err != nil {
		we.Err = he.Err
		we.Message = he.Err.Error()
	}
	return we
}

// Ping checks that InfluxDB answers, with GET /ping: it exists on 1.8, 2.x
// and 3.x, where the client's Health and Ready do not all work.
func (s *Store) Ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint("/ping", nil), nil)
	if err != nil {
		return err
	}
	s.authorize(req)
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("influxdb ping: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("influxdb ping: HTTP %d", resp.StatusCode)
	}
	return nil
}

// CreateDatabase creates the bucket's database through InfluxQL. It is for
// InfluxDB 1.8 set-ups (tests, make run); 2.x and 3.x buckets are created
// by their administrators.
func (s *Store) CreateDatabase(ctx context.Context) error {
	_, err := s.do(ctx, http.MethodPost, "CREATE DATABASE "+QuoteIdent(s.db), nil)
	return err
}

func (s *Store) endpoint(path string, q url.Values) string {
	u := strings.TrimRight(s.cfg.URL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (s *Store) authorize(req *http.Request) {
	if s.cfg.Token != "" {
		req.Header.Set("Authorization", "Token "+s.cfg.Token)
	}
}

// Series is one result series of an InfluxQL query.
type Series struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

type queryResponse struct {
	Results []queryResult `json:"results"`
	Error   string        `json:"error"`
}

type queryResult struct {
	Series []Series `json:"series"`
	Error  string   `json:"error"`
}

// Query runs one InfluxQL statement with bound parameters ($name in the
// statement, values in params) and returns its series; times come back as
// Unix seconds. Only values can be bound, never identifiers, so measurement
// and tag names in q must come from code, not from input.
// ErrDatabaseNotFound is the error of a query of a database InfluxDB does
// not have (1.8 answers "database not found: <name>").
var ErrDatabaseNotFound = errors.New("the database does not exist")

func (s *Store) Query(ctx context.Context, q string, params map[string]any) ([]Series, error) {
	body, err := s.do(ctx, http.MethodGet, q, params)
	if err != nil {
		return nil, err
	}
	resp, err := decodeQueryResponse(body)
	if err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("influxql: %s", resp.Error)
	}
	var out []Series
	for _, r := range resp.Results {
		if r.Error != "" {
			if strings.HasPrefix(r.Error, "database not found") {
				return nil, fmt.Errorf("influxql: %s: %w", r.Error, ErrDatabaseNotFound)
			}
			return nil, fmt.Errorf("influxql: %s", r.Error)
		}
		out = append(out, r.Series...)
	}
	return out, nil
}

func (s *Store) do(ctx context.Context, method, q string, params map[string]any) ([]byte, error) {
	form := url.Values{"db": {s.db}, "q": {q}, "epoch": {"s"}}
	if s.rp != "" {
		form.Set("rp", s.rp)
	}
	if len(params) > 0 {
		p, err := json.Marshal(params)
		if err != nil {
			return nil, fmt.Errorf("influxql params: %w", err)
		}
		form.Set("params", string(p))
	}
	var req *http.Request
	var err error
	if method == http.MethodPost {
		req, err = http.NewRequestWithContext(ctx, method, s.endpoint("/query", nil), strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, method, s.endpoint("/query", form), nil)
	}
	if err != nil {
		return nil, err
	}
	s.authorize(req)
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, transportError(fmt.Errorf("influxql: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, transportError(fmt.Errorf("influxql: reading response: %w", err))
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("influxql: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// QuoteIdent quotes an InfluxQL identifier (measurement, tag or field name).
func QuoteIdent(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Float reads a numeric cell of a query result.
func Float(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}
