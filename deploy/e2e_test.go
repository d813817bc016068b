package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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
//     the template variables and Grafana macros substituted, and fails on
//     an error or an empty answer;
//   - pushes reference CO2 series of other levels (World, China, Beijing)
//     and checks that the carbon panels' district totals leave them out;
//   - waits for a behind-schedule alert on the demo data;
//   - stops a source and waits for its stale-indicator alert.

const (
	// e2eAnalysisInterval is short so the snapshot follows the pushes.
	e2eAnalysisInterval = 2 * time.Second
	// probeIndicator is an hourly indicator added to the catalogue for the
	// stale test: the demo never writes it, so the test controls its age.
	probeIndicator = "e2e_probe"
	// probeLead is how long after the config is written the probe turns
	// stale. An hourly figure is stored at the start of its hour, so the
	// probe cannot be stamped at any second: it is stamped at the start of
	// the hour two hours ago, and the config's stale grace is chosen so
	// that the threshold (stamp + 2 h + grace) falls probeLead from now,
	// past the daemon's and Prometheus's start-up.
	probeLead = 75 * time.Second
)

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
	probeTime := models.PeriodOf(models.FrequencyHourly, time.Now().Add(-2*time.Hour)).Start
	staleAt := time.Now().Add(probeLead).Truncate(time.Second)
	cfg := writeServeConfig(t, work, influx, catalog, staleAt.Sub(probeTime.Add(2*time.Hour)))

	runDemo(ctx, t, bin, cfg)
	addr := startServe(ctx, t, bin, cfg, work)
	requireExporter(t, addr)
	prom := startPrometheus(t, work, addr)

	push(t, addr, probeRows(probeTime))
	requirePushRejectionLogged(t, filepath.Join(work, "data", "rejects"))
	pushRows(t, addr, referenceCO2, 4, 0)

	// Wait until Prometheus holds a snapshot that includes the probe: from
	// then on every family of the exporter is there.
	waitFor(ctx, t, "Prometheus scraped a snapshot with the probe", func() (bool, string) {
		r, err := prom.query(`greenmetrics_indicator_last_observation_timestamp_seconds{indicator="` + probeIndicator + `"}`)
		if err != nil {
			return false, err.Error()
		}
		return len(r) > 0, fmt.Sprintf("%d series", len(r))
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

	t.Run("probe fresh before its source stops", func(t *testing.T) {
		checkProbeNotYetStale(t, prom, probeTime, staleAt)
	})
	t.Run("rules healthy", func(t *testing.T) { checkRulesHealthy(t, prom) })
	t.Run("dashboard queries return data", func(t *testing.T) {
		checkDashboardQueries(t, prom, influx)
	})
	t.Run("carbon panels never sum regions", func(t *testing.T) {
		checkCarbonPanelsLeaveReferencesOut(ctx, t, prom, influx)
	})
	t.Run("behind schedule fires on the demo", func(t *testing.T) {
		a := waitForAlert(ctx, t, prom, "GreenmetricsTargetBehindSchedule", nil)
		t.Logf("firing: %s — %s", a.Labels["name_zh"], a.Annotations["description"])
		if a.Labels["name_zh"] == "" || a.Labels["domain"] == "" || a.Labels["severity"] != "warning" {
			t.Errorf("labels %v; want name_zh and domain joined from the info family, severity warning", a.Labels)
		}
		if !strings.Contains(a.Annotations["description"], "序时进度") {
			t.Errorf("description %q lacks the time progress", a.Annotations["description"])
		}
	})
	t.Run("stale fires when a source stops", func(t *testing.T) {
		a := waitForAlert(ctx, t, prom, "GreenmetricsIndicatorStale", map[string]string{"indicator": probeIndicator})
		t.Logf("firing: %s — %s", a.Labels["indicator"], a.Annotations["description"])
		if a.Labels["name_zh"] != "端到端探针" {
			t.Errorf("name_zh = %q; want the probe's Chinese name", a.Labels["name_zh"])
		}
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
	probe := "\n  - {code: " + probeIndicator + ", name_zh: 端到端探针, name_en: \"End-to-end probe\", domain: urban, unit: count, " +
		"display_unit: 个, kind: level, direction: higher, aggregation: last, frequency: hourly, min: 0, source: \"deploy/e2e_test.go\"}\n"
	path := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(path, append(bytes.TrimRight(base, "\n"), probe...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeServeConfig writes the daemon's config: the test's InfluxDB, the
// demo's water sections (copied from deploy/greenmetrics.yaml), the demo's
// target year 2024 (kept open: final_after_months far past its June data),
// a short analysis interval and the stale grace that
// makes the probe stale probeLead after start (not two hours and a week
// after its stamp).
func writeServeConfig(t *testing.T, dir string, influx influxtest.Server, catalog string, staleGrace time.Duration) string {
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
  final_after_months: 60
  stale_grace: %s
%s`, influxtest.FreePort(t), filepath.Join(dir, "data"), catalog, influx.URL, influx.Bucket(), e2eAnalysisInterval, staleGrace, demoWaterSection(t))
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

func runDemo(ctx context.Context, t *testing.T, bin, cfg string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "demo", "--config", cfg)
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

// probeRows is a push of the probe's observation at ts, and one row of an
// unknown indicator so the rejection counters have a series.
func probeRows(ts time.Time) string {
	stamp := ts.Format(time.RFC3339)
	return "time,indicator,entity,value,unit\n" +
		stamp + "," + probeIndicator + ",,1,count\n" +
		stamp + ",no_such_indicator,,1,count\n"
}

func push(t *testing.T, addr, csv string) {
	t.Helper()
	pushRows(t, addr, csv, 1, 1)
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

// checkProbeNotYetStale shows the stale alert does not fire while the
// source is fresh. When start-up was so slow that the probe is already
// past its threshold, there is nothing to show and the check says so.
func checkProbeNotYetStale(t *testing.T, prom promAPI, probeTime, staleAt time.Time) {
	if time.Until(staleAt) < 5*time.Second {
		t.Logf("start-up took until %v past the probe's stamp; the probe is already (nearly) stale", time.Since(probeTime))
		return
	}
	alerts, err := prom.alerts()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if a.Labels["alertname"] == "GreenmetricsIndicatorStale" && a.Labels["indicator"] == probeIndicator {
			t.Errorf("stale alert is %s %v before the probe is stale (stale at %v)", a.State, time.Until(staleAt), staleAt)
		}
	}
}

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
}

func checkDashboardQueries(t *testing.T, prom promAPI, influx influxtest.Server) {
	files := dashboardFiles(t)
	total := 0
	for name, raw := range files {
		d := decodeDashboard(t, raw)
		vars := resolveVariables(t, prom, name, d)
		for _, q := range panelQueries(name, d) {
			total++
			all := substitute(q, vars, allValues)
			switch q.datasource {
			case "prometheus":
				checkPromQuery(t, prom, q, all, true)
				checkPromQuery(t, prom, q, substitute(q, vars, firstValues), false)
			case "influxdb":
				checkInfluxQuery(t, influx, q, all, true)
				checkInfluxQuery(t, influx, q, substitute(q, vars, firstValues), false)
			default:
				t.Errorf("%s / %s: unknown datasource type %q", q.dashboard, q.panel, q.datasource)
			}
		}
	}
	t.Logf("ran %d panel queries of %d dashboards against Prometheus and InfluxDB", total, len(files))
}

func panelQueries(file string, d jsonDashboard) []panelQuery {
	var out []panelQuery
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			pq := panelQuery{dashboard: file, panel: p.Title, refID: q.RefID, datasource: p.Datasource.Type, text: q.Expr}
			if q.Query != "" {
				pq.text = q.Query
			}
			out = append(out, pq)
		}
	}
	return out
}

var labelValuesCall = regexp.MustCompile(`^label_values\((.*),\s*(\w+)\)$`)

// resolveVariables runs each variable's label_values query (with the
// variables before it set to All, as Grafana chains them) and keeps its
// values; a variable offering nothing fails the test.
func resolveVariables(t *testing.T, prom promAPI, file string, d jsonDashboard) map[string]variableValues {
	out := map[string]variableValues{}
	for _, v := range d.Templating.List {
		q, _ := v.Query.(string)
		m := labelValuesCall.FindStringSubmatch(q)
		if m == nil {
			t.Errorf("%s: variable %s: query %q is not label_values(selector, label)", file, v.Name, q)
			continue
		}
		selector := m[1]
		for name, vals := range out {
			selector = replaceVar(selector, name, promRegex(vals.all))
		}
		values, err := prom.labelValues(selector, m[2])
		if err != nil || len(values) == 0 {
			t.Errorf("%s: variable %s: %s offers no values (%v)", file, v.Name, q, err)
			continue
		}
		out[v.Name] = variableValues{all: v.AllValue, values: values}
	}
	return out
}

type variableValues struct {
	all    string
	values []string
}

// Two ways a dashboard is looked at: every variable on All (what it shows
// when opened), and on its first value.
const (
	allValues   = "all"
	firstValues = "first"
)

// substitute renders a query as Grafana would: variables, then the
// macros of the datasource.
func substitute(q panelQuery, vars map[string]variableValues, mode string) string {
	text := q.text
	for name, v := range vars {
		value := v.all
		if mode == firstValues {
			value = regexp.QuoteMeta(v.values[0])
			if q.datasource == "influxdb" {
				value = strings.ReplaceAll(value, "/", `\/`)
			}
		}
		if q.datasource == "prometheus" {
			value = promRegex(value)
		}
		text = replaceVar(text, name, value)
	}
	if q.datasource == "influxdb" {
		now := time.Now()
		text = strings.ReplaceAll(text, "$timeFilter",
			fmt.Sprintf("time >= %dms and time <= %dms", now.AddDate(-6, 0, 0).UnixMilli(), now.AddDate(0, 1, 0).UnixMilli()))
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

func checkPromQuery(t *testing.T, prom promAPI, q panelQuery, expr string, needData bool) {
	t.Helper()
	r, err := prom.query(expr)
	switch {
	case err != nil:
		t.Errorf("%s / %s / %s: %v\nquery: %s", q.dashboard, q.panel, q.refID, err, expr)
	case needData && len(r) == 0:
		t.Errorf("%s / %s / %s: no data\nquery: %s", q.dashboard, q.panel, q.refID, expr)
	}
}

func checkInfluxQuery(t *testing.T, influx influxtest.Server, q panelQuery, text string, needData bool) {
	t.Helper()
	n, err := influxRows(influx, text)
	switch {
	case err != nil:
		t.Errorf("%s / %s / %s: %v\nquery: %s", q.dashboard, q.panel, q.refID, err, text)
	case needData && n == 0:
		t.Errorf("%s / %s / %s: no data\nquery: %s", q.dashboard, q.panel, q.refID, text)
	}
}

// influxRows runs an InfluxQL query on the test database the way Grafana's
// datasource does (GET /query, db from the bucket) and counts result rows.
func influxRows(influx influxtest.Server, q string) (int, error) {
	rows, err := influxtest.Query(influx.URL, influx.Database, q)
	return len(rows), err
}

// checkCarbonPanelsLeaveReferencesOut runs the carbon dashboard's totals
// once the reference series are stored and exported: no value may reach
// the smallest reference figure (in 万吨), and the latest-emissions panel
// shows the district's series only.
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
	checked := 0
	for _, q := range panelQueries("carbon.json", d) {
		if !strings.HasPrefix(q.panel, "最新排放") && !strings.HasPrefix(q.panel, "排放历史") {
			continue
		}
		text := substitute(q, vars, allValues)
		switch q.datasource {
		case "prometheus":
			samples, err := prom.query(text)
			if err != nil || len(samples) == 0 {
				t.Errorf("%s / %s: %d samples, %v", q.panel, q.refID, len(samples), err)
			}
			for _, s := range samples {
				v, _ := strconv.ParseFloat(fmt.Sprint(s.Value[1]), 64)
				if s.Metric["entity"] != "" || v >= limit {
					t.Errorf("%s / %s: sample %v = %v 万吨; want district figures only, below %v", q.panel, q.refID, s.Metric, v, limit)
				}
			}
		case "influxdb":
			rows, err := influxtest.Query(influx.URL, influx.Database, text)
			if err != nil || len(rows) == 0 {
				t.Errorf("%s / %s: %d rows, %v\nquery: %s", q.panel, q.refID, len(rows), err, text)
			}
			for _, row := range rows {
				if v, ok := row[1].(float64); ok && v >= limit {
					t.Errorf("%s / %s: %v 万吨 at %v reaches a reference region's figure: regions were summed\nquery: %s", q.panel, q.refID, v, row[0], text)
				}
			}
		}
		checked++
	}
	if checked < 3 {
		t.Errorf("checked %d carbon total queries, want the latest-emissions and both history queries", checked)
	}
}
