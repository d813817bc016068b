package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tool returns the path of a command-line tool the deployment files are
// checked with, failing the test with the fix when it is missing.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found on PATH: install the Debian package %s (scripts/setup.sh does): %v", name, debianPackage, err)
	}
	return path
}

// run runs a tool and fails the test with its output when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

const (
	rulesFile        = "prometheus/rules.yml"
	prometheusConfig = "prometheus/prometheus.yml"
	alertmanagerFile = "alertmanager/alertmanager.yml"
)

func TestPromtoolCheckRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	out := run(t, promtool, "check", "rules", rulesFile)
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules: no SUCCESS in\n%s", out)
	}
}

// TestPromtoolTestRules runs every unit-test file of the rules.
func TestPromtoolTestRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	files, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule tests in prometheus/tests (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			run(t, promtool, "test", "rules", f)
		})
	}
}

// TestEveryAlertIsUnitTested: a rule without a promtool test is a rule
// nobody has seen fire.
func TestEveryAlertIsUnitTested(t *testing.T) {
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var tests []byte
	files, _ := filepath.Glob("prometheus/tests/*.yml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, b...)
	}
	for _, name := range alertNames(rules) {
		if !regexp.MustCompile(`alertname:\s*` + name + `\s`).Match(tests) {
			t.Errorf("alert %s has no alert_rule_test in prometheus/tests", name)
		}
	}
}

func TestPromtoolCheckConfig(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	run(t, promtool, "check", "config", prometheusConfig)
}

// TestPrometheusScriptRendersValidConfig checks the config scripts/
// prometheus.sh renders for `make run` and the integration test.
func TestPrometheusScriptRendersValidConfig(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"run", nil, []string{"scrape_interval: 15s", "targets: ['127.0.0.1:19464']"}},
		{"integration test", []string{"SCRAPE_INTERVAL=1s", "EVALUATION_INTERVAL=1s"},
			[]string{"scrape_interval: 1s", "scrape_timeout: 1s", "evaluation_interval: 1s"}},
		{"with alertmanager", []string{"ALERTMANAGER=127.0.0.1:19093"}, []string{"targets: ['127.0.0.1:19093']"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("bash", "../scripts/prometheus.sh", "render", "127.0.0.1:19464")
			cmd.Env = append(os.Environ(), tt.env...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("prometheus.sh render: %v", err)
			}
			for _, w := range tt.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("rendered config lacks %q:\n%s", w, out)
				}
			}
			path := filepath.Join(t.TempDir(), "prometheus.yml")
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, promtool, "check", "config", path)
		})
	}
}

func TestAmtoolCheckConfig(t *testing.T) {
	amtool := tool(t, "amtool", "prometheus-alertmanager")
	run(t, amtool, "check-config", alertmanagerFile)
}

// TestAlertRouting resolves sample alerts through the Alertmanager routing
// tree with amtool, so a reordered route cannot silently stop paging.
func TestAlertRouting(t *testing.T) {
	amtool := tool(t, "amtool", "prometheus-alertmanager")
	tests := []struct {
		labels []string
		want   string
	}{
		{[]string{"alertname=GreenmetricsExporterAbsent", "severity=critical", "domain=system"}, "oncall-webhook,ops-email"},
		{[]string{"alertname=GreenmetricsTargetMissed", "severity=critical", "domain=urban"}, "oncall-webhook,planning-email"},
		{[]string{"alertname=GreenmetricsTargetBehindSchedule", "severity=warning", "domain=carbon"}, "climate-email"},
		{[]string{"alertname=GreenmetricsTargetBehindSchedule", "severity=warning", "domain=green_finance"}, "climate-email"},
		{[]string{"alertname=GreenmetricsWaterSectionBelowTarget", "severity=warning", "domain=water"}, "environment-email"},
		{[]string{"alertname=GreenmetricsIndicatorOverdue", "severity=warning", "domain=air", "provider=cnemc", "indicator=pm25"}, "environment-email"},
		{[]string{"alertname=GreenmetricsIndicatorOverdue", "severity=warning", "domain=green_finance", "provider=pbc", "indicator=green_loan_balance"}, "climate-email"},
		{[]string{"alertname=GreenmetricsSpoolBacklog", "severity=warning", "domain=system"}, "ops-email"},
		{[]string{"alertname=Anything", "severity=info", "domain=water"}, "blackhole"},
		{[]string{"alertname=Unrouted", "severity=warning", "domain=unknown"}, "oncall-webhook"},
	}
	for _, tt := range tests {
		args := append([]string{"config", "routes", "test", "--config.file=" + alertmanagerFile}, tt.labels...)
		out, err := exec.Command(amtool, args...).Output()
		if err != nil {
			t.Errorf("amtool %s: %v", strings.Join(args, " "), err)
			continue
		}
		if got := strings.TrimSpace(string(out)); got != tt.want {
			t.Errorf("route(%v) = %q; want %q", tt.labels, got, tt.want)
		}
	}
}

func TestShortenFor(t *testing.T) {
	rules, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	short := ShortenFor(rules, "2s")
	if n := len(regexp.MustCompile(`(?m)^\s+for: 2s$`).FindAll(short, -1)); n != strings.Count(string(rules), "\n        for: ") {
		t.Errorf("ShortenFor rewrote %d for: lines; want every one of %d", n, strings.Count(string(rules), "\n        for: "))
	}
	strip := regexp.MustCompile(`(?m)^\s+for: \S+$`)
	if !bytes.Equal(strip.ReplaceAll(rules, nil), strip.ReplaceAll(short, nil)) {
		t.Error("ShortenFor changed more than the for: lines")
	}
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, short, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, tool(t, "promtool", "prometheus"), "check", "rules", path)
}
