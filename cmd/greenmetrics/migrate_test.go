package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// TestMigrateCommand runs `greenmetrics migrate` on a schema-1 database in
// a real InfluxDB: a dry run writes nothing, a run migrates and prints
// the collision and how to drop the old measurement, a second run finds
// everything migrated.
func TestMigrateCommand(t *testing.T) {
	srv := influxtest.New(t)
	t.Setenv("GREENMETRICS_DATA_DIR", t.TempDir())
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	june1 := time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	june30 := time.Date(2024, 6, 30, 0, 0, 0, 0, models.Shanghai)
	if err := st.WriteLines(ctx,
		fmt.Sprintf("observation,indicator=prefab_building_started_area,source=demo value=120000 %d", june1.Unix()),
		fmt.Sprintf("observation,indicator=prefab_building_started_area,source=zjw value=122000 %d", june30.Unix()),
		fmt.Sprintf("observation,indicator=water_good_ratio,source=derived value=0.75 %d", june1.Unix()),
	); err != nil {
		t.Fatal(err)
	}
	args := []string{"migrate", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket()}

	out, err := runCLI(t, append(args, "--dry-run")...)
	if err != nil {
		t.Fatalf("migrate --dry-run: %v\n%s", err, out)
	}
	collision := "collision prefab_building_started_area (新开工装配式建筑面积) district 2024-06: kept 12.2万平方米 from zjw stamped 2024-06-30 00:00; dropped 12万平方米 from demo stamped 2024-06-01 00:00\n"
	for _, want := range []string{"dry run: nothing is written", collision,
		"indicators 2 · schema-1 points read 3 · figures to write 1 · derived to write 1 · already migrated 0 · newer schema-2 figures kept 0 · collisions 1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DROP MEASUREMENT") {
		t.Errorf("a dry run tells how to drop the old measurement:\n%s", out)
	}
	if need, err := st.NeedsMigration(ctx); err != nil || !need {
		t.Fatalf("after the dry run NeedsMigration = %v, %v; want true (nothing written)", need, err)
	}

	out, err = runCLI(t, args...)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, want := range []string{collision,
		"figures written 1 · derived written 1 · already migrated 0",
		`DROP MEASUREMENT "observation"`, `--predicate '_measurement="observation"'`, "influxdb3 delete table"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate output lacks %q:\n%s", want, out)
		}
	}
	got, err := st.Observations(ctx, models.FigureQuery{Indicator: "prefab_building_started_area", Start: june1.AddDate(-1, 0, 0)})
	if err != nil || len(got) != 1 || got[0].Value != 122000 || got[0].Provider != "zjw" || !got[0].Time.Equal(june1) {
		t.Errorf("migrated June = %+v, %v; want one figure 122000 from zjw at 2024-06-01", got, err)
	}

	out, err = runCLI(t, args...)
	if err != nil || !strings.Contains(out, "figures written 0 · derived written 0 · already migrated 2") {
		t.Errorf("second migrate = %v:\n%s\nwant everything already migrated", err, out)
	}
}

// TestMigrateRollups: `migrate --rollups` marks every kept month stale (a
// fresh mark where a stamp is) and keeps the figures.
func TestMigrateRollups(t *testing.T) {
	srv := influxtest.New(t)
	t.Setenv("GREENMETRICS_DATA_DIR", t.TempDir())
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	month := time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai).Unix()
	figure := fmt.Sprintf(`figure,entity=A,indicator=pm25 provider="cnemc",value=35 %d`, month)
	if err := st.WriteLines(ctx, figure,
		fmt.Sprintf(`rollup_month,aggregate=mean,entity=A,indicator=pm25 days="1:35:1",mark="none" %d`, month),
		fmt.Sprintf(`rollup_stamp,aggregate=mean,indicator=pm25 mark="none",rows=1 %d`, month)); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "migrate", "--rollups", "--config", "", "--influx-url", srv.URL, "--influx-bucket", srv.Bucket())
	if err != nil || !strings.Contains(out, "1 kept months of daily figures marked stale") {
		t.Fatalf("migrate --rollups = %v:\n%s", err, out)
	}
	points := func(m string) [][]any {
		t.Helper()
		series, err := st.Query(ctx, fmt.Sprintf(`SELECT * FROM %s`, store.QuoteIdent(m)), nil)
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]any
		for _, s := range series {
			rows = append(rows, s.Values...)
		}
		return rows
	}
	if n := len(points(store.MeasurementFigure)); n != 1 {
		t.Errorf("figures after migrate --rollups: %d; want 1", n)
	}
	marks := points(store.MeasurementRollupMark)
	if len(marks) != 1 || fmt.Sprint(marks[0][0]) != fmt.Sprint(month) {
		t.Errorf("marks after migrate --rollups: %v; want one at %d (June 2024)", marks, month)
	}
}
