package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
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
	"github.com/greenmetrics/greenmetrics/store"
)

// fixture is an API over the real pipeline and a real spool.
type fixture struct {
	srv *httptest.Server
	sp  *spool.Spool
}

func newFixture(t *testing.T, spoolMax int64, opts httpapi.Options) fixture {
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
	pipe, err := ingest.NewPipeline(cat, nil, httpapi.LimitedSink{Sink: sp}, ingest.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	httpapi.New(pipe, opts).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return fixture{srv: srv, sp: sp}
}

type request struct {
	path, contentType, encoding, auth string
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

func lpLines(obs ...models.Observation) []byte {
	var b []byte
	for _, o := range obs {
		b = append(store.AppendObservation(b, o), '\n')
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
		models.Observation{Time: june, Indicator: "pm25", Entity: "永乐店", Value: 35, Provider: "lp"},
		models.Observation{Time: june, Indicator: "so2", Entity: "永乐店", Value: 4, Provider: "lp"},
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
	tokens := httpapi.NewTokens("old-token", "new-token")
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
		{"bad source", httpapi.Options{}, 0, request{path: "/api/v1/observations?source=a%20b", contentType: "text/csv", body: []byte(goodCSV)}, http.StatusBadRequest, "", true},
		{"spool full", httpapi.Options{}, 100, request{contentType: "text/csv", body: []byte(goodCSV)}, http.StatusServiceUnavailable, "Retry-After", true},
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

func TestTokenRotation(t *testing.T) {
	f := newFixture(t, 0, httpapi.Options{Tokens: httpapi.NewTokens("old-token", "new-token")})
	for _, tok := range []string{"old-token", "new-token"} {
		resp, body := f.do(t, request{contentType: "text/csv", auth: "Bearer " + tok, body: []byte(goodCSV)})
		if resp.StatusCode != http.StatusOK || body.Accepted != 3 {
			t.Errorf("POST with %s = %d %+v, want 200", tok, resp.StatusCode, body)
		}
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
	if err := os.WriteFile(file, []byte("# rotated 2024-06\nfile-token\n\n  spaced-token  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GM_TOKENS": "env-a, env-b,"}
	tokens, err := httpapi.LoadTokens(file, "GM_TOKENS", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Len() != 4 {
		t.Errorf("Len = %d, want 4", tokens.Len())
	}
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"Bearer file-token", true},
		{"Bearer spaced-token", true},
		{"bearer env-b", true},
		{"Bearer env-a", true},
		{"Bearer # rotated 2024-06", false},
		{"Bearer ", false},
		{"Basic file-token", false},
		{"", false},
	} {
		if got := tokens.Allow(tc.header); got != tc.want {
			t.Errorf("Allow(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
	if _, err := httpapi.LoadTokens(filepath.Join(t.TempDir(), "missing"), "", nil); err == nil {
		t.Error("LoadTokens(missing file) = nil error")
	}
	if open := (httpapi.Tokens{}); !open.Allow("") {
		t.Error("zero Tokens refuses; want open")
	}
}

func TestLimitedSinkPassesAppendsWithoutALimit(t *testing.T) {
	sp, err := spool.Open(t.TempDir(), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	obs := []models.Observation{{Time: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Indicator: "pm25", Value: 1}}
	if err := (httpapi.LimitedSink{Sink: sp}).Append(context.Background(), obs); err != nil {
		t.Errorf("Append without a request limit = %v", err)
	}
}
