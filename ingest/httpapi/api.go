// Package httpapi is the push API of the ingestion daemon: POST
// /api/v1/observations takes long CSV, JSON, NDJSON or InfluxDB line
// protocol, runs it through the ingest.Pipeline (whose Sink is the durable
// spool) and answers only after the accepted rows are fsync'ed. It also
// serves /healthz and /readyz.
//
// Who may write what: the provider of every pushed figure is the name of
// the token it was pushed with ("http" when the API is open). A client
// cannot choose another: ?source= naming a different provider is refused
// with 403, and rows naming another provider are rejected by the pipeline.
// Values the plausibility rules hold are accepted when the request says
// X-Greenmetrics-Confirm: implausible (or ?confirm=true).
//
// Status codes: 200 with a JSON summary of accepted, rejected, held and
// revised rows (nothing_accepted and message say so when no row was
// stored); 400 when the body cannot be read as the format (rows before
// the fault were accepted, the summary says how many) or a parameter is
// malformed; 401 without a valid bearer token; 403 when ?source= names
// another provider than the token's; 408 when the body is not received
// within Options.BodyReadTimeout; 413 over the body or row limit (a gzip
// body, with Content-Encoding or without, is bounded after unpacking) and
// when the push's data is larger than the whole spool; 415
// for an unknown or unparsable content type; 503 with Retry-After when the
// spool is full or failing, or when Options.MaxConcurrent pushes are
// already being processed. After a 503 or a dropped connection the client sends the
// same request again: points are idempotent, so rows accepted twice are
// stored once.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
)

// Processor runs one input through validation into the spool;
// *ingest.Pipeline is one.
type Processor interface {
	Process(ctx context.Context, in ingest.Input) (ingest.Result, error)
}

// Options configure an API. The zero value is usable: no tokens (open),
// the defaults below.
type Options struct {
	// Tokens are the accepted bearer tokens and their names (the
	// providers of pushes); none means open, every push provided by
	// OpenProvider.
	Tokens Tokens
	// MaxBodyBytes bounds a request body as sent and, when it is gzip
	// (Content-Encoding or not), as unpacked. Zero: 64 MiB.
	MaxBodyBytes int64
	// BodyReadTimeout bounds the reading of a push body from the moment
	// its handler starts; a client still sending then gets 408. Zero: 1 min.
	BodyReadTimeout time.Duration
	// MaxConcurrent bounds the pushes processed at once; one more is
	// answered 503 with Retry-After at once. Zero: 16.
	MaxConcurrent int
	// MaxRows bounds the observations of one request. Zero: 1 000 000.
	MaxRows int
	// MaxListed bounds the rejections listed in a response (all are
	// counted). Zero: 100.
	MaxListed int
	// Ready reports why the daemon cannot take data now, or nil; /readyz
	// answers 503 with its message. Nil: always ready.
	Ready func() error
	// Logger receives one line per failed request; nil discards.
	Logger *slog.Logger
}

// API serves the push and health endpoints.
type API struct {
	p    Processor
	opts Options
	log  *slog.Logger
	seq  atomic.Uint64
	// slots holds a token per push being processed.
	slots chan struct{}
}

// New returns the API over p.
func New(p Processor, opts Options) *API {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = 1_000_000
	}
	if opts.BodyReadTimeout <= 0 {
		opts.BodyReadTimeout = time.Minute
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 16
	}
	if opts.MaxListed <= 0 {
		opts.MaxListed = 100
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &API{p: p, opts: opts, log: opts.Logger, slots: make(chan struct{}, opts.MaxConcurrent)}
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/observations", a.push)
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
}

// Response is the body of a push answer. Rejections lists the first
// rejected rows; RejectionsOmitted says how many more there were.
type Response struct {
	Accepted int `json:"accepted"`
	// Rejected counts refused values, the held ones included.
	Rejected int `json:"rejected"`
	// Provider is the provider the accepted figures are stored with: the
	// token's name.
	Provider   string `json:"provider,omitempty"`
	Duplicates int    `json:"duplicates,omitempty"`
	// Held counts values held back by the plausibility rules (listed among
	// the rejections with their reason); send them again with
	// X-Greenmetrics-Confirm: implausible to accept them.
	Held int `json:"held,omitempty"`
	// Revised counts accepted figures that superseded a different value of
	// the same indicator, entity and period.
	Revised int `json:"revised,omitempty"`
	// DemoSkipped counts demo figures not written over real data.
	DemoSkipped int `json:"demo_skipped,omitempty"`
	// NothingAccepted is true when the request stored nothing although it
	// held values; Message then says why in one sentence.
	NothingAccepted   bool        `json:"nothing_accepted,omitempty"`
	Message           string      `json:"message,omitempty"`
	Rejections        []Rejection `json:"rejections"`
	RejectionsOmitted int         `json:"rejections_omitted,omitempty"`
	// Error explains a status other than 200.
	Error string `json:"error,omitempty"`
}

// Rejection is one refused row of a push.
type Rejection struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// ConfirmHeader, with the value ConfirmImplausible, accepts the values of
// a push the plausibility rules would hold.
const (
	ConfirmHeader      = "X-Greenmetrics-Confirm"
	ConfirmImplausible = "implausible"
)

func (a *API) push(w http.ResponseWriter, r *http.Request) {
	provider, ok := a.opts.Tokens.Allow(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="greenmetrics"`)
		a.fail(w, r, http.StatusUnauthorized, "a valid bearer token is required (Authorization: Bearer …)")
		return
	}
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	default:
		w.Header().Set("Retry-After", "5")
		a.fail(w, r, http.StatusServiceUnavailable, fmt.Sprintf("%d pushes are being processed, the most at once; retry after the time in Retry-After", a.opts.MaxConcurrent))
		return
	}
	if r.ContentLength > a.opts.MaxBodyBytes {
		// Refused before reading, so nothing of it is stored.
		a.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes is over the limit of %d; split it", r.ContentLength, a.opts.MaxBodyBytes))
		return
	}
	// A slow client holds a push slot only this long. Not every
	// connection supports deadlines (HTTP/2 before Go 1.20 did not); the
	// server's ReadTimeout still bounds those.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.opts.BodyReadTimeout))
	in, status, msg := a.input(r, provider)
	if status != 0 {
		a.fail(w, r, status, msg)
		return
	}
	body := &limitedReader{r: in.Reader, left: a.opts.MaxBodyBytes}
	in.Reader = body
	in.MaxRows = a.opts.MaxRows
	res, err := a.p.Process(spool.ForRequest(r.Context()), in)
	resp := a.summary(res)
	switch {
	case err == nil && !body.over:
		writeJSON(w, http.StatusOK, resp)
	case body.over:
		a.reply(w, r, http.StatusRequestEntityTooLarge, resp, fmt.Sprintf("body larger than %d bytes; split it (the rows counted as accepted are stored)", a.opts.MaxBodyBytes))
	case isTooLarge(err):
		a.reply(w, r, http.StatusRequestEntityTooLarge, resp, err.Error())
	case body.timedOut:
		a.reply(w, r, http.StatusRequestTimeout, resp, fmt.Sprintf("the body was not received within %v; send it faster or split it (the rows counted as accepted are stored)", a.opts.BodyReadTimeout))
	case errors.Is(err, ingest.ErrTooManyRows):
		a.reply(w, r, http.StatusRequestEntityTooLarge, resp, fmt.Sprintf("more than %d observations in one request; split it (the rows counted as accepted are stored)", a.opts.MaxRows))
	case errors.Is(err, spool.ErrTooLarge):
		// Larger than the whole spool: waiting never makes it fit.
		a.reply(w, r, http.StatusRequestEntityTooLarge, resp, "the data of this push is larger than the whole spool; split it (the rows counted as accepted are stored)")
	case ingest.IsBackpressure(err):
		w.Header().Set("Retry-After", retryAfterSeconds(err))
		a.reply(w, r, http.StatusServiceUnavailable, resp, "spool full: InfluxDB is behind; retry after the time in Retry-After")
	case isSinkError(err):
		w.Header().Set("Retry-After", "30")
		a.reply(w, r, http.StatusServiceUnavailable, resp, "cannot store data right now; retry later")
		a.log.Error("push: spool failed", "err", err)
	case isInputError(err):
		a.reply(w, r, http.StatusBadRequest, resp, err.Error())
	case r.Context().Err() != nil:
		// The client went away; nobody reads an answer.
	default:
		a.reply(w, r, http.StatusBadRequest, resp, err.Error())
	}
}

// input builds the pipeline input of a request, or a status and message
// refusing it.
func (a *API) input(r *http.Request, provider string) (in ingest.Input, status int, msg string) {
	q := r.URL.Query()
	format, charset, err := formatOf(r.Header.Get("Content-Type"), q.Get("format"))
	if err != nil {
		return in, http.StatusUnsupportedMediaType, err.Error()
	}
	if src := q.Get("source"); src != "" && src != provider {
		return in, http.StatusForbidden, fmt.Sprintf("source %q is not this token's: figures pushed with it are stored with provider %q, its name in the tokens file; leave out ?source=", truncate(src, 64), provider)
	}
	confirm, err := confirmOf(r.Header.Values(ConfirmHeader), q.Get("confirm"))
	if err != nil {
		return in, http.StatusBadRequest, err.Error()
	}
	// The name says who pushed what, in rejections and in the revision
	// ledger's origins ("push zjw june.csv row 3"): the provider, then the
	// client's name for the upload or a request id unique across restarts.
	name := q.Get("name")
	if name == "" {
		name = fmt.Sprintf("%s-%d", time.Now().In(models.Shanghai).Format("20060102T150405"), a.seq.Add(1))
	}
	name = "push " + provider + " " + name
	gzipped := false
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		// Unpacked by the pipeline, within MaxBodyBytes, as a gzip body
		// sent without Content-Encoding is.
		gzipped = true
	default:
		return in, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Encoding %q is not gzip", truncate(enc, 32))
	}
	return ingest.Input{
		Name:          name,
		Format:        format,
		Reader:        r.Body,
		Gzip:          gzipped,
		MaxBytes:      a.opts.MaxBodyBytes,
		LimitName:     "max_body_bytes",
		Size:          max(r.ContentLength, 0),
		Provider:      provider,
		FixedProvider: true,
		Origin:        "push:" + provider,
		Confirm:       confirm,
		Mapping:       q.Get("mapping"),
		Encoding:      charset,
		Precision:     q.Get("precision"),
	}, 0, ""
}

// confirmOf reads the confirmation of held values: the header
// X-Greenmetrics-Confirm: implausible, or ?confirm=true. Anything else in
// them is a mistake worth telling, not a silent "no".
func confirmOf(header []string, param string) (bool, error) {
	confirm := false
	for _, h := range header {
		if !strings.EqualFold(strings.TrimSpace(h), ConfirmImplausible) {
			return false, fmt.Errorf("%s: %q is not %q (the one value it takes: accept values the plausibility rules hold)", ConfirmHeader, truncate(h, 32), ConfirmImplausible)
		}
		confirm = true
	}
	if param != "" {
		v, err := strconv.ParseBool(param)
		if err != nil {
			return false, fmt.Errorf("confirm=%q is not true or false", truncate(param, 32))
		}
		confirm = confirm || v
	}
	return confirm, nil
}

// truncate shortens a client's text for an error message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// formatOf picks the input format: the format parameter if given, else
// the content type. charset is returned for CSV in a Chinese legacy
// encoding (gbk, gb18030).
func formatOf(contentType, param string) (ingest.Format, string, error) {
	var mt string
	params := map[string]string{}
	if strings.TrimSpace(contentType) != "" {
		var err error
		mt, params, err = mime.ParseMediaType(contentType)
		if err != nil {
			// Guessing the format of a body its client described wrongly
			// would store misread rows.
			return "", "", fmt.Errorf("content type %q cannot be read (%v): send e.g. text/csv; charset=utf-8, or pass ?format=", truncate(contentType, 64), err)
		}
	}
	charset := strings.ToLower(params["charset"])
	if charset == "utf-8" || charset == "us-ascii" {
		charset = ""
	}
	if param != "" {
		f, err := ingest.ParseFormat(param)
		return f, charset, err
	}
	switch mt {
	case "text/csv", "application/csv":
		return ingest.FormatCSV, charset, nil
	case "application/json":
		return ingest.FormatJSON, charset, nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines":
		return ingest.FormatNDJSON, charset, nil
	case "text/plain", "application/x-influxdb-line-protocol", "application/vnd.influx.lp":
		return ingest.FormatLP, charset, nil
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return ingest.FormatXLSX, charset, nil
	case "", "application/octet-stream":
		// curl --data-binary without -H: let the pipeline sniff.
		return ingest.FormatAuto, charset, nil
	}
	return "", "", fmt.Errorf("content type %q is not text/csv, application/json, application/x-ndjson or text/plain (line protocol); or pass ?format=", mt)
}

func (a *API) summary(res ingest.Result) Response {
	resp := Response{
		Accepted:    res.Accepted,
		Rejected:    res.RejectedCount(),
		Provider:    res.Provider,
		Duplicates:  res.Duplicates,
		Held:        res.Held,
		Revised:     res.Revised,
		DemoSkipped: res.DemoSkipped,
		Rejections:  []Rejection{},
	}
	if res.Accepted == 0 && res.Values > 0 {
		resp.NothingAccepted = true
		resp.Message = nothingAccepted(res)
	}
	for _, rj := range res.Rejected {
		if len(resp.Rejections) == a.opts.MaxListed {
			break
		}
		resp.Rejections = append(resp.Rejections, Rejection{Row: rj.Row, Field: rj.Field, Rule: rj.Rule, Message: rj.Message})
	}
	resp.RejectionsOmitted = resp.Rejected - len(resp.Rejections)
	return resp
}

// nothingAccepted says why a push with values stored none of them.
func nothingAccepted(res ingest.Result) string {
	var why []string
	if n := res.RejectedCount() - res.Held; n > 0 {
		why = append(why, fmt.Sprintf("%d rejected", n))
	}
	if res.Held > 0 {
		why = append(why, fmt.Sprintf("%d held as implausible (send again with %s: %s to accept them)", res.Held, ConfirmHeader, ConfirmImplausible))
	}
	if res.Duplicates > 0 {
		why = append(why, fmt.Sprintf("%d duplicates", res.Duplicates))
	}
	if res.DemoSkipped > 0 {
		why = append(why, fmt.Sprintf("%d demo figures skipped over real data", res.DemoSkipped))
	}
	msg := fmt.Sprintf("nothing was stored: none of the %d values was accepted", res.Values)
	if len(why) > 0 {
		msg += " (" + strings.Join(why, ", ") + ")"
	}
	if res.RejectedCount() > 0 {
		msg += "; the rejections say why"
	}
	return msg
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	a.reply(w, r, status, Response{Rejections: []Rejection{}}, msg)
}

func (a *API) reply(w http.ResponseWriter, r *http.Request, status int, resp Response, msg string) {
	resp.Error = msg
	a.log.Warn("push refused", "status", status, "remote", r.RemoteAddr, "accepted", resp.Accepted, "reason", msg)
	writeJSON(w, status, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func (a *API) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
}

func (a *API) readyz(w http.ResponseWriter, _ *http.Request) {
	if a.opts.Ready != nil {
		if err := a.opts.Ready(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// retryAfterSeconds is the Retry-After of a backpressure error: the wait
// the spool suggested, rounded up to whole seconds, at least 1.
func retryAfterSeconds(err error) string {
	return strconv.Itoa(max(int(math.Ceil(spool.RetryAfter(err).Seconds())), 1))
}

func isSinkError(err error) bool {
	var se *ingest.SinkError
	return errors.As(err, &se)
}

// isTooLarge reports an input refused for unpacking past its limit.
func isTooLarge(err error) bool {
	var ie *ingest.InputError
	return errors.As(err, &ie) && ie.Rule == ingest.RuleTooLarge
}

func isInputError(err error) bool {
	var ie *ingest.InputError
	return errors.As(err, &ie)
}

// limitedReader fails reads past its limit and remembers that it did, so
// the handler answers 413 whatever error the pipeline made of it.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
	// timedOut records a read cut off by the body's read deadline.
	timedOut bool
}

var errBodyTooLarge = errors.New("request body too large")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte tells a body of exactly the limit from a longer one.
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			l.over = true
			return 0, errBodyTooLarge
		}
		return 0, l.noteTimeout(err)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, l.noteTimeout(err)
}

// noteTimeout remembers a read cut off by the body's deadline.
func (l *limitedReader) noteTimeout(err error) error {
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		l.timedOut = true
	}
	return err
}
