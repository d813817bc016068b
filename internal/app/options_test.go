package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/greenmetrics/greenmetrics/config"
)

// TestPipelineOptionsReserveTokenNames: serve and import give the
// pipeline every token name, so no file can claim one as its provider.
func TestPipelineOptionsReserveTokenNames(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "ci:ci-secret")
	cfgPath := writeTemp(t, "greenmetrics.yaml", "ingest:\n  tokens_file: "+writeTemp(t, "tokens", "zjw a\ntjj b\nzjw c\n")+"\n")
	cfg, err := config.Overrides{ConfigPath: cfgPath}.Resolve(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := pipelineOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(opts.ReservedProviders, ","); got != "ci,tjj,zjw" {
		t.Errorf("ReservedProviders = %s, want ci,tjj,zjw", got)
	}
}

// writeTemp writes text to a file name in a fresh directory and returns
// its path.
func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
