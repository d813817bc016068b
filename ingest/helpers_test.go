package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// memSink keeps what it is given, in memory. fail, when set, is asked
// before each Append (numbered from 0) and may refuse it.
type memSink struct {
	mu      sync.Mutex
	obs     []models.Observation
	appends int
	fail    func(n int) error
}

func (s *memSink) Append(_ context.Context, obs []models.Observation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.appends
	s.appends++
	if s.fail != nil {
		if err := s.fail(n); err != nil {
			return err
		}
	}
	s.obs = append(s.obs, obs...)
	return nil
}

func (s *memSink) all() []models.Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.Observation(nil), s.obs...)
}

// testNow is the clock of the tests: 2024-07-15 10:00 Beijing time.
var testNow = time.Date(2024, 7, 15, 10, 0, 0, 0, models.Shanghai)

// testCatalog is the embedded catalogue, parsed once: fuzz targets make a
// pipeline per input.
func testCatalog(t testing.TB) *config.Catalog {
	t.Helper()
	catOnce.Do(func() { catShared, catErr = config.SeedCatalog() })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return catShared
}

var (
	catOnce   sync.Once
	catShared *config.Catalog
	catErr    error
)

// newTestPipeline returns a pipeline on the embedded catalogue with the
// test clock, feeding a memSink.
func newTestPipeline(t testing.TB, opts Options, mappings ...config.Mapping) (*Pipeline, *memSink) {
	t.Helper()
	sink := &memSink{}
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	p, err := NewPipeline(testCatalog(t), mappings, sink, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, sink
}

// process runs text through p as an input of the given name.
func process(t testing.TB, p *Pipeline, name, text string) (Result, error) {
	t.Helper()
	return p.Process(context.Background(), Input{Name: name, Reader: strings.NewReader(text)})
}

// checkCounts asserts the accounting invariant of a finished input.
func checkCounts(t testing.TB, res Result) {
	t.Helper()
	if got := res.Accepted + res.Duplicates + res.DemoSkipped + res.RejectedCount(); got != res.Values {
		t.Errorf("accepted %d + duplicates %d + demo skipped %d + rejected %d = %d, want values %d",
			res.Accepted, res.Duplicates, res.DemoSkipped, res.RejectedCount(), got, res.Values)
	}
	if res.Held != res.RejectedByRule[RuleImplausibleValue] {
		t.Errorf("held %d, but %d rejections by %s", res.Held, res.RejectedByRule[RuleImplausibleValue], RuleImplausibleValue)
	}
}

// repoRoot is the directory of go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s", dir)
	}
	return dir
}

// refdataDir is testdata/refdata, the real reference files kept (gzipped)
// in the repository. The tests fail rather than skip without it: then
// nothing checks the real files.
func refdataDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "testdata", "refdata")
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("reference data not found at %s: %v", dir, err)
	}
	return dir
}

func refdataMappings(t testing.TB) []config.Mapping {
	t.Helper()
	ms, err := config.LoadMappings(filepath.Join(repoRoot(t), "deploy", "mappings", "refdata.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
