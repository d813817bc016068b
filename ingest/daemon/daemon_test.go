package daemon_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/daemon"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// fakeInflux counts the lines of successful writes; while down it
// answers 503.
// fakeInflux counts the distinct points written to it: a batch whose
// delivery was cut by the shutdown is sent again by the shutdown's drain,
// and a point written twice is one point in InfluxDB.
type fakeInflux struct {
	down   atomic.Bool
	mu     sync.Mutex
	points map[string]bool
}

func (f *fakeInflux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if f.down.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path != "/ping" {
		f.mu.Lock()
		if f.points == nil {
			f.points = map[string]bool{}
		}
		for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
			f.points[line] = true
		}
		f.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeInflux) stored() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.points)
}

type parts struct {
	sp     *spool.Spool
	snd    *spool.Sender
	influx *fakeInflux
	dir    string
}

func newParts(t *testing.T) parts {
	t.Helper()
	influx := &fakeInflux{}
	srv := httptest.NewServer(influx)
	t.Cleanup(srv.Close)
	st, err := store.New(store.Config{URL: srv.URL, Bucket: "db/autogen", Org: "o", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	dir := t.TempDir()
	sp, err := spool.Open(dir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snd := spool.NewSender(sp, st, spool.SenderOptions{RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
	return parts{sp: sp, snd: snd, influx: influx, dir: dir}
}

func observations(n int) []models.Observation {
	t0 := time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	obs := make([]models.Observation, n)
	for i := range obs {
		obs[i] = models.Observation{Time: t0.Add(time.Duration(i) * time.Hour), Indicator: "pm25", Entity: "a", Value: float64(i)}
	}
	return obs
}

// startDaemon runs the daemon in the background and returns its address
// and a channel with Run's result.
func startDaemon(t *testing.T, ctx context.Context, cfg daemon.Config) (string, <-chan error) {
	t.Helper()
	addr := make(chan net.Addr, 1)
	cfg.Listen = "127.0.0.1:0"
	cfg.Started = func(a net.Addr) { addr <- a }
	done := make(chan error, 1)
	go func() { done <- daemon.Run(ctx, cfg) }()
	select {
	case a := <-addr:
		return a.String(), done
	case err := <-done:
		t.Fatalf("Run = %v before listening", err)
	}
	return "", nil
}

func TestShutdownFinishesRequestsDeliversAndClosesTheSpool(t *testing.T) {
	p := newParts(t)
	inHandler := make(chan struct{})
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		close(inHandler)
		<-release
		// A request in flight at SIGTERM still reaches the spool.
		if err := p.sp.Append(r.Context(), observations(100)); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	var runnerStopped atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := startDaemon(t, ctx, daemon.Config{
		Handler: mux, Spool: p.sp, Sender: p.snd, ShutdownGrace: time.Minute,
		Runners: []daemon.Runner{{Name: "watcher", Run: func(ctx context.Context) error {
			<-ctx.Done()
			runnerStopped.Store(true)
			return nil
		}}},
	})
	p.influx.down.Store(true) // everything stays spooled until shutdown

	status := make(chan int, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/slow", "text/plain", nil)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	<-inHandler
	cancel() // SIGTERM
	p.influx.down.Store(false)
	close(release)
	if got := <-status; got != http.StatusOK {
		t.Errorf("request in flight at shutdown answered %d, want 200", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after a requested shutdown", err)
	}
	if !runnerStopped.Load() {
		t.Error("runner was not stopped")
	}
	if got := p.influx.stored(); got != 100 {
		t.Errorf("InfluxDB holds %d points, want the 100 spooled during shutdown", got)
	}
	if err := p.sp.Append(context.Background(), observations(1)); !errors.Is(err, spool.ErrClosed) {
		t.Errorf("Append after Run = %v, want ErrClosed", err)
	}
}

func TestShutdownKeepsWhatItCannotDeliver(t *testing.T) {
	p := newParts(t)
	p.influx.down.Store(true)
	if err := p.sp.Append(context.Background(), observations(50)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, done := startDaemon(t, ctx, daemon.Config{Handler: http.NewServeMux(), Spool: p.sp, Sender: p.snd, ShutdownGrace: 50 * time.Millisecond})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil: undelivered points are safe in the spool", err)
	}
	sp, err := spool.Open(p.dir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if got := sp.Stats().PendingPoints; got != 50 {
		t.Errorf("pending after restart = %d, want 50", got)
	}
}

func TestFailingRunnerStopsTheDaemon(t *testing.T) {
	p := newParts(t)
	boom := errors.New("drop folder vanished")
	_, done := startDaemon(t, context.Background(), daemon.Config{
		Handler: http.NewServeMux(), Spool: p.sp, Sender: p.snd,
		Runners: []daemon.Runner{{Name: "drop", Run: func(context.Context) error { return boom }}},
	})
	if err := <-done; !errors.Is(err, boom) {
		t.Errorf("Run = %v, want the runner's error", err)
	}
}

func TestListenFailureClosesTheSpool(t *testing.T) {
	p := newParts(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	err = daemon.Run(context.Background(), daemon.Config{Listen: busy.Addr().String(), Handler: http.NewServeMux(), Spool: p.sp, Sender: p.snd})
	if err == nil {
		t.Fatal("Run on a taken port = nil")
	}
	if _, err := spool.Open(p.dir, spool.Options{}); err != nil {
		t.Errorf("spool still locked after a failed start: %v", err)
	}
}

func TestReady(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	p := newParts(t)
	ready := daemon.Ready(p.sp, p.snd, 30*time.Second, func() time.Time { return now })
	if err := ready(); err == nil || !strings.Contains(err.Error(), "not answered") {
		t.Errorf("Ready before any answer = %v, want InfluxDB has not answered", err)
	}

	// Run pings InfluxDB at once.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = p.snd.Run(ctx) }()
	waitUntil(t, "the sender's first ping of InfluxDB", func() bool { return !p.snd.Stats().LastSuccess.IsZero() })
	cancel()
	wg.Wait()
	last := p.snd.Stats().LastSuccess
	tests := []struct {
		name    string
		now     time.Time
		wantErr string
	}{
		{"fresh answer", last.Add(10 * time.Second), ""},
		{"stale answer", last.Add(time.Minute), "last answered"},
	}
	for _, tc := range tests {
		err := daemon.Ready(p.sp, p.snd, 30*time.Second, func() time.Time { return tc.now })()
		if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: Ready = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	p.sp.Close()
	if err := daemon.Ready(p.sp, p.snd, time.Hour, func() time.Time { return last })(); err == nil || !strings.Contains(err.Error(), "spool") {
		t.Errorf("Ready with a closed spool = %v, want a spool error", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "greenmetrics test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServesHTTPSWhenGivenACertificate(t *testing.T) {
	p := newParts(t)
	certFile, keyFile, pool := selfSigned(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	ctx, cancel := context.WithCancel(context.Background())
	addr, done := startDaemon(t, ctx, daemon.Config{Handler: mux, Spool: p.sp, Sender: p.snd, TLSCert: certFile, TLSKey: keyFile})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("GET over TLS = %d (TLS %v), want 200 over TLS", resp.StatusCode, resp.TLS != nil)
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the TLS listener")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
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
