package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// TestAlertmanagerGroupsAndInhibits loads the sample configuration into a
// real Alertmanager, posts the alerts of a bad month and reads back how
// it groups and inhibits them: one group per domain and provider (never per
// indicator), BehindSchedule silencing the ProjectedMiss of the same
// indicator, an overdue figure silencing its indicator's target alerts.
// (amtool config routes test names receivers, not groups.)
func TestAlertmanagerGroupsAndInhibits(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Alertmanager; skipped with -short")
	}
	bin := tool(t, "prometheus-alertmanager", "prometheus-alertmanager")
	base := startAlertmanager(t, bin)

	alerts := []map[string]string{
		{"alertname": "GreenmetricsIndicatorOverdue", "indicator": "co2_emissions", "provider": "energy_stats", "domain": "carbon", "severity": "warning"},
		{"alertname": "GreenmetricsIndicatorOverdue", "indicator": "energy_consumption_total", "provider": "energy_stats", "domain": "carbon", "severity": "warning"},
		{"alertname": "GreenmetricsIndicatorOverdue", "indicator": "pm25", "provider": "cnemc", "domain": "air", "severity": "warning"},
		{"alertname": "GreenmetricsTargetBehindSchedule", "indicator": "co2_emissions", "domain": "carbon", "severity": "warning"},
		{"alertname": "GreenmetricsTargetProjectedMiss", "indicator": "co2_emissions", "domain": "carbon", "severity": "warning"},
		{"alertname": "GreenmetricsTargetBehindSchedule", "indicator": "green_loan_balance", "domain": "green_finance", "severity": "warning"},
		{"alertname": "GreenmetricsTargetProjectedMiss", "indicator": "green_loan_balance", "domain": "green_finance", "severity": "warning"},
		{"alertname": "GreenmetricsTargetProjectedMiss", "indicator": "green_credit_balance", "domain": "green_finance", "severity": "warning"},
	}
	postAlerts(t, base, alerts)

	t.Run("inhibition", func(t *testing.T) {
		want := map[string]string{
			"GreenmetricsIndicatorOverdue co2_emissions":            "active",
			"GreenmetricsIndicatorOverdue energy_consumption_total": "active",
			"GreenmetricsIndicatorOverdue pm25":                     "active",
			// co2_emissions is overdue: its target alerts wait for the figure.
			"GreenmetricsTargetBehindSchedule co2_emissions":      "suppressed",
			"GreenmetricsTargetProjectedMiss co2_emissions":       "suppressed",
			"GreenmetricsTargetBehindSchedule green_loan_balance": "active",
			// Behind schedule already says it.
			"GreenmetricsTargetProjectedMiss green_loan_balance": "suppressed",
			// Nothing else about green_credit_balance: stays.
			"GreenmetricsTargetProjectedMiss green_credit_balance": "active",
		}
		// The inhibitor learns of new alerts asynchronously: wait until it
		// has (the bound is a deadlock guard), then compare.
		var state map[string]string
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			state = alertStates(t, base)
			if sameStates(state, want) || time.Now().After(deadline) {
				break
			}
		}
		for k, w := range want {
			if state[k] != w {
				t.Errorf("%s: state %q; want %q", k, state[k], w)
			}
		}
	})
	t.Run("grouping", func(t *testing.T) {
		groups := alertGroups(t, base)
		want := []string{
			"air/cnemc → environment-email: GreenmetricsIndicatorOverdue pm25",
			"carbon/ → climate-email: GreenmetricsTargetBehindSchedule co2_emissions, GreenmetricsTargetProjectedMiss co2_emissions",
			"carbon/energy_stats → climate-email: GreenmetricsIndicatorOverdue co2_emissions, GreenmetricsIndicatorOverdue energy_consumption_total",
			"green_finance/ → climate-email: GreenmetricsTargetBehindSchedule green_loan_balance, GreenmetricsTargetProjectedMiss green_credit_balance, GreenmetricsTargetProjectedMiss green_loan_balance",
		}
		if strings.Join(groups, "\n") != strings.Join(want, "\n") {
			t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(groups, "\n"), strings.Join(want, "\n"))
		}
	})
}

// startAlertmanager runs Alertmanager on the sample config until the test
// ends, without clustering, and returns its base URL once it answers.
func startAlertmanager(t *testing.T, bin string) string {
	t.Helper()
	dir := t.TempDir()
	port := influxtest.FreePort(t)
	logPath := filepath.Join(dir, "alertmanager.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+alertmanagerFile, "--storage.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port), "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("alertmanager log:\n%s", tail(b, 20))
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func postAlerts(t *testing.T, base string, alerts []map[string]string) {
	t.Helper()
	var body []map[string]any
	for _, l := range alerts {
		body = append(body, map[string]any{"labels": l, "annotations": map[string]string{"summary": "test"}})
	}
	b, _ := json.Marshal(body)
	resp, err := http.Post(base+"/api/v2/alerts", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
	}
}

type amAlert struct {
	Labels map[string]string `json:"labels"`
	Status struct {
		State string `json:"state"`
	} `json:"status"`
}

func amGet(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}

func sameStates(have, want map[string]string) bool {
	for k, w := range want {
		if have[k] != w {
			return false
		}
	}
	return true
}

// alertStates maps "alertname indicator" to the alert's state.
func alertStates(t *testing.T, base string) map[string]string {
	var alerts []amAlert
	amGet(t, base+"/api/v2/alerts", &alerts)
	out := map[string]string{}
	for _, a := range alerts {
		out[a.Labels["alertname"]+" "+a.Labels["indicator"]] = a.Status.State
	}
	return out
}

// alertGroups describes each aggregation group as
// "domain/provider → receiver: alerts", sorted.
func alertGroups(t *testing.T, base string) []string {
	var groups []struct {
		Labels   map[string]string `json:"labels"`
		Receiver struct {
			Name string `json:"name"`
		} `json:"receiver"`
		Alerts []amAlert `json:"alerts"`
	}
	amGet(t, base+"/api/v2/alerts/groups", &groups)
	var out []string
	for _, g := range groups {
		for k := range g.Labels {
			if k != "domain" && k != "provider" {
				t.Errorf("group %v is keyed by %s; want domain and provider only", g.Labels, k)
			}
		}
		var names []string
		for _, a := range g.Alerts {
			names = append(names, a.Labels["alertname"]+" "+a.Labels["indicator"])
		}
		sort.Strings(names)
		out = append(out, fmt.Sprintf("%s/%s → %s: %s", g.Labels["domain"], g.Labels["provider"], g.Receiver.Name, strings.Join(names, ", ")))
	}
	sort.Strings(out)
	return out
}
