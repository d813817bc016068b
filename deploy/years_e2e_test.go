package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// TestYearsEndToEnd runs what make run runs, on a fixed day in the middle
// of a later year: GREENMETRICS_NOW=yearsNow for `demo` (which then runs
// to that day) and `serve` (whose analysis, exporter and report scheduler
// take their year and 序时进度 from it), a real InfluxDB and a real
// Prometheus with the production rules (`for:` shortened). It checks that
//   - the snapshot is of the current year (2026), with its progress;
//   - the demo's intended laggards fire GreenmetricsTargetBehindSchedule
//     against the illustrative 2026 plan, and no monthly or quarterly
//     indicator has a target without data (GreenmetricsTargetNoData);
//   - no indicator is stale (nor the analysis stalled) once the rules'
//     `for:` has passed: Prometheus judges both by its own clock (time()),
//     which a fixed day cannot move — the real Prometheus here does fire
//     them, against the machine's date — so the scraped series are
//     replayed into `promtool test rules` with the production rules at
//     that day (timestamps shifted so that promtool's clock reads the
//     daemon's) and evaluated an hour on;
//   - the scheduler wrote last month's report (2026-06) on start, with
//     figures, and nothing for a month without data; the index lists it
//     with its cut-off.
func TestYearsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts InfluxDB, Prometheus and the daemon; skipped with -short")
	}
	tool(t, "prometheus", "prometheus")
	promtool := tool(t, "promtool", "prometheus")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	start := time.Now()

	work := t.TempDir()
	bin := buildGreenmetrics(t, work)
	influx := influxtest.New(t)
	cfg := writeYearsConfig(t, work, influx)
	t.Setenv("GREENMETRICS_NOW", yearsNow)

	demo := exec.CommandContext(ctx, bin, "demo", "--config", cfg)
	out, err := demo.CombinedOutput()
	if err != nil {
		t.Fatalf("greenmetrics demo: %v\n%s", err, out)
	}
	for _, want := range []string{"demo-2025.yaml", "demo-2026.yaml", "through 2026-07-14"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, tail(out, 30))
		}
	}
	addr := startServe(ctx, t, bin, cfg, work)
	requireExporter(t, addr)
	prom := startPrometheus(t, work, addr)

	waitFor(ctx, t, "Prometheus holds a snapshot of 2026 with progress", func() (bool, string) {
		r, err := prom.query(`greenmetrics_snapshot_target_year == 2026 and on() count(greenmetrics_indicator_completion_ratio) > 0`)
		if err != nil {
			return false, err.Error()
		}
		return len(r) > 0, "no snapshot of 2026 with completion ratios yet"
	})

	t.Run("current year's progress", func(t *testing.T) {
		r, err := prom.query(`greenmetrics_indicator_time_progress_ratio{indicator="rural_sewage_stations_built"}`)
		if err != nil || len(r) != 1 {
			t.Fatalf("time progress of rural sewage: %v, %v", r, err)
		}
		// June complete of 2026: 序时进度 6/12.
		if v := sampleValue(t, r[0]); math.Abs(v-0.5) > 1e-9 {
			t.Errorf("序时进度 = %v, want 0.5 (six months of 2026)", v)
		}
	})
	t.Run("intended laggards behind schedule", func(t *testing.T) {
		for _, ind := range []string{"rural_sewage_stations_built", "elderly_care_stations_built"} {
			a := waitForAlert(ctx, t, prom, "GreenmetricsTargetBehindSchedule", map[string]string{"indicator": ind})
			t.Logf("firing: %s — %s", a.Labels["name_zh"], a.Annotations["description"])
		}
	})
	t.Run("no monthly or quarterly target without data", func(t *testing.T) {
		// `for:` is 1 s here: a pending or firing alert would show by now.
		waitFor(ctx, t, "two more rule evaluations", func() (bool, string) {
			r, err := prom.query(`count_over_time(up{job="greenmetrics"}[1m]) >= 5`)
			return err == nil && len(r) > 0, "fewer than 5 scrapes"
		})
		alerts, err := prom.alerts()
		if err != nil {
			t.Fatal(err)
		}
		// An annual figure of 2026 comes after the year ends: its no_data
		// in July is the analysis's honest state, not a gap in the demo.
		annual, err := prom.query(`greenmetrics_indicator_reporting_interval_seconds >= 360 * 86400`)
		if err != nil {
			t.Fatal(err)
		}
		isAnnual := map[string]bool{}
		for _, s := range annual {
			isAnnual[s.Metric["indicator"]] = true
		}
		for _, a := range alerts {
			if a.Labels["alertname"] == "GreenmetricsTargetNoData" && !isAnnual[a.Labels["indicator"]] {
				t.Errorf("%s %s: %s", a.State, a.Labels["alertname"], a.Labels["indicator"])
			}
		}
	})
	t.Run("nothing stale at the fixed day", func(t *testing.T) {
		// The daemon's clock started at yearsNow when the test did and runs on.
		now := mustParse(t, yearsNow).Add(time.Since(start))
		checkNothingStale(t, prom, promtool, work, now)
	})
	t.Run("last month's report", func(t *testing.T) {
		checkLastMonthReport(ctx, t, filepath.Join(work, "data", "reports"))
	})
	logAlerts(t, prom)
}

// yearsNow is the fixed day: mid-July 2026, after the report run of the
// 3rd, so June's report is due.
const yearsNow = "2026-07-15T10:00:00+08:00"

// writeYearsConfig is the daemon's config: no analysis.year (the clock's
// year), plans_dir where the demo writes its illustrative plans, the
// demo's water sections, a short analysis interval.
func writeYearsConfig(t *testing.T, dir string, influx influxtest.Server) string {
	t.Helper()
	cfg := fmt.Sprintf(`listen: 127.0.0.1:%d
data_dir: %s
plans_dir: %s
log_level: info
influx:
  url: %s
  bucket: %s
analysis:
  interval: %s
ingest:
  mapping_files: [%s]
%s`, influxtest.FreePort(t), filepath.Join(dir, "data"), filepath.Join(dir, "plans"), influx.URL, influx.Bucket(),
		e2eAnalysisInterval, filepath.Join(repoRoot(t), "deploy", "mappings", "refdata.yaml"), demoWaterSection(t))
	path := filepath.Join(dir, "greenmetrics.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// plans_dir must exist (config refuses a missing one), as make run's var/plans.
	if err := os.MkdirAll(filepath.Join(dir, "plans"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func sampleValue(t *testing.T, s promSample) float64 {
	t.Helper()
	str, _ := s.Value[1].(string)
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		t.Fatalf("sample %v: %v", s, err)
	}
	return v
}

// clockRules are the production alert rules that compare with time() —
// the stale/overdue data alert and the stalled analysis — and the metric
// families their expressions read, found in the rules file so that a
// renamed rule or family is followed, not silently skipped.
func clockRules(t *testing.T) (alerts, families []string) {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || !strings.Contains(r.Expr, "time()") {
				continue
			}
			alerts = append(alerts, r.Alert)
			for _, f := range metricName.FindAllString(r.Expr, -1) {
				if !seen[f] {
					seen[f] = true
					families = append(families, f)
				}
			}
		}
	}
	if len(alerts) < 2 {
		t.Fatalf("%s: found only %v comparing with time(); want the data-freshness and analysis-stalled alerts", rulesFile, alerts)
	}
	// up{job="greenmetrics"} is read by the stalled rule's absent() arm.
	return alerts, append(families, `up{job="greenmetrics"}`)
}

// metricName matches the exporter's family names in a PromQL expression.
var metricName = regexp.MustCompile(`\bgreenmetrics_[a-z0-9_]+`)

// promtoolEval is when promtool evaluates: past the stale rule's `for:`
// (30m) with samples every minute from 0.
const promtoolEval = time.Hour

// checkNothingStale replays the scraped inputs of the rules that compare
// with time() into a promtool unit test of the production rules and
// expects none of them to fire an hour on (past their `for:`). Timestamps
// (families …_timestamp_seconds) are shifted by now − promtoolEval, so that
// promtool's time() at promtoolEval is now.
func checkNothingStale(t *testing.T, prom promAPI, promtool, dir string, now time.Time) {
	t.Helper()
	shift := float64(now.Add(-promtoolEval).Unix())
	alerts, families := clockRules(t)
	var series []string
	timestamps := 0
	for _, family := range families {
		r, err := prom.query(family)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range r {
			v := sampleValue(t, s)
			if strings.HasSuffix(family, "_timestamp_seconds") {
				v -= shift // a time: moved onto promtool's clock
			}
			if s.Metric["indicator"] != "" && strings.HasSuffix(family, "_timestamp_seconds") {
				timestamps++
			}
			series = append(series, fmt.Sprintf("      - series: '%s'\n        values: '%s+0x%d'\n",
				seriesSelector(s.Metric), strconv.FormatFloat(v, 'f', -1, 64), int(promtoolEval/time.Minute)))
		}
	}
	if timestamps < 60 {
		t.Fatalf("only %d indicator timestamps in %v; the demo feeds more than 60 indicators", timestamps, families)
	}
	var expect strings.Builder
	for _, a := range alerts {
		fmt.Fprintf(&expect, "      - alertname: %s\n        eval_time: %s\n        exp_alerts: []\n", a, promtoolEval)
	}
	sort.Strings(series)
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	test := fmt.Sprintf(`rule_files: [%[1]q]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
%[2]s    alert_rule_test:
%[3]s`, rules, strings.Join(series, ""), expect.String())
	path := filepath.Join(dir, "stale-at-fixed-day.yml")
	if err := os.WriteFile(path, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "test", "rules", path).CombinedOutput()
	if err != nil {
		t.Errorf("promtool test rules (%v over %d indicator timestamps, clock %s): %v\n%s", alerts, timestamps, now.Format(time.RFC3339), err, tail(out, 60))
	}
}

// seriesSelector writes a sample's labels as a promtool series.
func seriesSelector(metric map[string]string) string {
	name := metric["__name__"]
	var labels []string
	for k, v := range metric {
		if k != "__name__" {
			labels = append(labels, fmt.Sprintf("%s=%q", k, v))
		}
	}
	sort.Strings(labels)
	return strings.ReplaceAll(name+"{"+strings.Join(labels, ",")+"}", "'", "''")
}

// checkLastMonthReport waits for the report the scheduler catches up on
// start (2026-06) and checks it holds June's figures and is the index's
// first edition, with its cut-off; July (not complete) has none.
func checkLastMonthReport(ctx context.Context, t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, "report-2026-06.json")
	waitFor(ctx, t, "the scheduler wrote report-2026-06.json", func() (bool, string) {
		_, err := os.Stat(path)
		return err == nil, fmt.Sprint(err)
	})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Year     int `json:"year"`
		Sections []struct {
			Rows []struct {
				Code   string   `json:"code"`
				Period string   `json:"period"`
				Value  *float64 `json:"value"`
				Status string   `json:"status"`
				Target string   `json:"target_text"`
			} `json:"rows"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	june, withTarget, demoTargets := 0, 0, 0
	for _, s := range rep.Sections {
		for _, r := range s.Rows {
			if r.Target != "" {
				if !strings.Contains(r.Target, "演示") {
					t.Errorf("report-2026-06: %s target %q is not marked 演示 (2026's targets are the demo's)", r.Code, r.Target)
				}
				demoTargets++
			}
			if r.Period == "2026-06" && r.Value != nil {
				june++
			}
			if r.Status != "" && r.Status != "no_data" && r.Status != "no_target" {
				withTarget++
			}
		}
	}
	if rep.Year != 2026 || june < 20 || withTarget < 10 || demoTargets < 10 {
		t.Errorf("report-2026-06: year %d, %d rows with a June figure, %d with progress, %d demo targets; want 2026, ≥ 20, ≥ 10, ≥ 10", rep.Year, june, withTarget, demoTargets)
	}
	if _, err := os.Stat(filepath.Join(dir, "report-2026-07.json")); err == nil {
		t.Error("a report of July 2026, not yet complete, was written")
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), "2026-06-30") || !strings.Contains(string(index), "2026年6月") {
		t.Errorf("index lacks June 2026 with its cut-off:\n%s", index)
	}
}
