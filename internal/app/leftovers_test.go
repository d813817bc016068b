package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
)

// TestLeftoverImportSpoolsAreDelivered: the spool a killed import left in
// data_dir is delivered to the real InfluxDB and removed; the spool of an
// import still running (its lock held) is left alone.
func TestLeftoverImportSpoolsAreDelivered(t *testing.T) {
	srv := influxtest.New(t)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Influx.URL, cfg.Influx.Bucket = srv.URL, srv.Bucket()

	dead := filepath.Join(cfg.DataDir, "spool-import-4242")
	sp, err := spool.Open(dead, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	june := time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	obs := []models.Observation{
		{Time: june, Indicator: "prefab_building_started_area", Value: 125000, Provider: "zjw"},
		{Time: june.AddDate(0, 1, 0), Indicator: "prefab_building_started_area", Value: 130000, Provider: "zjw"},
	}
	if err := sp.Append(context.Background(), obs); err != nil {
		t.Fatal(err)
	}
	sp.Close() // the import was killed: nobody holds it now

	live := filepath.Join(cfg.DataDir, "spool-import-4343")
	held, err := spool.Open(live, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := held.Append(context.Background(), obs[:1]); err != nil {
		t.Fatal(err)
	}

	st, err := OpenStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// DeliverLeftoverSpools looks every minute until the daemon stops:
	// the context's end stands for the stop.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := DeliverLeftoverSpools(ctx, cfg, st, nil); err != nil {
		t.Fatal(err)
	}

	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the killed import's spool is still there (%v)", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the running import's spool was touched: %v", err)
	}
	rows, err := influxtest.Query(srv.URL, srv.Database, `SELECT value, provider FROM figure WHERE indicator = 'prefab_building_started_area'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][1] != 125000.0 || rows[1][1] != 130000.0 || rows[1][2] != "zjw" {
		t.Errorf("stored = %v, want June 125000 and July 130000 from zjw", rows)
	}
}
