package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
)

// The end-to-end test runs what an operator runs: the greenmetrics binary
// (`demo`, then `serve`), a real InfluxDB (make test's, via influxtest), a
// real Prometheus 2.42 started by scripts/prometheus.sh with the production
// rules (only `for:` shortened), scraping every second. It then
//   - runs every Prometheus query of every dashboard panel through
//     /api/v1/query and every InfluxQL panel query against InfluxDB, with
//     the template variables and Grafana macros substituted and the
//     dashboard's default range (the current year) taken in the demo's
//     year, and fails on an error, an empty answer, a series of another
//     domain or entity level than the panel's scope (DashboardFile.Scopes),
//     or a panel without a unit;
//   - pushes reference CO2 series of other levels (World, China, Beijing)
//     and checks that the carbon panels' district figures leave them out;
//   - waits for a behind-schedule alert on the demo data;
//   - pushes a figure two days late and waits for its overdue alert, and
//     checks that a figure not yet due never alerts.

const (
	// e2eAnalysisInterval is short so the snapshot follows the pushes.
	e2eAnalysisInterval = 2 * time.Second
	// probeIndicator and lateProbeIndicator are hourly indicators added to
	// the catalogue for the due-date test; the demo never writes them, so
	// the test controls their age. The probe is stamped this hour (its
	// next figure is due tomorrow), the late probe two days ago (its next
	// figure was due yesterday).
	probeIndicator     = "e2e_probe"
	lateProbeIndicator = "e2e_probe_late"
)

// demoNow is when the dashboards are looked at: the last day of the
// demo's target year (config analysis.year 2024), so their default range,
// the current year, is the demo's year. When the demo runs up to today,
// this becomes time.Now().
var demoNow = time.Date(2024, 12, 31, 12, 0, 0, 0, models.Shanghai)

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test starts InfluxDB, Prometheus and the daemon; skipped with -short")
	}
	tool(t, "prometheus", "prometheus")
	tool(t, "promtool", "prometheus")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	work := t.TempDir()
	bin := buildGreenmetrics(t, work)
	influx := influxtest.New(t)
	catalog := writeProbeCatalog(t, work)
	probeTime := models.PeriodOf(models.FrequencyHourly, time.Now()).Start
	lateTime := models.PeriodOf(models.FrequencyHourly, time.Now().Add(-48*time.Hour)).Start
	cfg := writeServeConfig(t, work, influx, catalog)

	runDemo(ctx, t, bin, cfg)
	addr := startServe(ctx, t, bin, cfg, work)
	requireExporter(t, addr)
	prom := startPrometheus(t, work, addr)

	push(t, addr, probeRows(probeTime, lateTime))
	requirePushRejectionLogged(t, filepath.Join(work, "data", "rejects"))
	pushRows(t, addr, referenceCO2, 4, 0)

	// Wait until Prometheus holds a snapshot that includes the probe: from
	// then on every family of the exporter is there.
	waitFor(ctx, t, "Prometheus scraped a snapshot with the probe", func() (bool, string) {
		r, err := prom.query(`greenmetrics_indicator_next_due_timestamp_seconds{indicator=~"` + probeIndicator + `|` + lateProbeIndicator + `"}`)
		if err != nil {
			return false, err.Error()
		}
		return len(r) == 2, fmt.Sprintf("%d series", len(r))
	})

	// rate() over the system panels needs a few scrapes; Prometheus starts
	// scraping only after its first service-discovery update (~5 s).
	waitFor(ctx, t, "Prometheus has five scrapes", func() (bool, string) {
		r, err := prom.query(`count_over_time(up{job="greenmetrics"}[1m]) >= 5`)
		if err != nil {
			return false, err.Error()
		}
		return len(r) > 0, "fewer than 5 scrapes"
	})

	t.Run("rules healthy", func(t *testing.T) { checkRulesHealthy(t, prom) })
	t.Run("dashboard queries return data of their scope", func(t *testing.T) {
		checkDashboardQueries(t, prom, influx)
	})
	t.Run("carbon panels never sum regions", func(t *testing.T) {
		checkCarbonPanelsLeaveReferencesOut(ctx, t, prom, influx)
	})
	t.Run("behind schedule fires on the demo", func(t *testing.T) {
		a := waitForAlert(ctx, t, prom, "GreenmetricsTargetBehindSchedule", nil)
		t.Logf("firing: %s — %s", a.Annotations["name_zh"], a.Annotations["description"])
		if a.Annotations["name_zh"] == "" || a.Labels["domain"] == "" || a.Labels["severity"] != "warning" {
			t.Errorf("labels %v, annotations %v; want domain joined from the info family, name_zh as an annotation, severity warning", a.Labels, a.Annotations)
		}
		for _, text := range []string{"name_zh", "name_en", "display_unit"} {
			if _, ok := a.Labels[text]; ok {
				t.Errorf("label %s: texts belong in annotations, identity labels stay stable", text)
			}
		}
		if !strings.Contains(a.Annotations["description"], "序时进度") {
			t.Errorf("description %q lacks the time progress", a.Annotations["description"])
		}
	})
	t.Run("overdue fires for a late figure, names provider and due date", func(t *testing.T) {
		a := waitForAlert(ctx, t, prom, "GreenmetricsIndicatorOverdue", map[string]string{"indicator": lateProbeIndicator})
		t.Logf("firing: %v — %s", a.Labels, a.Annotations["description"])
		due := models.NextDue(models.FrequencyHourly, lateTime, models.DefaultLag(models.FrequencyHourly), time.Now()).Date
		wantDate := due.Add(-time.Second).In(models.Shanghai).Format("2006-01-02")
		if a.Labels["provider"] != "http" || a.Labels["domain"] != "urban" || a.Annotations["due_date"] != wantDate ||
			a.Annotations["name_zh"] != "端到端探针（逾期）" {
			t.Errorf("labels %v, annotations %v; want provider http (the open push), domain urban, due_date %s, name_zh 端到端探针（逾期）", a.Labels, a.Annotations, wantDate)
		}
	})
	t.Run("a figure not yet due never alerts", func(t *testing.T) {
		alerts, err := prom.alerts()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts {
			if a.Labels["alertname"] == "GreenmetricsIndicatorOverdue" && a.Labels["indicator"] == probeIndicator {
				t.Errorf("overdue alert %s for %s, whose next figure is due only tomorrow", a.State, probeIndicator)
			}
		}
	})
	t.Run("operators run an analysis; pushes are counted by status", func(t *testing.T) {
		checkAnalyzeAndRequestMetrics(ctx, t, prom, addr)
	})
	t.Run("annotations render", func(t *testing.T) { checkAnnotationsRender(t, prom) })
	logAlerts(t, prom)
}

// ── setting up ─────────────────────────────────────────────────────────

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func buildGreenmetrics(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "greenmetrics")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/greenmetrics")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/greenmetrics: %v\n%s", err, out)
	}
	return bin
}

// writeProbeCatalog is the shipped catalogue plus the probe indicator.
func writeProbeCatalog(t *testing.T, dir string) string {
	t.Helper()
	base, err := os.ReadFile(filepath.Join(repoRoot(t), "config", "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	probe := ""
	for code, name := range map[string]string{probeIndicator: "端到端探针", lateProbeIndicator: "端到端探针（逾期）"} {
		probe += "\n  - {code: " + code + ", name_zh: " + name + ", name_en: \"End-to-end probe\", domain: urban, unit: count, " +
			"display_unit: 个, kind: level, direction: higher, aggregation: last, frequency: hourly, min: 0, source: \"deploy/e2e_test.go\"}"
	}
	probe += "\n"
	path := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(path, append(bytes.TrimRight(base, "\n"), probe...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeServeConfig writes the daemon's config: the test's InfluxDB, the
// demo's water sections (copied from deploy/greenmetrics.yaml), the demo's
// target year 2024 (kept open: final_after_months far past its June data),
// a short analysis interval and a due-lag default (the probes keep the
// hourly default of a day).
func writeServeConfig(t *testing.T, dir string, influx influxtest.Server, catalog string) string {
	t.Helper()
	cfg := fmt.Sprintf(`listen: 127.0.0.1:%d
data_dir: %s
catalog: %s
log_level: info
influx:
  url: %s
  bucket: %s
analysis:
  interval: %s
  year: 2024
  due_lag: {annual: 3mo, quarterly: 30d}
  final_after_months: 60
%s`, influxtest.FreePort(t), filepath.Join(dir, "data"), catalog, influx.URL, influx.Bucket(), e2eAnalysisInterval, demoWaterSection(t))
	path := filepath.Join(dir, "greenmetrics.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// demoWaterSection is the `water:` block of the sample configuration,
// which lists the sections the demo's synthetic water data covers.
func demoWaterSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("greenmetrics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?ms)^water:\n.*?(?:^\S|\z)`).Find(b)
	if m == nil {
		t.Fatal("deploy/greenmetrics.yaml has no water: block")
	}
	block := strings.TrimRightFunc(string(m), func(r rune) bool { return r != '\n' })
	if !strings.Contains(block, "name:") {
		t.Fatalf("deploy/greenmetrics.yaml water: block lists no sections:\n%s", block)
	}
	return block
}

// runDemo loads the demo as of June 2024: the test tracks 2024 half-way
// through (deploy/years_e2e_test.go runs the demo to a later day).
func runDemo(ctx context.Context, t *testing.T, bin, cfg string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "demo", "--config", cfg, "--as-of", "2024-06")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("greenmetrics demo: %v\n%s", err, out)
	}
}

// startServe runs `greenmetrics serve` until the test ends and returns its
// address once /readyz answers.
func startServe(ctx context.Context, t *testing.T, bin, cfg, dir string) string {
	t.Helper()
	logPath := filepath.Join(dir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting serve: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("serve log:\n%s", tail(b, 40))
		}
	})
	addr := listenAddr(t, cfg)
	waitFor(ctx, t, "serve answers /readyz", func() (bool, string) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return addr
}

// requireExporter fails at once, with the fix, when serve's /metrics lacks
// the indicator exporter: every later check would only time out.
func requireExporter(t *testing.T, addr string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !bytes.Contains(body, []byte("greenmetrics_indicator_info{")) {
		t.Fatal("greenmetrics serve does not export the indicator metrics: cmd/greenmetrics/serve.go must register " +
			"exporter.New(state, cat.Indicators(), exporter.OptionsFrom(cfg.Analysis, cfg.Water)) on reg " +
			"(package metrics/exporter), next to the analysis engine that publishes into state")
	}
}

func listenAddr(t *testing.T, cfg string) string {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^listen: (\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no listen line", cfg)
	}
	return string(m[1])
}

// startPrometheus starts Prometheus with scripts/prometheus.sh, scraping
// addr every second and evaluating the production rules every second with
// every `for:` shortened to 1 s.
func startPrometheus(t *testing.T, dir, addr string) promAPI {
	t.Helper()
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules-fast.yml")
	if err := os.WriteFile(rulesPath, ShortenFor(rules, "1s"), 0o644); err != nil {
		t.Fatal(err)
	}
	promDir := filepath.Join(dir, "prometheus")
	port := influxtest.FreePort(t)
	script := filepath.Join(repoRoot(t), "scripts", "prometheus.sh")
	cmd := exec.Command("bash", script, "start", promDir, fmt.Sprint(port), addr, rulesPath)
	cmd.Env = append(os.Environ(), "SCRAPE_INTERVAL=1s", "EVALUATION_INTERVAL=1s")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/prometheus.sh start: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(promDir, "prometheus.log"))
			t.Logf("prometheus log:\n%s", tail(b, 20))
		}
		_ = exec.Command("bash", script, "stop", promDir).Run()
	})
	return promAPI{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
}

// probeRows is a push of the probes' observations, and one row of an
// unknown indicator so the rejection counters have a series.
func probeRows(ts, late time.Time) string {
	stamp := ts.Format(time.RFC3339)
	return "time,indicator,entity,value,unit\n" +
		stamp + "," + probeIndicator + ",,1,count\n" +
		stamp + ",no_such_indicator,,1,count\n" +
		late.Format(time.RFC3339) + "," + lateProbeIndicator + ",,1,count\n"
}

func push(t *testing.T, addr, csv string) {
	t.Helper()
	pushRows(t, addr, csv, 2, 1)
}

// pushRows pushes CSV and requires the answer to count the rows.
func pushRows(t *testing.T, addr, csv string, accepted, rejected int) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/api/v1/observations", "text/csv", strings.NewReader(csv))
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var sum struct{ Accepted, Rejected int }
	if err := json.Unmarshal(body, &sum); err != nil || resp.StatusCode != http.StatusOK || sum.Accepted != accepted || sum.Rejected != rejected {
		t.Fatalf("push = %s %s; want 200 with %d accepted, %d rejected", resp.Status, body, accepted, rejected)
	}
}

// referenceCO2 are reference series of other levels than the district's
// (world, country, province), as the OWID and CEADs files bring them. The
// smallest, Beijing's, is orders of magnitude above any district figure,
// so a panel that summed regions into the district's total would show it.
const (
	referenceCO2 = "time,indicator,entity,value,unit\n" +
		"2025-01-01,co2_total_ceads,China,11000000000,tCO2\n" +
		"2025-01-01,co2_total_ceads,Beijing,88000000,tCO2\n" +
		"2025-01-01,co2_annual_owid_gcp,World,37000000000,tCO2\n" +
		"2025-01-01,co2_annual_owid_gcp,China,11400000000,tCO2\n"
	smallestReferenceCO2 = 88000000.0
)

// requirePushRejectionLogged checks that the push's rejected row reached
// the rejection log, where the monthly report's data-quality section reads
// it. The daemon appends before it answers, so it is there already.
func requirePushRejectionLogged(t *testing.T, dir string) {
	t.Helper()
	entries, _, err := rejectlog.Read(dir, rejectlog.MonthOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Source == "push:http" && e.Rule == "unknown_indicator" && e.Row == 3 {
			return
		}
	}
	t.Errorf("rejection log has no entry for the pushed no_such_indicator row: %+v", entries)
}

// waitFor polls cond every 500 ms until it holds or ctx ends; the last
// state cond reported is in the failure.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	start := time.Now()
	last := ""
	for {
		ok, state := cond()
		if ok {
			t.Logf("%s after %v", what, time.Since(start).Round(100*time.Millisecond))
			return
		}
		last = state
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %v waiting until %s (last: %s)", time.Since(start).Round(time.Second), what, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ── Prometheus HTTP API ────────────────────────────────────────────────

type promAPI struct{ base string }

type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant query; a scalar or string result counts as one
// sample.
func (p promAPI) query(expr string) ([]promSample, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.get("/api/v1/query", url.Values{"query": {expr}}, &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" && data.ResultType != "matrix" {
		return []promSample{{}}, nil
	}
	var out []promSample
	if err := json.Unmarshal(data.Result, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// labelValues answers label_values(selector, label).
func (p promAPI) labelValues(selector, label string) ([]string, error) {
	var out []string
	err := p.get("/api/v1/label/"+url.PathEscape(label)+"/values", url.Values{"match[]": {selector}}, &out)
	return out, err
}

type promAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	Value       string            `json:"value"`
}

func (p promAPI) alerts() ([]promAlert, error) {
	var data struct {
		Alerts []promAlert `json:"alerts"`
	}
	err := p.get("/api/v1/alerts", nil, &data)
	return data.Alerts, err
}

func (p promAPI) get(path string, params url.Values, data any) error {
	resp, err := http.Get(p.base + path + "?" + params.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("%s: %s: %w", path, resp.Status, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

// ── checks ─────────────────────────────────────────────────────────────

func checkRulesHealthy(t *testing.T, prom promAPI) {
	var data struct {
		Groups []struct {
			Rules []struct {
				Name      string `json:"name"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := prom.get("/api/v1/rules", nil, &data); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range data.Groups {
		for _, r := range g.Rules {
			n++
			if r.Health != "ok" {
				t.Errorf("rule %s: health %q: %s", r.Name, r.Health, r.LastError)
			}
		}
	}
	if n == 0 {
		t.Error("Prometheus loaded no rules")
	}
}

// waitForAlert waits for a firing alert with the name and labels.
func waitForAlert(ctx context.Context, t *testing.T, prom promAPI, name string, labels map[string]string) promAlert {
	t.Helper()
	var found promAlert
	waitFor(ctx, t, name+" firing", func() (bool, string) {
		alerts, err := prom.alerts()
		if err != nil {
			return false, err.Error()
		}
		var states []string
		for _, a := range alerts {
			if a.Labels["alertname"] != name || !hasLabels(a.Labels, labels) {
				continue
			}
			if a.State == "firing" {
				found = a
				return true, ""
			}
			states = append(states, a.State)
		}
		return false, fmt.Sprintf("%d matching alerts, states %v", len(states), states)
	})
	return found
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// logAlerts lists the alerts Prometheus holds at the end, by name and state.
func logAlerts(t *testing.T, prom promAPI) {
	alerts, err := prom.alerts()
	if err != nil {
		t.Log(err)
		return
	}
	count := map[string]int{}
	for _, a := range alerts {
		count[a.Labels["alertname"]+" "+a.State]++
	}
	for _, k := range sortedKeys(count) {
		t.Logf("alerts: %s × %d", k, count[k])
	}
}

// checkAnnotationsRender: a template that fails renders as "<error
// expanding template…>" in the annotation instead of failing the rule.
func checkAnnotationsRender(t *testing.T, prom promAPI) {
	alerts, err := prom.alerts()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		for k, v := range a.Annotations {
			if strings.Contains(v, "error expanding template") || strings.Contains(v, "<no value>") {
				t.Errorf("%s %s: annotation %s did not render: %s", a.Labels["alertname"], a.Labels["indicator"], k, v)
			}
		}
	}
}

// ── dashboard queries ─────────────────────────────────────────────────

// panelQuery is one query of one panel, as Grafana would send it.
type panelQuery struct {
	dashboard, panel, refID string
	datasource              string // prometheus or influxdb
	text                    string
	unit                    string
}

// generatedScopes are the panels' scopes from the generator, by file.
func generatedScopes(t *testing.T) map[string]map[string]PanelScope {
	t.Helper()
	files, err := Dashboards()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]PanelScope{}
	for _, f := range files {
		out[f.Name] = f.Scopes
	}
	return out
}

// domainOf maps indicator codes of the test's catalogue to their domain.
func domainOf(t *testing.T) map[string]string {
	t.Helper()
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{probeIndicator: "urban", lateProbeIndicator: "urban"}
	for _, ind := range cat.Indicators() {
		out[ind.Code] = string(ind.Domain)
	}
	return out
}

func checkDashboardQueries(t *testing.T, prom promAPI, influx influxtest.Server) {
	files := dashboardFiles(t)
	scopes := generatedScopes(t)
	domains := domainOf(t)
	total := 0
	type panelKey struct{ dashboard, panel string }
	hasData := map[panelKey]bool{}
	var panels []panelKey
	texts := map[panelKey][]string{}
	for name, raw := range files {
		d := decodeDashboard(t, raw)
		vars := resolveVariables(t, prom, name, d)
		from, to := defaultRange(t, d, demoNow)
		for _, q := range panelQueries(name, d) {
			key := panelKey{name, q.panel}
			if _, seen := hasData[key]; !seen {
				hasData[key] = false
				panels = append(panels, key)
			}
			total++
			if q.unit == "" {
				t.Errorf("%s / %s: no unit", q.dashboard, q.panel)
			}
			scope, ok := scopes[name][q.panel]
			if !ok {
				t.Errorf("%s / %s: no scope", q.dashboard, q.panel)
			}
			if scope.Level == levelReference {
				scope.Level = vars["level"].first()
			}
			for _, mode := range []string{allValues, firstValues} {
				text := substitute(q, vars, mode, from, to)
				var series []labelledSeries
				var err error
				switch q.datasource {
				case "prometheus":
					series, err = promSeries(prom, text)
				case "influxdb":
					series, err = influxSeries(influx, text)
				default:
					t.Errorf("%s / %s: unknown datasource type %q", q.dashboard, q.panel, q.datasource)
					continue
				}
				if err != nil {
					t.Errorf("%s / %s / %s: %v\nquery: %s", q.dashboard, q.panel, q.refID, err, text)
				}
				if mode == allValues {
					hasData[key] = hasData[key] || len(series) > 0
					texts[key] = append(texts[key], text)
				}
				for _, s := range series {
					if msg := outOfScope(s, scope, domains); msg != "" {
						t.Errorf("%s / %s / %s: series %v: %s\nquery: %s", q.dashboard, q.panel, q.refID, s, msg, text)
						break
					}
				}
			}
		}
	}
	// A panel shows nothing with the dashboard's defaults: an error, unless
	// it is an InfluxDB panel and the demo holds no figure of its
	// indicators in the range at all (the real reference files end before
	// 2024 for some markets, the demo writes no annual intensities).
	empty := 0
	for _, k := range panels {
		if hasData[k] {
			continue
		}
		empty++
		inRange, checked := demoHasFigures(t, influx, texts[k])
		switch {
		case !checked:
			t.Errorf("%s / %s: no data with the dashboard's defaults\nqueries: %s", k.dashboard, k.panel, strings.Join(texts[k], "\n"))
		case inRange:
			t.Errorf("%s / %s: no data with the dashboard's defaults, though InfluxDB holds figures of its indicators in the range\nqueries: %s", k.dashboard, k.panel, strings.Join(texts[k], "\n"))
		default:
			t.Logf("%s / %s: empty: the demo has no figures of its indicators in %s", k.dashboard, k.panel, demoNow.Format("2006"))
		}
	}
	t.Logf("ran %d panel queries of %d panels of %d dashboards against Prometheus and InfluxDB (range %s); %d panels without demo data",
		total, len(panels), len(files), demoNow.Format("2006"), empty)
}

var (
	influxCodes      = regexp.MustCompile(`"indicator" =~ /\^\(([^)]*)\)\$/`)
	influxTimeFilter = regexp.MustCompile(`time >= \d+ms and time < \d+ms`)
)

// demoHasFigures says whether InfluxDB holds any figure of the indicators
// the InfluxQL queries name, in their time range; checked is false for
// queries it cannot read (Prometheus, no code list).
func demoHasFigures(t *testing.T, influx influxtest.Server, queries []string) (inRange, checked bool) {
	t.Helper()
	for _, q := range queries {
		codes := influxCodes.FindStringSubmatch(q)
		tf := influxTimeFilter.FindString(q)
		if codes == nil || tf == "" {
			return false, false
		}
		for _, m := range []string{"figure", "derived"} {
			rows, err := influxtest.Query(influx.URL, influx.Database, `SELECT count("value") FROM "`+m+`" WHERE "indicator" =~ /^(`+codes[1]+`)$/ AND `+tf)
			if err != nil {
				t.Errorf("counting figures: %v", err)
				return false, true
			}
			if len(rows) > 0 {
				return true, true
			}
		}
	}
	return false, true
}

// labelledSeries is one returned series: Prometheus labels or InfluxDB
// tags ("entity" absent for the district's figures).
type labelledSeries map[string]string

// outOfScope says why a series does not belong on its panel, or "".
func outOfScope(s labelledSeries, scope PanelScope, domains map[string]string) string {
	if code, ok := s["indicator"]; ok && len(scope.Domains) > 0 {
		if !containsString(scope.Domains, domains[code]) {
			return fmt.Sprintf("indicator %s is of domain %q, the panel shows %v", code, domains[code], scope.Domains)
		}
	}
	switch scope.Level {
	case "":
	case levelDistrict:
		if s["entity"] != "" || (s["level"] != "" && s["level"] != levelDistrict) {
			return "not the district's own figure"
		}
	case levelSection:
		if _, ok := s["section"]; !ok && s["entity"] == "" && s["indicator"] != "" {
			return "not a section's series"
		}
	default:
		if lv, ok := s["level"]; ok && lv != scope.Level {
			return fmt.Sprintf("level %q on a panel of level %q: levels overlap and must not be mixed", lv, scope.Level)
		}
		if _, ok := s["level"]; !ok && s["entity"] == "" {
			return fmt.Sprintf("a district figure on a panel of level %q", scope.Level)
		}
	}
	return ""
}

func panelQueries(file string, d jsonDashboard) []panelQuery {
	var out []panelQuery
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			pq := panelQuery{dashboard: file, panel: p.Title, refID: q.RefID, datasource: p.Datasource.Type, text: q.Expr, unit: p.FieldConfig.Defaults.Unit}
			if q.Query != "" {
				pq.text = q.Query
			}
			out = append(out, pq)
		}
	}
	return out
}

// defaultRange is the dashboard's default time range, taken at now: the
// calendar year for now/y (Beijing time, the dashboards' timezone).
func defaultRange(t *testing.T, d jsonDashboard, now time.Time) (time.Time, time.Time) {
	t.Helper()
	if d.Time.From == "now/y" && d.Time.To == "now/y" {
		start := time.Date(now.In(models.Shanghai).Year(), 1, 1, 0, 0, 0, 0, models.Shanghai)
		return start, start.AddDate(1, 0, 0)
	}
	if d.Time.From == "now-6h" {
		return time.Now().Add(-6 * time.Hour), time.Now()
	}
	t.Fatalf("default range %s to %s: the test knows now/y and now-6h only", d.Time.From, d.Time.To)
	return time.Time{}, time.Time{}
}

var labelValuesCall = regexp.MustCompile(`^label_values\((.*),\s*(\w+)\)$`)

// resolveVariables runs each query variable's label_values (with the
// variables before it set as Grafana chains them) and keeps its values;
// datasource variables keep their default. A variable offering nothing
// fails the test.
func resolveVariables(t *testing.T, prom promAPI, file string, d jsonDashboard) map[string]variableValues {
	out := map[string]variableValues{}
	for _, v := range d.Templating.List {
		if v.Type == "datasource" {
			out[v.Name] = variableValues{values: []string{v.Current.Value}}
			continue
		}
		q, _ := v.Query.(string)
		m := labelValuesCall.FindStringSubmatch(q)
		if m == nil {
			t.Errorf("%s: variable %s: query %q is not label_values(selector, label)", file, v.Name, q)
			continue
		}
		selector := m[1]
		for name, vals := range out {
			selector = replaceVar(selector, name, promRegex(vals.value(allValues, "prometheus")))
		}
		values, err := prom.labelValues(selector, m[2])
		if err != nil || len(values) == 0 {
			t.Errorf("%s: variable %s: %s offers no values (%v)", file, v.Name, selector, err)
			continue
		}
		vv := variableValues{values: values}
		if v.IncludeAll {
			vv.all = v.AllValue
		}
		out[v.Name] = vv
	}
	return out
}

type variableValues struct {
	all    string // AllValue; "" for single-valued variables
	values []string
}

func (v variableValues) first() string {
	if len(v.values) == 0 {
		return ""
	}
	return v.values[0]
}

// value is what the variable stands for in a query: All (or the only
// choice of a single-valued variable) when the dashboard opens, else the
// first value.
func (v variableValues) value(mode, datasource string) string {
	if mode == allValues && v.all != "" {
		return v.all
	}
	value := regexp.QuoteMeta(v.first())
	if v.all == "" {
		value = v.first() // single-valued: Grafana inserts the value as is
	}
	if datasource == "influxdb" {
		value = strings.ReplaceAll(value, "/", `\/`)
	}
	return value
}

// Two ways a dashboard is looked at: every variable on its default (All
// where offered), and on its first value.
const (
	allValues   = "all"
	firstValues = "first"
)

// substitute renders a query as Grafana would: variables, then the
// macros of the datasource, over the range from–to.
func substitute(q panelQuery, vars map[string]variableValues, mode string, from, to time.Time) string {
	text := q.text
	for name, v := range vars {
		value := v.value(mode, q.datasource)
		if q.datasource == "prometheus" {
			value = promRegex(value)
		}
		text = replaceVar(text, name, value)
	}
	if q.datasource == "influxdb" {
		text = strings.ReplaceAll(text, "$timeFilter", fmt.Sprintf("time >= %dms and time < %dms", from.UnixMilli(), to.UnixMilli()))
		return strings.ReplaceAll(text, "$__interval", "1d")
	}
	text = strings.ReplaceAll(text, "$__rate_interval", "1m")
	return strings.ReplaceAll(text, "$__interval", "1m")
}

// replaceVar replaces $name and ${name}, not $names.
func replaceVar(text, name, value string) string {
	re := regexp.MustCompile(`\$\{` + name + `\}|\$` + name + `\b`)
	return re.ReplaceAllLiteralString(text, value)
}

// promRegex escapes a regex for a double-quoted PromQL string.
func promRegex(re string) string { return strings.ReplaceAll(re, `\`, `\\`) }

// promSeries runs an instant query and returns each sample's labels.
func promSeries(prom promAPI, expr string) ([]labelledSeries, error) {
	r, err := prom.query(expr)
	if err != nil {
		return nil, err
	}
	out := make([]labelledSeries, 0, len(r))
	for _, s := range r {
		out = append(out, labelledSeries(s.Metric))
	}
	return out, nil
}

// influxSeries runs an InfluxQL query on the test database the way
// Grafana's datasource does (GET /query, db from the bucket) and returns
// the tags of each series with at least one row.
func influxSeries(influx influxtest.Server, q string) ([]labelledSeries, error) {
	params := url.Values{"q": {q}, "db": {influx.Database}, "epoch": {"ms"}}
	resp, err := http.Get(strings.TrimRight(influx.URL, "/") + "/query?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var answer struct {
		Error   string `json:"error"`
		Results []struct {
			Error  string `json:"error"`
			Series []struct {
				Tags   map[string]string `json:"tags"`
				Values [][]any           `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return nil, fmt.Errorf("%s: %w", resp.Status, err)
	}
	if answer.Error != "" {
		return nil, errors.New(answer.Error)
	}
	var out []labelledSeries
	for _, r := range answer.Results {
		if r.Error != "" {
			return nil, errors.New(r.Error)
		}
		for _, s := range r.Series {
			if len(s.Values) > 0 {
				out = append(out, labelledSeries(s.Tags))
			}
		}
	}
	return out, nil
}

// checkCarbonPanelsLeaveReferencesOut runs the carbon dashboard's district
// panels once the reference series are stored and exported: the latest
// values are the district's series only, and no value of the CO2 history
// (in 万吨) reaches the smallest reference figure.
func checkCarbonPanelsLeaveReferencesOut(ctx context.Context, t *testing.T, prom promAPI, influx influxtest.Server) {
	waitFor(ctx, t, "InfluxDB holds the reference CO2 series", func() (bool, string) {
		rows, err := influxtest.Query(influx.URL, influx.Database, `SELECT count("value") FROM "figure" WHERE "entity" = 'World'`)
		if err != nil {
			return false, err.Error()
		}
		return len(rows) > 0, "not yet delivered"
	})
	waitFor(ctx, t, "Prometheus has the reference CO2 series", func() (bool, string) {
		r, err := prom.query(`greenmetrics_indicator_value_tonnes_co2{entity="World"}`)
		if err != nil {
			return false, err.Error()
		}
		return len(r) > 0, "not in a snapshot yet"
	})
	limit := smallestReferenceCO2 / 1e4
	d := decodeDashboard(t, dashboardFiles(t)["carbon.json"])
	vars := resolveVariables(t, prom, "carbon.json", d)
	// The reference year 2025 is in range: the CO2 history runs over it.
	from := time.Date(2023, 1, 1, 0, 0, 0, 0, models.Shanghai)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, models.Shanghai)
	checked, historyRows := 0, 0
	for _, q := range panelQueries("carbon.json", d) {
		if q.panel != "本区最新值" && q.panel != "历史（本区，万吨二氧化碳）" {
			continue
		}
		text := substitute(q, vars, allValues, from, to)
		switch q.datasource {
		case "prometheus":
			samples, err := prom.query(text)
			if err != nil || len(samples) == 0 {
				t.Errorf("%s / %s: %d samples, %v", q.panel, q.refID, len(samples), err)
			}
			for _, s := range samples {
				if s.Metric["entity"] != "" || s.Metric["level"] != "district" {
					t.Errorf("%s / %s: sample %v; want district figures only", q.panel, q.refID, s.Metric)
				}
			}
		case "influxdb":
			rows, err := influxtest.Query(influx.URL, influx.Database, text)
			if err != nil {
				t.Errorf("%s / %s: %v\nquery: %s", q.panel, q.refID, err, text)
			}
			historyRows += len(rows)
			for _, row := range rows {
				if v, ok := row[1].(float64); ok && v >= limit {
					t.Errorf("%s / %s: %v 万吨 at %v reaches a reference region's figure: regions were summed\nquery: %s", q.panel, q.refID, v, row[0], text)
				}
			}
		}
		checked++
	}
	if checked < 3 || historyRows == 0 {
		t.Errorf("checked %d carbon district queries with %d history rows; want the latest values and both history queries, with rows", checked, historyRows)
	}
}

// checkAnalyzeAndRequestMetrics: POST /api/v1/analyze answers once a new
// snapshot is published (the push API is open in the test, so no token),
// and Prometheus holds the push requests by route and status.
func checkAnalyzeAndRequestMetrics(ctx context.Context, t *testing.T, prom promAPI, addr string) {
	before := time.Now()
	resp, err := http.Post("http://"+addr+"/api/v1/analyze", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"analyzed":true`) {
		t.Fatalf("POST /api/v1/analyze = %s %s; want 200 analyzed", resp.Status, body)
	}
	m, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	exposition, _ := io.ReadAll(m.Body)
	m.Body.Close()
	snap := regexp.MustCompile(`(?m)^greenmetrics_snapshot_timestamp_seconds (\S+)$`).FindSubmatch(exposition)
	if snap == nil {
		t.Fatal("/metrics has no snapshot timestamp")
	}
	var ts float64
	fmt.Sscan(string(snap[1]), &ts)
	if ts < float64(before.Truncate(time.Second).Unix()) {
		t.Errorf("snapshot of %v after an analysis requested at %v", time.Unix(int64(ts), 0), before)
	}
	waitFor(ctx, t, "Prometheus counts the pushes by status", func() (bool, string) {
		r, err := prom.query(`greenmetrics_http_requests_total{route="POST /api/v1/observations",code="200"}`)
		if err != nil {
			return false, err.Error()
		}
		return len(r) > 0, "no push counted"
	})
}
