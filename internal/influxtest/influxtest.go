// Package influxtest gives integration tests a real InfluxDB: the server
// `make test` started (GREENMETRICS_TEST_INFLUX_URL), or, when a test is run
// on its own with `go test`, a throwaway influxd from ./bin started for the
// test binary. Each call gets a fresh database, so tests never see each
// other's points. There is no mock: claims that data was stored or read are
// proven against the real server.
package influxtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvURL names the variable `make test` sets to its InfluxDB's URL.
const EnvURL = "GREENMETRICS_TEST_INFLUX_URL"

// Server is a database on a real InfluxDB.
type Server struct {
	URL      string
	Database string
}

// Bucket is the v2-API bucket of the database ("db/autogen").
func (s Server) Bucket() string { return s.Database + "/autogen" }

var (
	startOnce sync.Once
	sharedURL string
	startErr  error
)

// New returns a fresh, empty database on a real InfluxDB, dropped when the
// test ends.
func New(t testing.TB) Server {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		startOnce.Do(func() { sharedURL, startErr = startLocal() })
		if startErr != nil {
			t.Fatalf("no InfluxDB for integration tests: %v (run `make test`, or set %s)", startErr, EnvURL)
		}
		base = sharedURL
	}
	db := "test_" + randomHex(6)
	if err := CreateDatabase(base, db); err != nil {
		t.Fatalf("creating test database on %s: %v", base, err)
	}
	t.Cleanup(func() { _ = Exec(base, "DROP DATABASE "+db) })
	return Server{URL: base, Database: db}
}

// CreateDatabase creates db and returns once the server lists it. Under
// heavy load a shared 1.8 server has refused the first write into a
// database just created with "database not found" (twice in CI-like runs).
// The cause inside InfluxDB is not known; Exec then ignored statement
// errors, which InfluxQL sends in a 200 answer, so a failed CREATE is the
// likeliest. Now such an error counts, and the database is checked and
// created again until it is listed.
func CreateDatabase(base, db string) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		if err = Exec(base, "CREATE DATABASE "+db); err != nil {
			continue
		}
		var listed bool
		if listed, err = hasDatabase(base, db); err == nil && listed {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("CREATE DATABASE %s succeeded but SHOW DATABASES does not list it", db)
		}
	}
	return err
}

// hasDatabase reports whether SHOW DATABASES lists db.
func hasDatabase(base, db string) (bool, error) {
	rows, err := Query(base, "", "SHOW DATABASES")
	if err != nil {
		return false, err
	}
	for _, v := range rows {
		if len(v) > 0 && v[0] == db {
			return true, nil
		}
	}
	return false, nil
}

// Query runs a read-only InfluxQL statement on db the way Grafana's
// datasource does (GET /query, epoch=ms) and returns the rows of every
// series of the answer.
func Query(base, db, q string) ([][]any, error) {
	params := url.Values{"q": {q}, "epoch": {"ms"}}
	if db != "" {
		params.Set("db", db)
	}
	resp, err := http.Get(strings.TrimRight(base, "/") + "/query?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return readAnswer(resp, q)
}

// Exec runs one InfluxQL statement that changes state (CREATE, DROP …).
func Exec(base, stmt string) error {
	resp, err := http.PostForm(strings.TrimRight(base, "/")+"/query", url.Values{"q": {stmt}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = readAnswer(resp, stmt)
	return err
}

// readAnswer decodes an InfluxQL answer. InfluxQL answers 200 even when a
// statement fails, with the error in the body, so both count.
func readAnswer(resp *http.Response, stmt string) ([][]any, error) {
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", stmt, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s: HTTP %d: %s", stmt, resp.StatusCode, bytes.TrimSpace(body))
	}
	var answer struct {
		Error   string `json:"error"`
		Results []struct {
			Error  string `json:"error"`
			Series []struct {
				Values [][]any `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("%s: answer %q: %w", stmt, body, err)
	}
	if answer.Error != "" {
		return nil, fmt.Errorf("%s: %s", stmt, answer.Error)
	}
	var rows [][]any
	for _, r := range answer.Results {
		if r.Error != "" {
			return nil, fmt.Errorf("%s: %s", stmt, r.Error)
		}
		for _, s := range r.Series {
			rows = append(rows, s.Values...)
		}
	}
	return rows, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// startLocal starts bin/influxd for this test binary, tied to it: the
// kernel kills the server when the test binary exits (see startTied), so
// running `go test` by hand does not leave servers behind. Its data lives
// in a temp dir.
func startLocal() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	script := filepath.Join(root, "scripts", "influxd.sh")
	if err := runScript(script, "install"); err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "greenmetrics-influx-")
	if err != nil {
		return "", err
	}
	if err := runScript(script, "config", dir, fmt.Sprint(port)); err != nil {
		return "", err
	}
	logFile, err := os.Create(filepath.Join(dir, "influxd.log"))
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(root, "bin", "influxd"), "run", "-config", filepath.Join(dir, "influxdb.conf"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := startTied(cmd); err != nil {
		return "", fmt.Errorf("starting influxd: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return "", fmt.Errorf("influxd exited (%v); its log is %s", err, logFile.Name())
		default:
		}
		if resp, err := http.Get(u + "/ping"); err == nil {
			resp.Body.Close()
			return u, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("influxd on %s did not answer within 30 s; its log is %s", u, logFile.Name())
}

func runScript(script string, args ...string) error {
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", filepath.Base(script), strings.Join(args, " "), err)
	}
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// FreePort returns a loopback TCP port that was free a moment ago, for a
// server a test starts (InfluxDB, the daemon, Prometheus).
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
