package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/store"
)

// runCLI runs the root command with args and returns its standard output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetIn(strings.NewReader(""))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportDeliversToInfluxDB imports a file with good and bad rows into a
// real InfluxDB and reads the points back.
func TestImportDeliversToInfluxDB(t *testing.T) {
	srv := influxtest.New(t)
	data := t.TempDir()
	t.Setenv("GREENMETRICS_DATA_DIR", data)
	file := writeTemp(t, "prefab.csv", "time,indicator,entity,value,unit\n"+
		"2024-01,prefab_building_started_area,,12.5,万平方米\n"+
		"2024-02,prefab_building_started_area,,-1,万平方米\n"+
		"2024-03-10 09:00,codmn,通惠河-火车站(演示),7.9,mg/L\n")
	out, err := runCLI(t, "import", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--no-progress", file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{
		"prefab.csv: csv, provider import\n",
		"rows 3 · values 3 · accepted 2 · duplicates 0 · not measured 0 · rejected 1\n",
		"rejected by rule: out_of_range 1\n",
		"row 3      value        out_of_range           value -1万平方米 is outside the physical range ≥ 0万平方米 of prefab_building_started_area (新开工装配式建筑面积)\n",
		"delivered: 2 observations to InfluxDB " + srv.URL + " (bucket " + srv.Bucket() + "); spool empty\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	series, err := st.Query(context.Background(), "SELECT value FROM figure WHERE indicator = $ind", map[string]any{"ind": "prefab_building_started_area"})
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Values) != 1 {
		t.Fatalf("stored prefab series = %+v, want one point", series)
	}
	if v, ok := store.Float(series[0].Values[0][1]); !ok || v != 125000 {
		t.Errorf("stored value %v, want 125000 m2", series[0].Values[0][1])
	}
	entries, _, err := rejectlog.Read(filepath.Join(data, "rejects"), rejectlog.MonthOf(time.Now()))
	if err != nil || len(entries) != 1 || entries[0].Rule != "out_of_range" || entries[0].Source != "import:prefab.csv" {
		t.Errorf("rejection log = %+v, %v", entries, err)
	}
}

func TestImportExitStatus(t *testing.T) {
	t.Setenv("GREENMETRICS_DATA_DIR", t.TempDir())
	good := writeTemp(t, "g.csv", "time,indicator,value,unit\n2024-01,gdp,1,亿元\n2024-01,gdp,x,亿元\n")
	empty := writeTemp(t, "e.csv", "")
	reasons := filepath.Join(t.TempDir(), "reasons.tsv")
	// Rejected rows alone: exit 0.
	out, err := runCLI(t, "import", "--config", "", "--dry-run", "--reasons", reasons, good)
	if err != nil || !strings.Contains(out, "dry run: nothing delivered") {
		t.Errorf("import of a file with a rejected row: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(reasons); string(b) != "\ufefffile\trow\tfield\trule\tmessage\ng.csv\t3\tvalue\tnon_numeric\tvalue \"x\" is not a number\n" {
		t.Errorf("reasons file:\n%s", b)
	}
	// A file that cannot be read: exit 1, the other file still imported.
	for _, args := range [][]string{{empty, good}, {filepath.Join(t.TempDir(), "missing.csv")}} {
		out, err = runCLI(t, append([]string{"import", "--config", "", "--dry-run"}, args...)...)
		if !errors.Is(err, errImportFailed) {
			t.Errorf("import %v: err = %v, want errImportFailed\n%s", args, err, out)
		}
	}
	if !strings.Contains(out, "missing.csv: open") {
		t.Errorf("output does not explain the missing file:\n%s", out)
	}
}

// TestDemoDryRun loads the demo without delivering: every real and
// synthetic row must pass validation.
func TestDemoDryRun(t *testing.T) {
	t.Setenv("GREENMETRICS_DATA_DIR", t.TempDir())
	root := config.SourceTree()
	out, err := runCLI(t, "demo", "--config", filepath.Join(root, "deploy", "greenmetrics.yaml"), "--dry-run", "--as-of", "2024-06")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{
		"cnemc_water_long.csv.gz: csv, mapping cnemc_water_long, provider cnemc\n",
		"pboc_green_loans_long.csv.gz: csv, mapping pboc_green_loans_long, provider pboc\n",
		"demo (synthetic, seed 20240104, through 2024-06-30): csv, provider demo\n",
		"total: 8 files, rows 69801, accepted 69801, duplicates 0, rejected 0, revised 0, held 0, demo skipped 0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Without the reference data the synthetic part still loads.
	out, err = runCLI(t, "demo", "--config", "", "--dry-run", "--as-of", "2024-06", "--refdata", filepath.Join(t.TempDir(), "none"))
	if err != nil || !strings.Contains(out, "accepted 10949") {
		t.Errorf("demo without reference data: %v\n%s", err, out)
	}
}

// TestImportBesideARunningDaemon: with the shared spool locked (as a
// running serve holds it), import takes a spool of its own, delivers, and
// removes that spool once InfluxDB has everything.
func TestImportBesideARunningDaemon(t *testing.T) {
	srv := influxtest.New(t)
	data := t.TempDir()
	t.Setenv("GREENMETRICS_DATA_DIR", data)
	held, err := spool.Open(filepath.Join(data, "spool"), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	file := writeTemp(t, "june.csv", "time,indicator,entity,value,unit\n2024-06,prefab_building_started_area,,12.5,万平方米\n")
	out, err := runCLI(t, "import", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--no-progress", file)
	if err != nil {
		t.Fatalf("import beside a locked spool: %v\n%s", err, out)
	}
	if !strings.Contains(out, "delivered: 1 observations to InfluxDB") {
		t.Errorf("import did not deliver:\n%s", out)
	}
	if left, _ := filepath.Glob(filepath.Join(data, "spool-import-*")); len(left) != 0 {
		t.Errorf("the run's own spool is left behind: %v", left)
	}
	// An explicit --spool-dir that is in use is still an error.
	_, err = runCLI(t, "import", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--no-progress",
		"--spool-dir", filepath.Join(data, "spool"), file)
	if !errors.Is(err, spool.ErrLocked) {
		t.Errorf("import --spool-dir of a locked spool: err = %v, want ErrLocked", err)
	}
}
