package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
)

// dropHarness runs a DropFolder on a temporary directory and records the
// outcome of every attempt.
type dropHarness struct {
	dir   string
	sink  *memSink
	mu    sync.Mutex
	seen  []string // "name outcome"
	stop  func()
	errCh chan error
}

func startDrop(t *testing.T, sink *memSink, opts DropOptions, configure ...func(*DropFolder)) *dropHarness {
	t.Helper()
	h := &dropHarness{dir: t.TempDir(), sink: sink, errCh: make(chan error, 1)}
	p, err := NewPipeline(testCatalog(t), nil, sink, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Settle == 0 {
		opts.Settle = 30 * time.Millisecond
	}
	if opts.RetryAfter == 0 {
		opts.RetryAfter = 50 * time.Millisecond
	}
	opts.Now = time.Now
	opts.Processed = func(name, outcome string, _ Result, _ error) {
		h.mu.Lock()
		h.seen = append(h.seen, name+" "+outcome)
		h.mu.Unlock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := NewDropFolder(h.dir, p, opts)
	for _, c := range configure {
		c(d)
	}
	go func() { h.errCh <- d.Run(ctx) }()
	h.stop = func() {
		cancel()
		select {
		case err := <-h.errCh:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}
	t.Cleanup(h.stop)
	return h
}

func (h *dropHarness) outcomes() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// waitFor polls until cond holds or the test's patience ends.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDropFolderImportsAndFilesRejections(t *testing.T) {
	sink := &memSink{}
	h := startDrop(t, sink, DropOptions{})
	mixed := canonicalHeader + "2024-06,gdp,,1,亿元\n2024-06,gdp,,x,亿元\n2024-06-30,ph,,7,\n2024-03,gdp,,2,亿元\n2024-05,gdp\n"
	if err := os.WriteFile(filepath.Join(h.dir, "dept.csv"), []byte(mixed), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "dept.csv in done/", func() bool { return exists(filepath.Join(h.dir, "done", "dept.csv")) })
	if exists(filepath.Join(h.dir, "dept.csv")) {
		t.Error("dept.csv is still in the drop folder")
	}
	if got := len(sink.all()); got != 2 {
		t.Errorf("delivered %d, want 2", got)
	}
	rows := readFile(t, filepath.Join(h.dir, "rejected", "dept.csv.rejected.csv"))
	// Golden: a BOM for Excel, the header, every record five columns wide
	// (the short last row padded).
	if want := "\ufeff" + canonicalHeader + "2024-06,gdp,,x,亿元\n2024-06-30,ph,,7,\n2024-05,gdp,,,\n"; rows != want {
		t.Errorf("rejected rows:\n%s\nwant:\n%s", rows, want)
	}
	reasons := readFile(t, filepath.Join(h.dir, "rejected", "dept.csv.reasons.txt"))
	for _, want := range []string{
		"+08:00\n# rows 5, values 5, accepted 2, duplicates 0, not measured 0, rejected 3\n",
		"row\tfield\trule\tmessage\n",
		"3\tvalue\tnon_numeric\tvalue \"x\" is not a number\n",
		"4\tentity\tmissing_entity\tph (pH值) is measured per section: the entity is missing\n",
	} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons file lacks %q:\n%s", want, reasons)
		}
	}

	// The same name again: done/ keeps both, the second with a timestamp.
	if err := os.WriteFile(filepath.Join(h.dir, "dept.csv"), []byte(canonicalHeader+"2024-04,gdp,,3,亿元\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "second dept.csv filed", func() bool {
		m, _ := filepath.Glob(filepath.Join(h.dir, "done", "dept.*.csv"))
		return len(m) == 1 && !exists(filepath.Join(h.dir, "dept.csv"))
	})
}

func TestDropFolderScansExistingFilesAndIgnoresTemporaryOnes(t *testing.T) {
	sink := &memSink{}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"old.csv":        canonicalHeader + "2024-06,gdp,,1,亿元\n",
		".hidden.csv":    canonicalHeader + "2024-06,gdp,,2,亿元\n",
		"~$book.xlsx":    "lock",
		"upload.csv.tmp": canonicalHeader + "2024-06,gdp,,3,亿元\n",
		"notes.txt":      "hello",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := NewPipeline(testCatalog(t), nil, sink, Options{Now: func() time.Time { return testNow }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewDropFolder(dir, p, DropOptions{Settle: 20 * time.Millisecond}).Run(ctx) }()
	waitFor(t, "old.csv in done/", func() bool { return exists(filepath.Join(dir, "done", "old.csv")) })
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".hidden.csv", "~$book.xlsx", "upload.csv.tmp", "notes.txt"} {
		if !exists(filepath.Join(dir, name)) {
			t.Errorf("%s was touched", name)
		}
	}
	if got := sink.all(); len(got) != 1 || got[0].Value != 1e8 {
		t.Errorf("delivered %+v, want only old.csv's row", got)
	}
}

func TestDropFolderWaitsForAFileToSettle(t *testing.T) {
	sink := &memSink{}
	// The settle time is 15× the pause, so that a loaded CI machine that
	// stalls this goroutine between the two writes does not fail the test.
	h := startDrop(t, sink, DropOptions{Settle: 1500 * time.Millisecond})
	path := filepath.Join(h.dir, "slow.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Write half, pause less than the settle time, write the rest.
	fmt.Fprint(f, canonicalHeader+"2024-06,gdp,,1,亿元\n")
	time.Sleep(100 * time.Millisecond)
	fmt.Fprint(f, "2024-03,gdp,,2,亿元\n")
	f.Close()
	waitFor(t, "slow.csv in done/", func() bool { return exists(filepath.Join(h.dir, "done", "slow.csv")) })
	if got := len(sink.all()); got != 2 {
		t.Errorf("delivered %d rows, want both (the file was read before it was complete)", got)
	}
}

func TestDropFolderRetriesOnBackpressure(t *testing.T) {
	var mu sync.Mutex
	full := true
	sink := &memSink{fail: func(int) error {
		mu.Lock()
		defer mu.Unlock()
		if full {
			return fmt.Errorf("append: %w", ErrBackpressure)
		}
		return nil
	}}
	h := startDrop(t, sink, DropOptions{RetryAfter: 50 * time.Millisecond})
	path := filepath.Join(h.dir, "wait.csv")
	if err := os.WriteFile(path, []byte(canonicalHeader+"2024-06,gdp,,1,亿元\n2024-06,gdp,,x,亿元\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two refused attempts", func() bool {
		n := 0
		for _, o := range h.outcomes() {
			if o == "wait.csv "+OutcomeRetry {
				n++
			}
		}
		return n >= 2
	})
	if !exists(path) || exists(filepath.Join(h.dir, "rejected", "wait.csv.reasons.txt")) {
		t.Fatal("a refused file moved, or left rejection files behind")
	}
	mu.Lock()
	full = false
	mu.Unlock()
	waitFor(t, "wait.csv in done/", func() bool { return exists(filepath.Join(h.dir, "done", "wait.csv")) })
	if got := len(sink.all()); got != 1 {
		t.Errorf("delivered %d, want 1", got)
	}
	if r := readFile(t, filepath.Join(h.dir, "rejected", "wait.csv.reasons.txt")); strings.Count(r, "non_numeric") != 1 {
		t.Errorf("reasons after the retry:\n%s", r)
	}
}

func TestDropFolderMovesUnreadableFilesAside(t *testing.T) {
	sink := &memSink{}
	h := startDrop(t, sink, DropOptions{})
	if err := os.WriteFile(filepath.Join(h.dir, "bad.json"), []byte(`[{"time":"2024-06","indicator":"gdp","value":1}, {"ti`), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bad.json in rejected/", func() bool { return exists(filepath.Join(h.dir, "rejected", "bad.json")) })
	reasons := readFile(t, filepath.Join(h.dir, "rejected", "bad.json.reasons.txt"))
	if !strings.Contains(reasons, "# reading stopped, the file moved to rejected/: bad.json:2: malformed_input: the JSON ends in the middle of a value (truncated?)") {
		t.Errorf("reasons:\n%s", reasons)
	}
	if got := len(sink.all()); got != 1 {
		t.Errorf("delivered %d, want the 1 row before the damage", got)
	}
}

func TestMoveAsideAndNames(t *testing.T) {
	for _, tc := range []struct{ name, base, ext string }{
		{"a.csv", "a", ".csv"}, {"a.csv.gz", "a", ".csv.gz"}, {"report.2024.xlsx", "report.2024", ".xlsx"},
	} {
		if b, e := splitExt(tc.name); b != tc.base || e != tc.ext {
			t.Errorf("splitExt(%q) = %q, %q; want %q, %q", tc.name, b, e, tc.base, tc.ext)
		}
	}
	for name, want := range map[string]bool{
		"a.csv": true, "a.CSV": true, "a.csv.gz": true, "a.xlsx": true, "a.lp": true, "a.ndjson": true, "a.jsonl": true,
		".a.csv": false, "~$a.xlsx": false, "a.csv.part": false, "a.csv~": false, "a.txt": false, "a.xls": false,
	} {
		if got := eligible(name); got != want {
			t.Errorf("eligible(%q) = %v, want %v", name, got, want)
		}
	}
	src, dst := t.TempDir(), t.TempDir()
	now := time.Date(2024, 7, 1, 9, 30, 0, 0, time.UTC)
	// The suffix is Beijing time, as in the reasons files.
	for _, want := range []string{"x.csv", "x.20240701T173000.csv", "x.20240701T173000-2.csv"} {
		path := filepath.Join(src, "x.csv")
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		to, err := moveAside(path, dst, now)
		if err != nil || to != filepath.Join(dst, want) || readFile(t, to) != want {
			t.Errorf("moveAside = %q, %v; want %q", to, err, want)
		}
	}
}

// TestDropFolderProviders: a file its mapping reads is the mapping's
// source's; any other file is the drop folder's.
func TestDropFolderProviders(t *testing.T) {
	dir := t.TempDir()
	sink := &memSink{}
	zjw := config.Mapping{Name: "zjw", Match: "zjw_*.csv", Source: "zjw", Layout: config.LayoutLong, TimeColumn: "time",
		IndicatorColumn: "indicator", ValueColumn: "value", UnitColumn: "unit"}
	p, err := NewPipeline(testCatalog(t), []config.Mapping{zjw}, sink, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"zjw_2024-06.csv": "time,indicator,value,unit\n2024-06,prefab_building_started_area,12.5,万平方米\n",
		"other.csv":       canonicalHeader + "2024-03,gdp,,1,亿元\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewDropFolder(dir, p, DropOptions{Settle: 20 * time.Millisecond}).Run(ctx) }()
	for name := range files {
		waitFor(t, name+" in done/", func() bool { return exists(filepath.Join(dir, "done", name)) })
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range sink.all() {
		got[o.Indicator] = o.Provider
	}
	if got["prefab_building_started_area"] != "zjw" || got["gdp"] != DropProvider {
		t.Errorf("providers = %v, want the mapping's zjw and the folder's %s", got, DropProvider)
	}
}
