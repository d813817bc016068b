package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/internal/demo"
	"github.com/greenmetrics/greenmetrics/models"
)

// TestDemoPlansFollowRealPlans: the demo writes an illustrative plan for
// each year after the latest real plan up to today's year, and removes
// one it wrote before for a year a real plan now covers.
func TestDemoPlansFollowRealPlans(t *testing.T) {
	dir := t.TempDir()
	real := "id: real-2025\nname: 2025年通州区政府工作报告\nissued: \"2025-01-03\"\ntargets:\n" +
		"  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 50, unit: count, qualifier: exact, text: 50座}\n"
	stale := "id: demo-2025\nname: 2025年演示目标（示意，非政府文件）\nissued: \"2025-01-05\"\ndemo: true\ntargets:\n" +
		"  - {indicator: rural_sewage_stations_built, year: 2025, kind: absolute, value: 64, unit: count, qualifier: exact, text: 64座（演示）}\n"
	for name, body := range map[string]string{"real-2025.yaml": real, "demo-2025.yaml": stale} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var out, errw strings.Builder
	today := time.Date(2027, 3, 10, 0, 0, 0, 0, models.Shanghai)
	set, err := demoPlans(config.Config{PlansDir: dir}, cat, today, false, &out, &errw)
	if err != nil {
		t.Fatalf("demoPlans: %v\n%s", err, errw.String())
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var got []string
	for _, n := range names {
		got = append(got, filepath.Base(n))
	}
	if want := "demo-2026.yaml demo-2027.yaml real-2025.yaml"; strings.Join(got, " ") != want {
		t.Errorf("plans_dir holds %v, want %s\n%s", got, want, out.String())
	}
	if inf, ok := set.TargetFor("rural_sewage_stations_built", 2025); !ok || inf.Target.Value != 50 || inf.Origin.Demo {
		t.Errorf("2025 rural sewage target %+v from %+v, want the real plan's 50", inf.Target, inf.Origin)
	}
	if inf, ok := set.TargetFor("rural_sewage_stations_built", 2027); !ok || !inf.Origin.Demo {
		t.Errorf("2027 rural sewage target %+v from %+v, want the demo plan's", inf.Target, inf.Origin)
	}
}

// FuzzDemoAsOf: --as-of is refused or gives a midnight in Beijing from
// February 2024 on; a mark written for that day reads back as it.
func FuzzDemoAsOf(f *testing.F) {
	for _, s := range []string{"", "2024-06", "2026-07-15", "2024-01", "2023-12", "2026-13", "2026-02-30", "2026-12", "9999-12", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 3, 20, 30, 0, 0, models.Shanghai)
	f.Fuzz(func(t *testing.T, s string) {
		today, err := demoToday(s, now)
		if err != nil {
			return
		}
		if today.Before(demo.FirstToday) || today.After(now.AddDate(0, 0, 1)) || today.Location() != models.Shanghai || today.Hour() != 0 || today.Minute() != 0 {
			t.Fatalf("demoToday(%q) = %v", s, today)
		}
		mark := "loaded 2026-12-03T20:30:00+08:00, to " + today.Format(time.DateOnly) + ", seed 1\n"
		if back, ok := markedThrough(mark); !ok || !back.Equal(today) {
			t.Fatalf("mark %q read back as %v, %v; want %v", mark, back, ok, today)
		}
	})
}
