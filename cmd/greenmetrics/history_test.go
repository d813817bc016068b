package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/store"
)

// storedFigures reads an indicator's reported figures back from InfluxDB:
// time (epoch seconds), value and provider of each point.
func storedFigures(t *testing.T, srv influxtest.Server, indicator string) []string {
	t.Helper()
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	series, err := st.Query(context.Background(), "SELECT value, provider FROM figure WHERE indicator = $ind", map[string]any{"ind": indicator})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range series {
		for _, row := range s.Values {
			v, _ := store.Float(row[1])
			out = append(out, fmt.Sprintf("%v %g %v", row[0], v, row[2]))
		}
	}
	return out
}

// TestCorrectionRoundTrip goes through import, InfluxDB, the ledger and
// history: June sent as 2024-06-30 after 2024-06-01 is one figure; a later
// correction from a provider whose name sorts later wins and shows as a
// revision; 99999万平方米 is held, then enters with --confirm; a bare 5 for
// GDP growth, unstorable years and a claimed provider are refused.
func TestCorrectionRoundTrip(t *testing.T) {
	srv := influxtest.New(t)
	data := t.TempDir()
	t.Setenv("GREENMETRICS_DATA_DIR", data)
	imp := func(args ...string) string {
		t.Helper()
		base := []string{"import", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--no-progress"}
		out, err := runCLI(t, append(base, args...)...)
		if err != nil {
			t.Fatalf("import %v: %v\n%s", args, err, out)
		}
		return out
	}
	const head = "time,indicator,entity,value,unit\n"
	juneUTC := "1717171200" // 2024-06-01 00:00 in Beijing; the store reads epoch seconds

	// One figure, whatever day of June it is stamped with.
	imp("--provider", "tjj", writeTemp(t, "prefab_a.csv", head+"2024-06-01,prefab_building_started_area,,12.5,万平方米\n"))
	out := imp("--provider", "tjj", writeTemp(t, "prefab_b.csv", head+"2024-06-30,prefab_building_started_area,,12.5,万平方米\n"))
	if !strings.Contains(out, "修订 revised 0") {
		t.Errorf("a re-send counted as a revision:\n%s", out)
	}
	if got := storedFigures(t, srv, "prefab_building_started_area"); len(got) != 1 || got[0] != juneUTC+" 125000 tjj" {
		t.Fatalf("stored June figures = %v, want one point %s 125000 tjj", got, juneUTC)
	}

	// The correction supersedes it, from a provider sorting after tjj.
	out = imp("--provider", "zjw", writeTemp(t, "prefab_fix.csv", head+"2024-06-30T23:59:59.9+08:00,prefab_building_started_area,,13,万平方米\n"))
	if !strings.Contains(out, "修订 revised 1") {
		t.Errorf("the correction is not counted as a revision:\n%s", out)
	}
	if got := storedFigures(t, srv, "prefab_building_started_area"); len(got) != 1 || got[0] != juneUTC+" 130000 zjw" {
		t.Fatalf("stored June figures after the correction = %v, want one point 130000 zjw", got)
	}

	// 99999万平方米 in July is held with its reason, then confirmed.
	july := writeTemp(t, "prefab_2024-07.csv", head+"2024-07,prefab_building_started_area,,99999,万平方米\n")
	out = imp("--provider", "zjw", july)
	t.Logf("import of July:\n%s", out)
	reason := "99999万平方米 is more than the whole annual figure 135.1万平方米 (2023) of prefab_building_started_area (新开工装配式建筑面积)"
	if !strings.Contains(out, "暂缓 held 1") || !strings.Contains(out, reason) || !strings.Contains(out, "then import again with --confirm") {
		t.Errorf("the July value was not held with its reason:\n%s", out)
	}
	if got := storedFigures(t, srv, "prefab_building_started_area"); len(got) != 1 {
		t.Errorf("the held value was stored: %v", got)
	}
	logged, _, err := rejectlog.Read(filepath.Join(data, "rejects"), rejectlog.MonthOf(time.Now()))
	if err != nil || len(logged) != 1 || logged[0].Rule != "implausible_value" || !strings.Contains(logged[0].Message, reason) {
		t.Errorf("rejection log = %+v, %v; want the hold with its reason", logged, err)
	}
	out = imp("--provider", "zjw", "--confirm", july)
	if !strings.Contains(out, "accepted 1") {
		t.Errorf("the confirmed value was not accepted:\n%s", out)
	}
	if got := storedFigures(t, srv, "prefab_building_started_area"); len(got) != 2 {
		t.Errorf("stored figures after confirming = %v, want June and July", got)
	}

	// Refusals, each per row with its reason.
	out = imp(writeTemp(t, "bad.csv", "time,indicator,entity,value,unit,source\n"+
		"2024-03,gdp_growth,,5,,\n"+
		"0000-06-30,prefab_building_started_area,,1,万平方米,\n"+
		"1677-09-21,prefab_building_started_area,,1,万平方米,\n"+
		"2024-05,prefab_building_started_area,,1,万平方米,derived\n"))
	for _, want := range []string{
		"row 2      value        looks_like_percent     5 looks like a percentage: write 5% or 0.05",
		"row 3      time         bad_time               time 0000-06-30 00:00:00 cannot be stored",
		"row 4      time         bad_time               time 1677-09-21 00:00:00 cannot be stored",
		"row 5      source       provider_not_allowed   source \"derived\" is reserved",
		"accepted 0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// history shows the trail, the revision and the confirmation.
	out, err = runCLI(t, "history", "prefab_building_started_area", "--config", "", "--data-dir", data)
	if err != nil {
		t.Fatalf("history: %v\n%s", err, out)
	}
	t.Logf("history:\n%s", out)
	for _, want := range []string{
		"prefab_building_started_area 新开工装配式建筑面积 (monthly, 万平方米)\n",
		"期间 period",
		"prefab_a.csv:2",
		"prefab_fix.csv:2",
		"修订 12.5万平方米 (tjj) → 13万平方米",
		"99999万平方米",
		"[已确认 confirmed]",
		"3 条记录 entries, 1 次修订 revisions\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
	out, err = runCLI(t, "history", "prefab_building_started_area", "--config", "", "--data-dir", data, "--period", "2024-06")
	if err != nil || strings.Contains(out, "99999") || !strings.Contains(out, "2 条记录 entries") {
		t.Errorf("history --period 2024-06: %v\n%s", err, out)
	}
	revs, err := ledger.Read(filepath.Join(data, "ledger"), ledger.Query{RevisionsOnly: true})
	if err != nil || len(revs) != 1 || revs[0].Provider != "zjw" || revs[0].Previous.Provider != "tjj" {
		t.Errorf("ledger revisions = %+v, %v", revs, err)
	}
}

func TestHistoryRefusals(t *testing.T) {
	t.Setenv("GREENMETRICS_DATA_DIR", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "no_such"}, `unknown indicator "no_such"`},
		{[]string{"history", "ph"}, "ph (pH值) is hourly: hourly and daily monitoring data are not ledgered"},
		{[]string{"history", "gdp", "--period", "someday"}, "--period"},
		{[]string{"import", "--provider", "derived", "x.csv"}, `--provider "derived" is reserved`},
		{[]string{"import", "--provider", "a b", "x.csv"}, `--provider "a b"`},
	} {
		out, err := runCLI(t, append(tc.args, "--config", "")...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
	out, err := runCLI(t, "history", "gdp", "--config", "")
	if err != nil || !strings.Contains(out, "无记录 no ledgered figures") {
		t.Errorf("history of an empty ledger: %v\n%s", err, out)
	}
}

// TestDemoNeverMasksRealData: a real figure imported before the demo keeps
// its value; the demo counts it as skipped; real data sent after the demo
// supersede the demo's as a revision.
func TestDemoNeverMasksRealData(t *testing.T) {
	srv := influxtest.New(t)
	data := t.TempDir()
	t.Setenv("GREENMETRICS_DATA_DIR", data)
	flags := []string{"--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket()}
	const head = "time,indicator,entity,value,unit\n"
	out, err := runCLI(t, append([]string{"import", "--no-progress", "--provider", "zjw",
		writeTemp(t, "real.csv", head+"2024-03,prefab_building_started_area,,10,万平方米\n")}, flags...)...)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = runCLI(t, append([]string{"demo", "--refdata", filepath.Join(t.TempDir(), "none")}, flags...)...)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if !strings.Contains(out, "演示跳过 demo skipped 1\n") || !strings.Contains(out, "暂缓 held 0") {
		t.Errorf("demo summary does not show one skipped figure and no holds:\n%s", out)
	}
	march := "1709222400 100000 zjw" // 2024-03-01 00:00 in Beijing
	found := false
	for _, f := range storedFigures(t, srv, "prefab_building_started_area") {
		if strings.HasPrefix(f, "1709222400 ") {
			found = true
			if f != march {
				t.Errorf("March after the demo = %s, want %s", f, march)
			}
		}
	}
	if !found {
		t.Fatal("March is not stored")
	}
	out, err = runCLI(t, append([]string{"import", "--no-progress", "--provider", "zjw",
		writeTemp(t, "april.csv", head+"2024-04,prefab_building_started_area,,11,万平方米\n")}, flags...)...)
	if err != nil || !strings.Contains(out, "修订 revised 1") {
		t.Errorf("real April over the demo's is not a revision: %v\n%s", err, out)
	}
}

// TestRowsATenthOfASecondApartInInfluxDB: what InfluxDB holds after rows
// 0.1 s apart is exactly what import acknowledged — one point per hour of
// identical values, none where the values conflict.
func TestRowsATenthOfASecondApartInInfluxDB(t *testing.T) {
	srv := influxtest.New(t)
	t.Setenv("GREENMETRICS_DATA_DIR", t.TempDir())
	at := time.Date(2024, 6, 30, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	var lp strings.Builder
	for i, v := range []string{"7.5", "7.5", "7.5"} { // S1: identical, 0.1 s apart (ns)
		fmt.Fprintf(&lp, "ph,entity=S1 value=%s %d\n", v, at.Add(time.Duration(i)*100*time.Millisecond).UnixNano())
	}
	for i, v := range []string{"7.5", "7.6"} { // S2: two values in one hour
		fmt.Fprintf(&lp, "ph,entity=S2 value=%s %d\n", v, at.Add(time.Duration(i)*100*time.Millisecond).UnixNano())
	}
	out, err := runCLI(t, "import", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket(), "--no-progress",
		writeTemp(t, "tenths.lp", lp.String()))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "rows 5 · values 5 · accepted 1 · duplicates 2") || !strings.Contains(out, "conflicting_duplicate 2") {
		t.Errorf("summary:\n%s", out)
	}
	got := storedFigures(t, srv, "ph")
	if len(got) != 1 || got[0] != fmt.Sprintf("%d 7.5 import", at.Unix()) {
		t.Errorf("InfluxDB holds %v, want the one acknowledged point of S1", got)
	}
}
