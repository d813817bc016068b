package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/present"
)

// TestVersion: --version and the version command print the build version
// ("dev" without -ldflags) and the Go version the binary was built with.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		want := "greenmetrics dev (" + runtime.Version()
		if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, ")\n") {
			t.Errorf("%v printed %q; want it to start with %q", args, out, want)
		}
	}
}

func TestBuildDetails(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"no VCS", nil, " (go1.24.2)"},
		{"clean checkout", setting("vcs.revision", "3a42df3", "vcs.time", "2026-12-03T10:00:00Z", "vcs.modified", "false"),
			" (go1.24.2, commit 3a42df3 2026-12-03T10:00:00Z)"},
		{"modified tree", setting("vcs.revision", "3a42df3", "vcs.modified", "true"), " (go1.24.2, commit 3a42df3, modified)"},
	}
	for _, tc := range tests {
		got := buildDetails(&debug.BuildInfo{GoVersion: "go1.24.2", Settings: tc.settings})
		if got != tc.want {
			t.Errorf("%s: buildDetails = %q; want %q", tc.name, got, tc.want)
		}
	}
}

// TestCatalogTableAlignsChineseNames: `greenmetrics catalog` pads by
// display width, so every column starts at the same terminal cell
// whatever the length of the Chinese names before it.
func TestCatalogTableAlignsChineseNames(t *testing.T) {
	cat := writeTemp(t, "catalog.yaml", `indicators:
  - {code: a, name_zh: 碳, name_en: A, domain: carbon, unit: tCO2, kind: flow, direction: lower, aggregation: sum, frequency: monthly}
  - {code: long_code_b, name_zh: 用能和碳排放综合评价试点核减二氧化碳排放, name_en: B, domain: energy, unit: tce, kind: flow, direction: lower, aggregation: sum, frequency: monthly}
  - {code: c, name_zh: 绿色建筑面积（新建）, name_en: C, domain: building, unit: m2, kind: flow, direction: higher, aggregation: sum, frequency: monthly}
`)
	out, err := runCLI(t, "catalog", "--catalog", cat)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("catalog printed %d lines; want a header and 3 rows:\n%s", len(lines), out)
	}
	// The cell where the DOMAIN and UNIT columns start, on each line.
	columnStarts := func(line string, cells ...string) []int {
		var starts []int
		for _, c := range cells {
			i := strings.Index(line, c)
			if i < 0 {
				t.Fatalf("line %q lacks %q", line, c)
			}
			starts = append(starts, present.DisplayWidth(line[:i]))
		}
		return starts
	}
	cells := [][]string{{"DOMAIN", "UNIT"}, {"carbon", "tCO2"}, {"energy", "tce"}, {"building", "m2"}}
	want := columnStarts(lines[0], cells[0]...)
	for i, line := range lines[1:] {
		if got := columnStarts(line, cells[i+1]...); got[0] != want[0] || got[1] != want[1] {
			t.Errorf("row %d columns start at cells %v; header's at %v:\n%s", i+1, got, want, out)
		}
	}
}

// TestFlagsOnlyWhereTheyApply: each command offers only the shared flags
// it uses; the InfluxDB flags only on the commands that talk to InfluxDB.
func TestFlagsOnlyWhereTheyApply(t *testing.T) {
	influx := []string{"influx-url", "influx-token", "influx-org", "influx-bucket"}
	cfg := []string{"config", "catalog"}
	log := []string{"log-level"}
	all := append(append(append([]string{}, influx...), cfg...), log...)
	tests := []struct {
		path []string
		want []string
	}{
		{[]string{"catalog"}, cfg},
		{[]string{"check"}, cfg},
		{[]string{"trend"}, nil},
		{[]string{"water", "classify"}, nil},
		{[]string{"version"}, nil},
		{[]string{"history"}, cfg},
		{[]string{"migrate"}, append(append([]string{}, cfg...), influx...)},
		{[]string{"serve"}, all},
		{[]string{"import"}, all},
		{[]string{"demo"}, all},
		{[]string{"progress"}, all},
		{[]string{"report"}, all},
	}
	root := newRootCmd()
	for _, tc := range tests {
		cmd, _, err := root.Find(tc.path)
		if err != nil {
			t.Fatalf("%v: %v", tc.path, err)
		}
		for _, name := range all {
			has := cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil
			if want := contains(tc.want, name); has != want {
				t.Errorf("%s: has --%s = %v; want %v", cmd.CommandPath(), name, has, want)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestTrendUsageLine: the usage line is plain text, no markdown escape.
func TestTrendUsageLine(t *testing.T) {
	cmd, _, err := newRootCmd().Find([]string{"trend"})
	if err != nil {
		t.Fatal(err)
	}
	line := cmd.UseLine()
	if strings.Contains(line, `\`) || !strings.HasSuffix(line, " [FILE|-] [flags]") {
		t.Errorf("trend usage line = %q; want it to end in \"[FILE|-] [flags]\" without a backslash", line)
	}
}

// TestLogLevel: --log-level shows its default and variable in help, and
// the level is flag > GREENMETRICS_LOG_LEVEL > config file > info.
func TestLogLevel(t *testing.T) {
	warnCfg := writeTemp(t, "greenmetrics.yaml", "log_level: warn\n")
	tests := []struct {
		name, env, config string
		args              []string
		want              string
	}{
		{"default", "", "", nil, "info"},
		{"config file", "", warnCfg, nil, "warn"},
		{"environment over file", "debug", warnCfg, nil, "debug"},
		{"flag over all", "debug", warnCfg, []string{"--log-level", "error"}, "error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GREENMETRICS_LOG_LEVEL", tc.env)
			t.Setenv("GREENMETRICS_CONFIG", tc.config)
			var s settings
			cmd := &cobra.Command{Use: "x"}
			s.registerConfig(cmd)
			s.registerLog(cmd)
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := s.overrides().Resolve(os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.LogLevel != tc.want {
				t.Errorf("log level = %q; want %q", cfg.LogLevel, tc.want)
			}
		})
	}
	t.Setenv("GREENMETRICS_LOG_LEVEL", "")
	out, err := runCLI(t, "serve", "--help")
	if err != nil {
		t.Fatal(err)
	}
	if want := `debug, info, warn or error; env GREENMETRICS_LOG_LEVEL (default "info")`; !strings.Contains(out, want) {
		t.Errorf("serve --help lacks %q:\n%s", want, out)
	}
}
