package faulttest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/store"
)

// repoRoot is the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/greenmetrics once per test binary.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "greenmetrics-faulttest-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "greenmetrics")
		args := []string{"build", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./cmd/greenmetrics")...)
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// influxd is an InfluxDB of the test's own, started and stopped with
// scripts/influxd.sh on a port of its own.
type influxd struct {
	script, dir string
	port        int
}

func newInfluxd(t *testing.T) *influxd {
	t.Helper()
	i := &influxd{script: filepath.Join(repoRoot(t), "scripts", "influxd.sh"), dir: filepath.Join(t.TempDir(), "influxdb"), port: influxtest.FreePort(t)}
	i.start(t)
	t.Cleanup(func() { i.stop(t) })
	return i
}

func (i *influxd) url() string { return fmt.Sprintf("http://127.0.0.1:%d", i.port) }

func (i *influxd) start(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("bash", i.script, "start", i.dir, strconv.Itoa(i.port)).CombinedOutput(); err != nil {
		t.Fatalf("starting influxd: %v\n%s", err, out)
	}
}

func (i *influxd) stop(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("bash", i.script, "stop", i.dir).CombinedOutput(); err != nil {
		t.Fatalf("stopping influxd: %v\n%s", err, out)
	}
}

// daemon is one `greenmetrics serve` process.
type daemon struct {
	bin, config, addr, log string
	cmd                    *exec.Cmd
	done                   chan error
}

// daemonConfig is what differs between the daemons of a test.
type daemonConfig struct {
	influxURL, database string
	spoolMaxBytes       int64
}

func newDaemon(t *testing.T, c daemonConfig) *daemon {
	t.Helper()
	dir := t.TempDir()
	d := &daemon{
		bin:    binary(t),
		config: filepath.Join(dir, "greenmetrics.yaml"),
		addr:   fmt.Sprintf("127.0.0.1:%d", influxtest.FreePort(t)),
		log:    filepath.Join(dir, "daemon.log"),
	}
	if c.spoolMaxBytes == 0 {
		c.spoolMaxBytes = 1 << 30
	}
	yaml := fmt.Sprintf(`listen: %s
data_dir: %s
log_level: info
influx:
  url: %s
  bucket: %s/autogen
  timeout: 5s
ingest:
  spool_max_bytes: %d
  retry_min: 50ms
  retry_max: 1s
  shutdown_grace: 20s
`, d.addr, filepath.Join(dir, "data"), c.influxURL, c.database, c.spoolMaxBytes)
	if err := os.WriteFile(d.config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd != nil && d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		if t.Failed() {
			t.Logf("daemon log %s (tail):\n%s", d.log, tail(d.log, 40))
		}
	})
	return d
}

func (d *daemon) url() string { return "http://" + d.addr }

// start runs the daemon and waits until /healthz answers.
func (d *daemon) start(t *testing.T, args ...string) {
	t.Helper()
	logf, err := os.OpenFile(d.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(d.bin, append([]string{"serve", "--config", d.config}, args...)...)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.done = make(chan error, 1)
	go func() { d.done <- d.cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-d.done:
			t.Fatalf("daemon exited at start: %v\n%s", err, tail(d.log, 20))
		default:
		}
		if resp, err := http.Get(d.url() + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("daemon did not answer /healthz within a minute\n%s", tail(d.log, 20))
}

// kill ends the daemon with SIGKILL: no shutdown, no flush.
func (d *daemon) kill(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-d.done
}

// terminate ends the daemon with SIGTERM and checks that it exits 0.
func (d *daemon) terminate(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-d.done; err != nil {
		t.Errorf("daemon after SIGTERM: %v, want exit 0\n%s", err, tail(d.log, 20))
	}
}

// metric reads one unlabelled sample from the daemon's /metrics.
func (d *daemon) metric(name string) (float64, error) {
	resp, err := http.Get(d.url() + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("%s not in /metrics", name)
}

// waitDelivered waits until the daemon's spool is empty.
func (d *daemon) waitDelivered(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if v, err := d.metric("greenmetrics_spool_pending_points"); err == nil && v == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("spool of %s not delivered within 3 minutes", d.addr)
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Test data: row k is pm25 at entity ft-(k mod 50), hour k/50 after base,
// with the integer value k mod 1997 (integers keep the sum exact).
var base = time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

const entities = 50

func rowValue(k int) int { return k % 1997 }

// csvBatch is rows from … from+n-1 as canonical long CSV.
func csvBatch(from, n int) []byte {
	var b bytes.Buffer
	b.WriteString("time,indicator,entity,value,unit\n")
	for k := from; k < from+n; k++ {
		ts := base.Add(time.Duration(k/entities) * time.Hour).Format(time.RFC3339)
		fmt.Fprintf(&b, "%s,pm25,ft-%02d,%d,ug/m3\n", ts, k%entities, rowValue(k))
	}
	return b.Bytes()
}

// pushStats counts what clients went through.
type pushStats struct {
	mu         sync.Mutex
	connErrors int
	status503  int
	otherRetry int
}

// push posts body until the daemon answers 200, retrying connection
// errors, 503 (honouring Retry-After up to 2 s) and other 5xx. Any other
// answer, or rows it rejects, fail the test.
func push(ctx context.Context, t *testing.T, client *http.Client, url string, body []byte, rows int, st *pushStats) {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/v1/observations", bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		req.Header.Set("Content-Type", "text/csv")
		resp, err := client.Do(req)
		wait := 20*time.Millisecond + rand.N(80*time.Millisecond)
		switch {
		case ctx.Err() != nil:
			t.Error(ctx.Err())
			return
		case err != nil:
			st.mu.Lock()
			st.connErrors++
			st.mu.Unlock()
		default:
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK:
				if !bytes.Contains(msg, fmt.Appendf(nil, `"accepted":%d,"rejected":0`, rows)) {
					t.Errorf("push answered %s, want all %d rows accepted", msg, rows)
				}
				return
			case resp.StatusCode == http.StatusServiceUnavailable:
				st.mu.Lock()
				st.status503++
				st.mu.Unlock()
				if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
					wait = min(time.Duration(s)*time.Second, 2*time.Second)
				}
			case resp.StatusCode >= 500:
				st.mu.Lock()
				st.otherRetry++
				st.mu.Unlock()
			default:
				t.Errorf("push answered %d %s", resp.StatusCode, msg)
				return
			}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
}

// influxCountSum reads the number and sum of the figure points of a
// database.
func influxCountSum(t *testing.T, url, db string) (int64, int64) {
	t.Helper()
	st := openStore(t, url, db)
	series, err := st.Query(context.Background(), `SELECT count("value"), sum("value") FROM "figure"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) == 0 || len(series[0].Values) == 0 {
		return 0, 0
	}
	n, _ := store.Float(series[0].Values[0][1])
	sum, _ := store.Float(series[0].Values[0][2])
	return int64(n), int64(sum)
}

func openStore(t *testing.T, url, db string) *store.Store {
	t.Helper()
	st, err := store.New(store.Config{URL: url, Bucket: db + "/autogen", Org: "greenmetrics", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// waitUntil polls cond until it holds, failing the test after limit.
func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
