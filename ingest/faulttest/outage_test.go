package faulttest

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// pushOnce posts rows from … from+n-1 once and returns the status, the
// Retry-After header and the body.
func pushOnce(t *testing.T, d *daemon, from, n int) (int, string, string) {
	t.Helper()
	resp, err := http.Post(d.url()+"/api/v1/observations", "text/csv", bytes.NewReader(csvBatch(from, n)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
}

// readyz returns the status and body of the daemon's /readyz.
func readyz(t *testing.T, d *daemon) (int, string) {
	t.Helper()
	resp, err := http.Get(d.url() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func sumOf(from, n int) int64 {
	var sum int64
	for k := from; k < from+n; k++ {
		sum += int64(rowValue(k))
	}
	return sum
}

// segmentBytes is the size of the spool's segment files.
func segmentBytes(t *testing.T, spoolDir string) int64 {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(spoolDir, "segments", "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, p := range m {
		if info, err := os.Stat(p); err == nil {
			n += info.Size()
		}
	}
	return n
}

// TestFullSpoolDiskRecoversWithoutRestart fills the spool's disk while
// InfluxDB is down — a 1 MiB tmpfs when the test runs as root, else
// spool_max_bytes of 1 MiB on the ordinary disk — and shows, on the real
// daemon process and the real InfluxDB: pushes get 503 with Retry-After
// while full, /readyz answers not ready with the reason; once InfluxDB is
// back everything acknowledged is stored, the delivered segment is deleted
// (tmpfs case: the disk is empty again), and pushes are accepted again
// without a restart.
func TestFullSpoolDiskRecoversWithoutRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
	influx := newInfluxd(t)
	const db = "diskfull"
	if err := influxtest.CreateDatabase(influx.url(), db); err != nil {
		t.Fatal(err)
	}
	onTmpfs := os.Geteuid() == 0
	c := daemonConfig{influxURL: influx.url(), database: db}
	if !onTmpfs {
		c.spoolMaxBytes = 1 << 20
	}
	d := newDaemon(t, c)
	spoolDir := filepath.Join(filepath.Dir(d.config), "data", "spool")
	wantReason := "spool full"
	if onTmpfs {
		wantReason = "no space left on device"
		if err := os.MkdirAll(spoolDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", spoolDir).CombinedOutput(); err != nil {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		// Cleanups run last registered first: this one runs before
		// newDaemon's, so it stops the daemon before unmounting its spool.
		t.Cleanup(func() {
			if d.cmd != nil && d.cmd.ProcessState == nil {
				_ = d.cmd.Process.Kill()
				<-d.done
			}
			if out, err := exec.Command("umount", spoolDir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", spoolDir, err, out)
			}
		})
	}
	d.start(t)
	influx.stop(t)

	const batch = 500
	accepted := 0
	for {
		code, retry, body := pushOnce(t, d, accepted, batch)
		if code == http.StatusOK {
			accepted += batch
			continue
		}
		if code != http.StatusServiceUnavailable || retry == "" {
			t.Fatalf("push into the full spool answered %d (Retry-After %q) %s, want 503 with Retry-After", code, retry, body)
		}
		break
	}
	if accepted == 0 {
		t.Fatal("the first push already found the spool full")
	}
	code, body := readyz(t, d)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, wantReason) {
		t.Errorf("/readyz with a full spool = %d %s, want 503 naming %q", code, body, wantReason)
	}

	influx.start(t)
	d.waitDelivered(t)
	waitUntil(t, "every acknowledged point in InfluxDB", time.Minute, func() bool {
		n, _ := influxCountSum(t, influx.url(), db)
		return n == int64(accepted)
	})
	if n, sum := influxCountSum(t, influx.url(), db); n != int64(accepted) || sum != sumOf(0, accepted) {
		t.Errorf("InfluxDB holds %d points summing to %d, want the %d acknowledged summing to %d", n, sum, accepted, sumOf(0, accepted))
	}
	if onTmpfs {
		if n := segmentBytes(t, spoolDir); n != 0 {
			t.Errorf("%d bytes of delivered segments left on the full disk, want 0", n)
		}
	}
	waitUntil(t, "/readyz ready again", time.Minute, func() bool {
		code, _ := readyz(t, d)
		return code == http.StatusOK
	})
	if code, _, body := pushOnce(t, d, accepted, batch); code != http.StatusOK {
		t.Errorf("push after recovery answered %d %s, want 200 without a restart", code, body)
	}
	d.terminate(t)
	t.Logf("%d points acknowledged before the spool was full; all stored", accepted)
}

// TestServeStartsDuringOutage: `serve --create-db` with nothing listening
// at the InfluxDB address starts, accepts pushes into the spool, and once
// an InfluxDB starts there creates the database and delivers every row.
func TestServeStartsDuringOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
	influx := &influxd{script: filepath.Join(repoRoot(t), "scripts", "influxd.sh"), dir: filepath.Join(t.TempDir(), "influxdb"), port: influxtest.FreePort(t)}
	const db = "outage"
	d := newDaemon(t, daemonConfig{influxURL: influx.url(), database: db})
	d.start(t, "--create-db")

	const rows = 2000
	if code, _, body := pushOnce(t, d, 0, rows); code != http.StatusOK || !strings.Contains(body, `"accepted":2000,"rejected":0`) {
		t.Fatalf("push while InfluxDB is down answered %d %s, want 200 with every row accepted (spooled)", code, body)
	}

	influx.start(t)
	t.Cleanup(func() { influx.stop(t) })
	d.waitDelivered(t)
	if n, sum := influxCountSum(t, influx.url(), db); n != rows || sum != sumOf(0, rows) {
		t.Errorf("InfluxDB holds %d points summing to %d, want %d summing to %d", n, sum, rows, sumOf(0, rows))
	}
	d.terminate(t)
	log, err := os.ReadFile(d.log)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cannot create the database yet", "database ready"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("daemon log lacks %q:\n%s", want, tail(d.log, 30))
		}
	}
}
