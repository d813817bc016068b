// Package scripts holds the tests of the shell scripts that start the
// project's servers (influxd.sh, prometheus.sh): they must never call a
// foreign server on their port "ready".
package scripts

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeServer answers 200 to every request on a loopback port, as another
// InfluxDB or Prometheus already running there would.
func fakeServer(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Influxdb-Version", "1.8.10")
		w.WriteHeader(http.StatusNoContent)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestStartScriptsRefuseAPortInUse(t *testing.T) {
	for _, tc := range []struct {
		script string
		args   []string
	}{
		{"influxd.sh", nil},
		{"prometheus.sh", []string{"127.0.0.1:9"}},
	} {
		t.Run(tc.script, func(t *testing.T) {
			port := fakeServer(t)
			dir := t.TempDir()
			args := append([]string{tc.script, "start", filepath.Join(dir, "data"), strconv.Itoa(port)}, tc.args...)
			out, err := run(t, args...)
			if err == nil {
				t.Fatalf("%s started on a port a fake server holds; output:\n%s", tc.script, out)
			}
			if strings.Contains(out, "ready on") {
				t.Errorf("%s called the fake server ready:\n%s", tc.script, out)
			}
			if !strings.Contains(out, "already in use") {
				t.Errorf("%s: the refusal does not say the port is in use:\n%s", tc.script, out)
			}
		})
	}
}

func TestFreePortIsFree(t *testing.T) {
	out, err := run(t, "influxd.sh", "free-port")
	if err != nil {
		t.Fatalf("free-port: %v\n%s", err, out)
	}
	port, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("free-port printed %q", out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d from free-port cannot be bound: %v", port, err)
	}
	ln.Close()
}
