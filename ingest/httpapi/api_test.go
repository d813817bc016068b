package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
)

// fixture is an API over the real pipeline and a real spool.
type fixture struct {
	srv *httptest.Server
	sp  *spool.Spool
}

func newFixture(t *testing.T, spoolMax int64, opts httpapi.Options) fixture {
	t.Helper()
	return newFixtureWith(t, spoolMax, opts, func(p *ingest.Pipeline) httpapi.Processor { return p })
}

// newFixtureWith lets a test see the inputs the API makes of requests.
func newFixtureWith(t *testing.T, spoolMax int64, opts httpapi.Options, wrap func(*ingest.Pipeline) httpapi.Processor) fixture {
	t.Helper()
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(t.TempDir(), spool.Options{MaxBytes: spoolMax})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	now := func() time.Time { return time.Date(2024, 7, 1, 0, 0, 0, 0, models.Shanghai) }
	pipe, err := ingest.NewPipeline(cat, nil, sp, ingest.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	httpapi.New(wrap(pipe), opts).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return fixture{srv: srv, sp: sp}
}

type request struct {
	path, contentType, encoding, auth string
	header                            map[string]string
	body                              []byte
}

func (f fixture) do(t *testing.T, r request) (*http.Response, httpapi.Response) {
	t.Helper()
	if r.path == "" {
		r.path = "/api/v1/observations"
	}
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+r.path, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.encoding != "" {
		req.Header.Set("Content-Encoding", r.encoding)
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body httpapi.Response
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("response %d is not JSON: %s", resp.StatusCode, raw)
	}
	return resp, body
}

const goodCSV = `time,indicator,entity,value,unit
2024-06-01 08:00,pm25,永乐店,35,ug/m3
2024-06-01 09:00,pm25,永乐店,41,ug/m3
2024-06-01 08:00,no2,永乐店,22,ug/m3
`

const csvWithBadRows = goodCSV + `2024-06-01 10:00,no_such_indicator,永乐店,1,ug/m3
2024-06-01 11:00,pm25,永乐店,-5,ug/m3
`

// lpLines is line protocol as clients write it: the indicator as the
// measurement, the entity as a tag, a value field.
func lpLines(obs ...models.Observation) []byte {
	var b []byte
	for _, o := range obs {
		b = fmt.Appendf(b, "%s,entity=%s value=%g %d\n", o.Indicator, o.Entity, o.Value, o.Time.Unix())
	}
	return b
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPushFormats(t *testing.T) {
	june := time.Date(2024, 6, 1, 8, 0, 0, 0, models.Shanghai)
	lp := lpLines(
		models.Observation{Time: june, Indicator: "pm25", Entity: "永乐店", Value: 35},
		models.Observation{Time: june, Indicator: "so2", Entity: "永乐店", Value: 4},
	)
	tests := []struct {
		name         string
		req          request
		wantAccepted int
		wantRejected int
	}{
		{"csv", request{contentType: "text/csv", body: []byte(goodCSV)}, 3, 0},
		{"csv with bad rows", request{contentType: "text/csv; charset=utf-8", body: []byte(csvWithBadRows)}, 3, 2},
		{"json array", request{contentType: "application/json", body: []byte(`[
 {"time":"2024-06-01T08:00:00+08:00","indicator":"pm25","entity":"永乐店","value":35,"unit":"ug/m3"},
 {"time":"2024-06-01T09:00:00+08:00","indicator":"pm25","entity":"永乐店","value":36,"unit":"ug/m3"}
]`)}, 2, 0},
		{"ndjson", request{contentType: "application/x-ndjson", body: []byte(
			`{"time":"2024-06-01T08:00:00+08:00","indicator":"pm25","entity":"永乐店","value":35,"unit":"ug/m3"}` + "\n" +
				`{"time":"2024-06-01T09:00:00+08:00","indicator":"pm25","entity":"永乐店","value":36,"unit":"ug/m3"}` + "\n")}, 2, 0},
		{"line protocol as text/plain", request{contentType: "text/plain", body: lp}, 2, 0},
		{"line protocol by ?format=lp", request{path: "/api/v1/observations?format=lp", contentType: "application/octet-stream", body: lp}, 2, 0},
		{"gzip csv", request{contentType: "text/csv", encoding: "gzip", body: gz(t, []byte(goodCSV))}, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0, httpapi.Options{})
			resp, body := f.do(t, tc.req)
			if resp.StatusCode != http.StatusOK || body.Accepted != tc.wantAccepted || body.Rejected != tc.wantRejected {
				t.Fatalf("POST %s = %d %+v; want 200, %d accepted, %d rejected", tc.name, resp.StatusCode, body, tc.wantAccepted, tc.wantRejected)
			}
			if len(body.Rejections) != tc.wantRejected {
				t.Errorf("rejections listed = %+v, want %d", body.Rejections, tc.wantRejected)
			}
			for _, r := range body.Rejections {
				if r.Row == 0 || r.Rule == "" || r.Message == "" {
					t.Errorf("rejection %+v lacks row, rule or message", r)
				}
			}
			// 200 means durable: the accepted points are in the spool.
			if got := f.sp.Stats().PendingPoints; got != int64(tc.wantAccepted) {
				t.Errorf("spool holds %d points after 200, want %d", got, tc.wantAccepted)
			}
		})
	}
}

func TestPushRefusals(t *testing.T) {
	tokens := mustTokens(t, httpapi.Token{Name: "zjw", Secret: "old-token"}, httpapi.Token{Name: "zjw", Secret: "new-token"})
	big := []byte(strings.Repeat("x", 2000))
	tests := []struct {
		name       string
		opts       httpapi.Options
		spoolMax   int64
		req        request
		wantStatus int
		wantHeader string
		// wantAccepted0: refused before anything was read.
		wantAccepted0 bool
	}{
		{"no token", httpapi.Options{Tokens: tokens}, 0, request{contentType: "text/csv", body: []byte(goodCSV)}, http.StatusUnauthorized, "WWW-Authenticate", true},
		{"wrong token", httpapi.Options{Tokens: tokens}, 0, request{contentType: "text/csv", auth: "Bearer guess", body: []byte(goodCSV)}, http.StatusUnauthorized, "", true},
		{"token without Bearer", httpapi.Options{Tokens: tokens}, 0, request{contentType: "text/csv", auth: "new-token", body: []byte(goodCSV)}, http.StatusUnauthorized, "", true},
		{"body over the limit", httpapi.Options{MaxBodyBytes: 1000}, 0, request{contentType: "text/csv", body: append([]byte(goodCSV), big...)}, http.StatusRequestEntityTooLarge, "", true},
		{"gzip body over the limit once inflated", httpapi.Options{MaxBodyBytes: 1000}, 0, request{contentType: "text/csv", encoding: "gzip", body: gz(t, []byte(goodCSV+strings.Repeat("2024-06-01 08:00,pm25,x,1,ug/m3\n", 100)))}, http.StatusRequestEntityTooLarge, "", false},
		{"too many rows", httpapi.Options{MaxRows: 2}, 0, request{contentType: "text/csv", body: []byte(goodCSV)}, http.StatusRequestEntityTooLarge, "", true},
		{"unknown content type", httpapi.Options{}, 0, request{contentType: "image/png", body: []byte(goodCSV)}, http.StatusUnsupportedMediaType, "", true},
		{"unknown content encoding", httpapi.Options{}, 0, request{contentType: "text/csv", encoding: "br", body: []byte(goodCSV)}, http.StatusUnsupportedMediaType, "", true},
		{"source other than the open API's", httpapi.Options{}, 0, request{path: "/api/v1/observations?source=a%20b", contentType: "text/csv", body: []byte(goodCSV)}, http.StatusForbidden, "", true},
		{"source derived", httpapi.Options{}, 0, request{path: "/api/v1/observations?source=derived", contentType: "text/csv", body: []byte(goodCSV)}, http.StatusForbidden, "", true},
		{"source of another token", httpapi.Options{Tokens: tokens}, 0, request{path: "/api/v1/observations?source=tjj", contentType: "text/csv", auth: "Bearer new-token", body: []byte(goodCSV)}, http.StatusForbidden, "", true},
		{"bad confirm header", httpapi.Options{}, 0, request{contentType: "text/csv", header: map[string]string{httpapi.ConfirmHeader: "yes"}, body: []byte(goodCSV)}, http.StatusBadRequest, "", true},
		{"bad confirm parameter", httpapi.Options{}, 0, request{path: "/api/v1/observations?confirm=maybe", contentType: "text/csv", body: []byte(goodCSV)}, http.StatusBadRequest, "", true},
		{"push larger than the whole spool", httpapi.Options{}, 100, request{contentType: "text/csv", body: []byte(goodCSV)}, http.StatusRequestEntityTooLarge, "", true},
		{"not csv at all", httpapi.Options{}, 0, request{contentType: "application/json", body: []byte(`{"time": [`)}, http.StatusBadRequest, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.spoolMax, tc.opts)
			resp, body := f.do(t, tc.req)
			if resp.StatusCode != tc.wantStatus || body.Error == "" {
				t.Fatalf("POST = %d %+v; want %d with an error message", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantHeader != "" && resp.Header.Get(tc.wantHeader) == "" {
				t.Errorf("response lacks %s", tc.wantHeader)
			}
			// Rows read before a fault in the middle of a body are stored,
			// and the answer counts them; a refusal before reading stores
			// nothing.
			if got := f.sp.Stats().PendingPoints; got != int64(body.Accepted) {
				t.Errorf("spool holds %d points, the answer says %d accepted", got, body.Accepted)
			}
			if tc.wantAccepted0 && body.Accepted != 0 {
				t.Errorf("accepted = %d, want 0", body.Accepted)
			}
		})
	}
}

func mustTokens(t *testing.T, toks ...httpapi.Token) httpapi.Tokens {
	t.Helper()
	set, err := httpapi.NewTokens(toks...)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestTokenRotation(t *testing.T) {
	f := newFixture(t, 0, httpapi.Options{Tokens: mustTokens(t, httpapi.Token{Name: "zjw", Secret: "old-token"}, httpapi.Token{Name: "zjw", Secret: "new-token"})})
	for _, tok := range []string{"old-token", "new-token"} {
		resp, body := f.do(t, request{contentType: "text/csv", auth: "Bearer " + tok, body: []byte(goodCSV)})
		if resp.StatusCode != http.StatusOK || body.Accepted != 3 || body.Provider != "zjw" {
			t.Errorf("POST with %s = %d %+v, want 200 with provider zjw", tok, resp.StatusCode, body)
		}
	}
}

// inputRecorder passes requests to the real pipeline and keeps the input
// the API made of each.
type inputRecorder struct {
	p      *ingest.Pipeline
	inputs chan ingest.Input
}

func (r inputRecorder) Process(ctx context.Context, in ingest.Input) (ingest.Result, error) {
	r.inputs <- in
	return r.p.Process(ctx, in)
}

// TestPushProviderIsTheTokenName: the provider of a push is its token's
// name, fixed for every row; ?source= may only repeat it; the confirmation
// header and parameter reach the pipeline.
func TestPushProviderIsTheTokenName(t *testing.T) {
	tokens := mustTokens(t,
		httpapi.Token{Name: "zjw", Secret: "zjw-2024"},
		httpapi.Token{Name: "tjj", Secret: "tjj-2024"},
	)
	tests := []struct {
		name         string
		opts         httpapi.Options
		req          request
		wantProvider string
		wantConfirm  bool
	}{
		{"open API", httpapi.Options{}, request{}, httpapi.OpenProvider, false},
		{"token zjw", httpapi.Options{Tokens: tokens}, request{auth: "Bearer zjw-2024"}, "zjw", false},
		{"token tjj", httpapi.Options{Tokens: tokens}, request{auth: "Bearer tjj-2024"}, "tjj", false},
		{"source repeating the token's name", httpapi.Options{Tokens: tokens}, request{auth: "Bearer tjj-2024", path: "/api/v1/observations?source=tjj"}, "tjj", false},
		{"confirm header", httpapi.Options{Tokens: tokens}, request{auth: "Bearer zjw-2024", header: map[string]string{httpapi.ConfirmHeader: "Implausible"}}, "zjw", true},
		{"confirm parameter", httpapi.Options{}, request{path: "/api/v1/observations?confirm=true"}, httpapi.OpenProvider, true},
		{"confirm=false", httpapi.Options{}, request{path: "/api/v1/observations?confirm=false"}, httpapi.OpenProvider, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := inputRecorder{inputs: make(chan ingest.Input, 1)}
			f := newFixtureWith(t, 0, tc.opts, func(p *ingest.Pipeline) httpapi.Processor { rec.p = p; return rec })
			tc.req.contentType, tc.req.body = "text/csv", []byte(goodCSV)
			resp, body := f.do(t, tc.req)
			if resp.StatusCode != http.StatusOK || body.Provider != tc.wantProvider {
				t.Fatalf("POST = %d %+v; want 200 with provider %s", resp.StatusCode, body, tc.wantProvider)
			}
			in := <-rec.inputs
			if in.Provider != tc.wantProvider || !in.FixedProvider || in.Confirm != tc.wantConfirm {
				t.Errorf("input: provider %q fixed %v confirm %v; want %q, true, %v", in.Provider, in.FixedProvider, in.Confirm, tc.wantProvider, tc.wantConfirm)
			}
		})
	}
}

// TestSourceRefusalNamesTheProvider: the 403 tells the client what its
// figures are stored as and what to do.
func TestSourceRefusalNamesTheProvider(t *testing.T) {
	f := newFixture(t, 0, httpapi.Options{Tokens: mustTokens(t, httpapi.Token{Name: "zjw", Secret: "s3cret"})})
	resp, body := f.do(t, request{path: "/api/v1/observations?source=derived", contentType: "text/csv", auth: "Bearer s3cret", body: []byte(goodCSV)})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body.Error, `provider "zjw"`) || !strings.Contains(body.Error, "source") {
		t.Errorf("POST ?source=derived = %d %q; want 403 naming provider zjw", resp.StatusCode, body.Error)
	}
	if strings.Contains(body.Error, "s3cret") {
		t.Error("the answer repeats the token")
	}
}

// TestNothingAcceptedIsSaid: a push whose every row is refused says so in
// its own field, with the status of a processed push.
func TestNothingAcceptedIsSaid(t *testing.T) {
	f := newFixture(t, 0, httpapi.Options{})
	bad := "time,indicator,entity,value,unit\n2024-06-01 10:00,no_such_indicator,永乐店,1,ug/m3\n2024-06-01 11:00,pm25,永乐店,-5,ug/m3\n"
	resp, body := f.do(t, request{contentType: "text/csv", body: []byte(bad)})
	if resp.StatusCode != http.StatusOK || body.Accepted != 0 || body.Rejected != 2 || !body.NothingAccepted ||
		!strings.Contains(body.Message, "nothing was stored") || !strings.Contains(body.Message, "2 rejected") {
		t.Errorf("POST of bad rows = %d %+v; want 200, nothing_accepted and a message counting 2 rejected", resp.StatusCode, body)
	}
	resp, body = f.do(t, request{contentType: "text/csv", body: []byte(goodCSV)})
	if resp.StatusCode != http.StatusOK || body.NothingAccepted || body.Message != "" {
		t.Errorf("POST of good rows = %d %+v; want no nothing_accepted", resp.StatusCode, body)
	}
}

func TestRejectionListIsCapped(t *testing.T) {
	f := newFixture(t, 0, httpapi.Options{MaxListed: 2})
	var csv strings.Builder
	csv.WriteString("time,indicator,entity,value,unit\n")
	for range 5 {
		csv.WriteString("2024-06-01 08:00,no_such_indicator,x,1,ug/m3\n")
	}
	resp, body := f.do(t, request{contentType: "text/csv", body: []byte(csv.String())})
	if resp.StatusCode != http.StatusOK || body.Rejected != 5 || len(body.Rejections) != 2 || body.RejectionsOmitted != 3 {
		t.Errorf("POST = %d %+v; want 5 rejected, 2 listed, 3 omitted", resp.StatusCode, body)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	notReady := errors.New("InfluxDB has not answered yet")
	tests := []struct {
		name  string
		ready func() error
		path  string
		want  int
	}{
		{"alive", func() error { return notReady }, "/healthz", http.StatusOK},
		{"not ready", func() error { return notReady }, "/readyz", http.StatusServiceUnavailable},
		{"ready", func() error { return nil }, "/readyz", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0, httpapi.Options{Ready: tc.ready})
			resp, err := http.Get(f.srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s = %d %s, want %d", tc.path, resp.StatusCode, body, tc.want)
			}
			if tc.want != http.StatusOK && !strings.Contains(string(body), notReady.Error()) {
				t.Errorf("GET %s body %s does not say why", tc.path, body)
			}
		})
	}
}

func TestLoadTokens(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(file, []byte("# rotated 2024-06\nzjw file-token\n\n  zjw   spaced-token  \ntjj\tthird-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GM_TOKENS": "ci:env-a, tjj:env-b,"}
	tokens, err := httpapi.LoadTokens(file, "GM_TOKENS", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Len() != 5 {
		t.Errorf("Len = %d, want 5", tokens.Len())
	}
	if got := strings.Join(tokens.Names(), ","); got != "ci,tjj,zjw" {
		t.Errorf("Names = %s, want ci,tjj,zjw", got)
	}
	for _, tc := range []struct {
		header, want string
		ok           bool
	}{
		{"Bearer file-token", "zjw", true},
		{"Bearer spaced-token", "zjw", true},
		{"Bearer third-token", "tjj", true},
		{"bearer env-b", "tjj", true},
		{"Bearer env-a", "ci", true},
		{"Bearer zjw", "", false},
		{"Bearer # rotated 2024-06", "", false},
		{"Bearer ", "", false},
		{"Basic file-token", "", false},
		{"", "", false},
	} {
		if name, ok := tokens.Allow(tc.header); ok != tc.ok || name != tc.want {
			t.Errorf("Allow(%q) = %q, %v; want %q, %v", tc.header, name, ok, tc.want, tc.ok)
		}
	}
	if name, ok := (httpapi.Tokens{}).Allow(""); !ok || name != httpapi.OpenProvider {
		t.Errorf("zero Tokens: Allow = %q, %v; want open, provider %s", name, ok, httpapi.OpenProvider)
	}
}

// TestLoadTokensErrors: every problem of a tokens file or variable is
// reported with its place and the expected format, and no secret is
// repeated.
func TestLoadTokensErrors(t *testing.T) {
	tests := []struct {
		name, file, env string
		want            []string
	}{
		{"old unnamed line", "zjw good-one\nunnamed-secret\n", "", []string{"tokens:2:", "without a name", "NAME TOKEN"}},
		{"reserved names", "derived s1\nhttp s2\n", "", []string{"tokens:1:", "tokens:2:", `"derived" is reserved`, `"http" is reserved`}},
		{"bad name", "ZJW s1\n区 s2\n", "", []string{"tokens:1:", "tokens:2:", "must be 1 to 64"}},
		{"three words", "zjw s1 extra\n", "", []string{"tokens:1:", "3 words"}},
		{"one secret under two names", "zjw same\ntjj same\n", "", []string{"tokens:2:", `also listed as "zjw"`}},
		{"env without name", "", "s-no-name,ci:ok", []string{"GM_TOKENS: entry 1 has no name", "name:token"}},
		{"env reserved", "", "demo:s9", []string{"GM_TOKENS: entry 1", "reserved"}},
		{"env without secret", "", "ci:", []string{"GM_TOKENS: entry 1 (ci) has no token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := ""
			if tc.file != "" {
				file = filepath.Join(dir, "tokens")
				if err := os.WriteFile(file, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := httpapi.LoadTokens(file, "GM_TOKENS", func(string) string { return tc.env })
			if err == nil {
				t.Fatal("LoadTokens = nil error")
			}
			msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, secret := range []string{"unnamed-secret", "good-one", "same", "s-no-name", "s9", "s1", "s2"} {
				if strings.Contains(msg, " "+secret) || strings.Contains(msg, `"`+secret+`"`) {
					t.Errorf("error %q repeats the secret %q", msg, secret)
				}
			}
		})
	}
	if _, err := httpapi.LoadTokens(filepath.Join(t.TempDir(), "missing"), "", nil); err == nil {
		t.Error("LoadTokens(missing file) = nil error")
	}
}

// FuzzLoadTokens: no tokens file makes the loader panic, and every token
// it accepts has a valid name that is not reserved.
func FuzzLoadTokens(f *testing.F) {
	f.Add("zjw a\n# c\n\ntjj b\n", "ci:x")
	f.Add("unnamed\n", "")
	f.Add("derived s\n", "a:b,c")
	f.Add("a b c\n", ":x,y:")
	f.Fuzz(func(t *testing.T, file, env string) {
		path := filepath.Join(t.TempDir(), "tokens")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		tokens, err := httpapi.LoadTokens(path, "E", func(string) string { return env })
		if err != nil {
			return
		}
		for _, n := range tokens.Names() {
			if err := httpapi.CheckTokenName(n); err != nil {
				t.Errorf("accepted token name %q: %v", n, err)
			}
		}
	})
}
