package httpapi_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
)

// csvBomb is a gzip CSV whose header is followed by n newlines: a body a
// thousand times smaller than what it unpacks to.
func csvBomb(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write([]byte(goodCSV))
	chunk := bytes.Repeat([]byte("\n"), 64<<10)
	for left := n; left > 0; left -= len(chunk) {
		_, _ = zw.Write(chunk[:min(left, len(chunk))])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGzipBodyLimitWithAndWithoutEncoding: a gzip body is bounded after
// unpacking whether or not the client said Content-Encoding: the rows
// before the limit are stored, the answer is 413 naming the limit.
func TestGzipBodyLimitWithAndWithoutEncoding(t *testing.T) {
	const limit = 64 << 10
	bomb := csvBomb(t, 16*limit)
	if len(bomb) >= limit {
		t.Fatalf("the bomb is %d bytes packed, not under the %d limit", len(bomb), limit)
	}
	for _, tc := range []struct{ name, encoding, contentType string }{
		{"Content-Encoding gzip", "gzip", "text/csv"},
		{"gzip sniffed, no Content-Encoding", "", "text/csv"},
		{"gzip sniffed, no content type", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0, httpapi.Options{MaxBodyBytes: limit})
			resp, body := f.do(t, request{contentType: tc.contentType, encoding: tc.encoding, body: bomb})
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body.Error, "max_body_bytes") {
				t.Fatalf("POST = %d %q, want 413 naming max_body_bytes", resp.StatusCode, body.Error)
			}
			if body.Accepted != 3 || f.sp.Stats().PendingPoints != 3 {
				t.Errorf("accepted %d, spooled %d; want the 3 rows before the limit", body.Accepted, f.sp.Stats().PendingPoints)
			}
		})
	}
}

func TestContentTypes(t *testing.T) {
	tests := []struct {
		contentType string
		wantStatus  int
	}{
		{"text/csv", http.StatusOK},
		{"text/csv; charset=utf-8", http.StatusOK},
		{"TEXT/CSV; Charset=UTF-8", http.StatusOK},
		{"", http.StatusOK}, // sniffed, as curl --data-binary sends it
		{"application/octet-stream", http.StatusOK},
		{";;;=", http.StatusUnsupportedMediaType},
		{"text/csv; charset", http.StatusUnsupportedMediaType},
		{"text/csv; =utf-8", http.StatusUnsupportedMediaType},
		{"text/", http.StatusUnsupportedMediaType},
		{"image/png", http.StatusUnsupportedMediaType},
	}
	for _, tc := range tests {
		t.Run(tc.contentType, func(t *testing.T) {
			f := newFixture(t, 0, httpapi.Options{})
			req := request{body: []byte(goodCSV), header: map[string]string{"Content-Type": tc.contentType}}
			resp, body := f.do(t, req)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("POST = %d %+v, want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK && (body.Error == "" || body.Accepted != 0) {
				t.Errorf("refusal %+v: want an error message and nothing accepted", body)
			}
		})
	}
}

// TestSlowBodyIsCutOff: a client that sends its headers and then trickles
// the body is answered 408 at the body deadline.
func TestSlowBodyIsCutOff(t *testing.T) {
	f := newFixture(t, 0, httpapi.Options{BodyReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/observations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\n")
	fmt.Fprint(conn, goodCSV)
	// Trickle a byte at a time until the server answers or hangs up.
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- nil
			return
		}
		answered <- resp
	}()
	var resp *http.Response
trickle:
	for i := 0; ; i++ {
		select {
		case resp = <-answered:
			break trickle
		case <-time.After(50 * time.Millisecond):
			if i > 2000 {
				t.Fatal("the server still reads the trickled body after 100 s")
			}
			_, _ = conn.Write([]byte("x"))
		}
	}
	if resp == nil || resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("answer %v, want 408", resp)
	}
	var body httpapi.Response
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error == "" {
		t.Fatalf("408 body: %+v, %v; want an error message", body, err)
	}
	// The request's context ends with its connection, so what was read
	// may not reach the spool; the answer counts exactly what did.
	if got := f.sp.Stats().PendingPoints; got != int64(body.Accepted) {
		t.Errorf("spooled %d, the answer says %d accepted", got, body.Accepted)
	}
}

// blockingProcessor holds every input until released.
type blockingProcessor struct {
	entered chan struct{}
	release chan struct{}
}

func (b blockingProcessor) Process(ctx context.Context, in ingest.Input) (ingest.Result, error) {
	b.entered <- struct{}{}
	<-b.release
	return ingest.Result{}, nil
}

// TestConcurrentPushesAreBounded: with MaxConcurrent pushes in progress,
// one more is answered 503 with Retry-After at once, and once a slot is
// free pushes are taken again.
func TestConcurrentPushesAreBounded(t *testing.T) {
	const slots = 3
	bp := blockingProcessor{entered: make(chan struct{}, slots), release: make(chan struct{})}
	f := newFixtureWith(t, 0, httpapi.Options{MaxConcurrent: slots}, func(*ingest.Pipeline) httpapi.Processor { return bp })
	var wg sync.WaitGroup
	for range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(f.srv.URL+"/api/v1/observations", "text/csv", strings.NewReader(goodCSV))
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	for range slots {
		<-bp.entered
	}
	resp, body := f.do(t, request{contentType: "text/csv", body: []byte(goodCSV)})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || body.Error == "" {
		t.Fatalf("push beyond the bound = %d %+v, want 503 with Retry-After", resp.StatusCode, body)
	}
	close(bp.release)
	wg.Wait()
	resp, body = f.do(t, request{contentType: "text/csv", body: []byte(goodCSV)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push after the others finished = %d %+v, want 200", resp.StatusCode, body)
	}
}
