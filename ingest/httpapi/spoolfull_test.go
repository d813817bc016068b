package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
)

// TestFullSpoolAnswers503ButTooLargeAnswers413: a push that would fit an
// empty spool but finds it full gets 503 with Retry-After (waiting helps);
// one larger than the whole spool gets 413 (waiting never helps).
func TestFullSpoolAnswers503ButTooLargeAnswers413(t *testing.T) {
	f := newFixture(t, 500, httpapi.Options{}) // one goodCSV push (3 points) fits, two do not
	if resp, body := f.do(t, request{contentType: "text/csv", body: []byte(goodCSV)}); resp.StatusCode != http.StatusOK {
		t.Fatalf("first push = %d %+v, want 200", resp.StatusCode, body)
	}
	resp, body := f.do(t, request{contentType: "text/csv", body: []byte(goodCSV)})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("push into the full spool = %d (Retry-After %q) %+v, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	small := newFixture(t, 100, httpapi.Options{})
	resp, body = small.do(t, request{contentType: "text/csv", body: []byte(goodCSV)})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("Retry-After") != "" {
		t.Errorf("push larger than the whole spool = %d (Retry-After %q) %+v, want 413 without Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
