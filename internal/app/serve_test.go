package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/store"
)

// newMain is a daemon on a fresh data directory, with the InfluxDB
// address never dialled: Open connects to nothing.
func newMain(t *testing.T, listen string) *Main {
	t.Helper()
	cfg := config.Default()
	cfg.Listen = listen
	cfg.Influx.URL = "http://127.0.0.1:1"
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	return &Main{Config: cfg, Catalog: cat, Analysis: analysisOf(cfg, cat),
		SpoolDir: filepath.Join(data, "spool"), LedgerDir: filepath.Join(data, "ledger"), RejectDir: filepath.Join(data, "rejects")}
}

func TestOpenClosesWhatItOpenedOnError(t *testing.T) {
	// An open push API on a wildcard address is refused after the spool
	// is open: Open must release it.
	m := newMain(t, "0.0.0.0:0")
	if err := m.Open(); err == nil {
		m.Close()
		t.Fatal("Open of an open push API on 0.0.0.0 succeeded; want the fail-closed refusal")
	}
	sp, err := spool.Open(m.SpoolDir, spool.Options{})
	if err != nil {
		t.Fatalf("the spool is still held after the failed Open: %v", err)
	}
	sp.Close()
}

func TestOpenThenCloseReleasesTheSpool(t *testing.T) {
	m := newMain(t, "127.0.0.1:0")
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := spool.Open(m.SpoolDir, spool.Options{}); !errors.Is(err, spool.ErrLocked) {
		t.Errorf("second spool.Open while the daemon is open = %v, want ErrLocked", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	sp, err := spool.Open(m.SpoolDir, spool.Options{})
	if err != nil {
		t.Fatalf("the spool is still held after Close: %v", err)
	}
	sp.Close()
}

func TestRunBeforeOpen(t *testing.T) {
	m := newMain(t, "127.0.0.1:0")
	if err := m.Run(context.Background(), nil); err == nil {
		t.Error("Run before Open succeeded")
	}
}

// analysisOf are the analysis options of the configuration, without
// plans or carbon factors.
func analysisOf(cfg config.Config, cat *config.Catalog) metrics.Options {
	return metrics.Options{Indicators: cat.Indicators(), Analysis: cfg.Analysis, Water: cfg.Water, Scope: cfg.Scope}
}

// TestServeWarnsOfSchema1: serve's start-up check logs a warning naming
// `greenmetrics migrate` while only schema-1 data exist, and none after.
func TestServeWarnsOfSchema1(t *testing.T) {
	srv := influxtest.New(t)
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	warnings := func() string {
		var buf strings.Builder
		WarnIfUnmigrated(ctx, st, newLogger(&buf, "info", "text"))
		return buf.String()
	}
	if got := warnings(); got != "" {
		t.Errorf("empty database: logged %q, want nothing", got)
	}
	if err := st.WriteLines(ctx, "observation,indicator=gdp,source=tjj value=1 1717171200"); err != nil {
		t.Fatal(err)
	}
	if got := warnings(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "greenmetrics migrate") {
		t.Errorf("schema-1 data only: logged %q, want a warning naming greenmetrics migrate", got)
	}
	if err := st.WriteLines(ctx, `figure,indicator=gdp provider="tjj",value=1 1717171200`); err != nil {
		t.Fatal(err)
	}
	if got := warnings(); got != "" {
		t.Errorf("after migration: logged %q, want nothing", got)
	}
}
