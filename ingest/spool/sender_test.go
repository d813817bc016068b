package spool_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/store"
)

// fakeInflux answers /api/v2/write the way InfluxDB 1.8 does, with faults
// chosen per request by fault; it keeps the lines of accepted writes (and
// the good lines of a partial write, as 1.8 does).
type fakeInflux struct {
	fault func(n int, lines []string, w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	requests int
	stored   map[string]bool
}

func (f *fakeInflux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ping" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var lines []string
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	f.mu.Lock()
	f.requests++
	n := f.requests
	f.mu.Unlock()
	if f.fault != nil && f.fault(n, lines, w, r) {
		return
	}
	f.store(lines)
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeInflux) store(lines []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stored == nil {
		f.stored = map[string]bool{}
	}
	for _, l := range lines {
		f.stored[l] = true
	}
}

func (f *fakeInflux) storedLines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for l := range f.stored {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// partialWrite answers like InfluxDB 1.8 when some lines of a batch are
// bad: the good ones are stored, the answer is 400 "partial write".
func partialWrite(f *fakeInflux, bad func(string) bool) func(int, []string, http.ResponseWriter, *http.Request) bool {
	return func(_ int, lines []string, w http.ResponseWriter, _ *http.Request) bool {
		var good []string
		dropped := 0
		for _, l := range lines {
			if bad(l) {
				dropped++
			} else {
				good = append(good, l)
			}
		}
		if dropped == 0 {
			return false
		}
		f.store(good)
		msg := fmt.Sprintf(`partial write: field type conflict: input field "value" on measurement "figure" is type string, already exists as type float dropped=%d`, dropped)
		influxError(w, http.StatusBadRequest, msg)
		return true
	}
}

func failFirst(k, status int, header map[string]string) func(int, []string, http.ResponseWriter, *http.Request) bool {
	return func(n int, _ []string, w http.ResponseWriter, _ *http.Request) bool {
		if n > k {
			return false
		}
		for h, v := range header {
			w.Header().Set(h, v)
		}
		influxError(w, status, fmt.Sprintf("fault %d", status))
		return true
	}
}

// influxError answers as InfluxDB 1.8 does: the message in the
// X-Influxdb-Error header and in a JSON body.
func influxError(w http.ResponseWriter, status int, msg string) {
	js, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("X-Influxdb-Error", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(js)
}

func newStoreFor(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.New(store.Config{URL: url, Bucket: "greenmetrics/autogen", Org: "greenmetrics", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

var fastRetry = spool.SenderOptions{RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond, BatchSize: 64}

func TestSenderFaults(t *testing.T) {
	isBad := func(l string) bool { return strings.Contains(l, "entity=bad") }
	tests := []struct {
		name       string
		fault      func(f *fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool
		timeout    time.Duration
		bad        int // observations with entity "bad"
		wantErrors map[string]int64
	}{
		{name: "429 with Retry-After", fault: func(*fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return failFirst(2, http.StatusTooManyRequests, map[string]string{"Retry-After": "1"})
		}, wantErrors: map[string]int64{spool.KindThrottled: 2}},
		{name: "500 then recovery", fault: func(*fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return failFirst(3, http.StatusInternalServerError, nil)
		}, wantErrors: map[string]int64{spool.KindServer: 3}},
		{name: "503", fault: func(*fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return failFirst(1, http.StatusServiceUnavailable, nil)
		}, wantErrors: map[string]int64{spool.KindServer: 1}},
		{name: "404 database missing is retried, not dead-lettered", fault: func(*fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return failFirst(2, http.StatusNotFound, nil)
		}, wantErrors: map[string]int64{spool.KindNotFound: 2}},
		{name: "401 is retried, not dead-lettered", fault: func(*fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return failFirst(1, http.StatusUnauthorized, nil)
		}, wantErrors: map[string]int64{spool.KindAuth: 1}},
		{name: "hung request is abandoned and retried", timeout: 50 * time.Millisecond, fault: func(*fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return func(n int, _ []string, _ http.ResponseWriter, r *http.Request) bool {
				if n > 1 {
					return false
				}
				<-r.Context().Done()
				return true
			}
		}, wantErrors: map[string]int64{spool.KindUnreachable: 1}},
		{name: "partial write bisects to the bad lines", bad: 3, fault: func(f *fakeInflux) func(int, []string, http.ResponseWriter, *http.Request) bool {
			return partialWrite(f, isBad)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeInflux{}
			fake.fault = tc.fault(fake)
			srv := httptest.NewServer(fake)
			defer srv.Close()
			sp := open(t, t.TempDir(), spool.Options{})
			obs := observations(0, 300)
			for i := range tc.bad {
				obs[50+i*97].Entity = "bad"
			}
			mustAppend(t, sp, obs)
			opts := fastRetry
			opts.WriteTimeout = tc.timeout
			snd := spool.NewSender(sp, newStoreFor(t, srv.URL), opts)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := snd.Drain(ctx); err != nil {
				t.Fatalf("Drain = %v", err)
			}

			var good, bad []string
			for _, l := range linesOf(obs) {
				if isBad(l) {
					bad = append(bad, l)
				} else {
					good = append(good, l)
				}
			}
			sort.Strings(good)
			equalLines(t, fake.storedLines(), good)
			st := snd.Stats()
			if st.DeliveredPoints != int64(len(good)) || st.DeadLetteredPoints != int64(len(bad)) || st.PendingPoints != 0 {
				t.Errorf("Stats = delivered %d, dead %d, pending %d; want %d, %d, 0",
					st.DeliveredPoints, st.DeadLetteredPoints, st.PendingPoints, len(good), len(bad))
			}
			for kind, want := range tc.wantErrors {
				if got := st.WriteErrors[kind]; got != want {
					t.Errorf("WriteErrors[%s] = %d, want %d (all: %v)", kind, got, want, st.WriteErrors)
				}
			}
			if !st.InfluxUp || st.LastSuccess.IsZero() {
				t.Errorf("InfluxUp = %v, LastSuccess = %v after delivery", st.InfluxUp, st.LastSuccess)
			}
			checkDeadLetters(t, sp.DeadLetterDir(), bad)
		})
	}
}

// checkDeadLetters checks that the dead-letter directory holds exactly
// want, each file with a .reason naming status 400 and its count.
func checkDeadLetters(t *testing.T, dir string, want []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.lp"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		got = append(got, lines...)
		raw, err := os.ReadFile(strings.TrimSuffix(f, ".lp") + ".reason")
		if err != nil {
			t.Fatalf("dead letter %s has no .reason: %v", f, err)
		}
		var reason struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
			Count   int    `json:"count"`
		}
		if err := json.Unmarshal(raw, &reason); err != nil {
			t.Fatalf("%s.reason: %v", f, err)
		}
		if reason.Status != http.StatusBadRequest || reason.Count != len(lines) || !strings.Contains(reason.Message, "partial write") {
			t.Errorf("reason = %+v, want status 400, count %d, the server's message", reason, len(lines))
		}
	}
	sort.Strings(got)
	want = append([]string(nil), want...)
	sort.Strings(want)
	equalLines(t, got, want)
}

func TestSenderRunDeliversAsDataArrivesAndStopsOnCancel(t *testing.T) {
	fake := &fakeInflux{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	sp := open(t, t.TempDir(), spool.Options{})
	snd := spool.NewSender(sp, newStoreFor(t, srv.URL), fastRetry)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- snd.Run(ctx) }()

	obs := observations(0, 500)
	for i := 0; i < 500; i += 100 {
		mustAppend(t, sp, obs[i:i+100])
	}
	// Drain waits for Run's current batch, then finds nothing or the rest.
	dctx, dcancel := context.WithTimeout(context.Background(), time.Minute)
	defer dcancel()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	if err := snd.Drain(dctx); err != nil {
		t.Fatalf("Drain = %v", err)
	}
	want := linesOf(obs)
	sort.Strings(want)
	equalLines(t, fake.storedLines(), want)
}

// A request InfluxDB is already answering when serve shuts down must not
// be cut: cutting it leaves a batch InfluxDB stored unacknowledged, and
// the shutdown's Drain sends it a second time.
func TestRunLetsTheRequestInFlightFinishOnCancel(t *testing.T) {
	inFlight := make(chan struct{})
	release := make(chan struct{})
	fake := &fakeInflux{}
	var sent atomic.Int64 // lines received, over all requests
	fake.fault = func(n int, lines []string, _ http.ResponseWriter, _ *http.Request) bool {
		sent.Add(int64(len(lines)))
		if n == 1 {
			close(inFlight)
			<-release
		}
		return false
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	sp := open(t, t.TempDir(), spool.Options{})
	snd := spool.NewSender(sp, newStoreFor(t, srv.URL), fastRetry)
	obs := observations(0, 50)
	mustAppend(t, sp, obs)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- snd.Run(ctx) }()
	<-inFlight
	cancel()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	if st := snd.Stats(); st.DeliveredPoints != 50 || st.PendingPoints != 0 {
		t.Errorf("after Run: delivered %d, pending %d; want 50 and 0", st.DeliveredPoints, st.PendingPoints)
	}
	if err := snd.Drain(context.Background()); err != nil {
		t.Fatalf("Drain = %v", err)
	}
	// The batch went out in one request per writer (its series split among
	// them), each line once.
	if got := sent.Load(); got != int64(len(obs)) {
		t.Errorf("InfluxDB received %d lines, want %d (the batch was sent again)", got, len(obs))
	}
	want := linesOf(obs)
	sort.Strings(want)
	equalLines(t, fake.storedLines(), want)
}

func TestDrainGivesUpWhenContextEndsAndKeepsTheRest(t *testing.T) {
	fake := &fakeInflux{fault: func(int, []string, http.ResponseWriter, *http.Request) bool { return false }}
	fake.fault = failFirst(1<<30, http.StatusServiceUnavailable, nil)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	sp, err := spool.Open(dir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, sp, observations(0, 10))
	snd := spool.NewSender(sp, newStoreFor(t, srv.URL), fastRetry)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the sender has failed a few times (or, should it never
		// fail, after pollPatience, so that the test fails instead of hanging).
		defer cancel()
		deadline := time.Now().Add(pollPatience)
		for snd.Stats().WriteErrors[spool.KindServer] < 3 {
			if time.Now().After(deadline) {
				t.Errorf("waited %v for three failed writes in vain: %d", pollPatience, snd.Stats().WriteErrors[spool.KindServer])
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	if err := snd.Drain(ctx); err == nil {
		t.Fatal("Drain against a failing InfluxDB = nil, want the context's error")
	}
	if st := snd.Stats(); st.InfluxUp || st.PendingPoints != 10 {
		t.Errorf("Stats = up %v, pending %d; want down, 10 pending", st.InfluxUp, st.PendingPoints)
	}
	sp.Close()
	sp = open(t, dir, spool.Options{})
	if got := sp.Stats().PendingPoints; got != 10 {
		t.Errorf("pending after reopen = %d, want 10", got)
	}
}

func TestSenderPingsWhileIdle(t *testing.T) {
	var pinged atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ping" {
			pinged.Store(true)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	sp := open(t, t.TempDir(), spool.Options{})
	opts := fastRetry
	opts.PingInterval = time.Millisecond
	snd := spool.NewSender(sp, newStoreFor(t, srv.URL), opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- snd.Run(ctx) }()
	waitUntil(t, "the first ping while idle", func() bool { return pinged.Load() })
	waitUntil(t, "the sender to see InfluxDB up", func() bool { return snd.Stats().InfluxUp })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if snd.Stats().LastSuccess.IsZero() {
		t.Error("LastSuccess is zero after a successful ping")
	}
}

// pollPatience bounds every poll of these tests: far above what a healthy
// run needs, so that a failure fails the test with its reason instead of
// hanging until go test's own timeout.
const pollPatience = 30 * time.Second

// waitUntil polls cond until it holds, failing the test after pollPatience.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(pollPatience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s in vain", pollPatience, what)
		}
		time.Sleep(time.Millisecond)
	}
}
