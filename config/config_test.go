package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
)

func TestLoadOverridesDefaults(t *testing.T) {
	cfg, err := config.Load(filepath.Join("testdata", "config_ok.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:19464" || cfg.Influx.Timeout != 5*time.Second || cfg.Analysis.Alpha != 0.1 {
		t.Errorf("Load = %+v; file values not applied", cfg)
	}
	if cfg.Influx.Database() != "green" || cfg.Influx.RetentionPolicy() != "autogen" {
		t.Errorf("bucket split = %q/%q, want green/autogen", cfg.Influx.Database(), cfg.Influx.RetentionPolicy())
	}
	if cfg.Ingest.BatchSize != 5000 || cfg.Report.Day != 3 {
		t.Errorf("defaults lost for unset keys: batch %d, report day %d", cfg.Ingest.BatchSize, cfg.Report.Day)
	}
	if len(cfg.Water.Sections) != 1 || cfg.Water.Sections[0].TargetClass != 4 {
		t.Errorf("water sections = %+v", cfg.Water.Sections)
	}
}

func TestLoadErrorsNameFileLineAndField(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"config_unknown_key.yaml", []string{`config_unknown_key.yaml:4: influx.buckett: unknown key (allowed: bucket, org, timeout, token, token_file, url)`}},
		{"config_bad_values.yaml", []string{
			`config_bad_values.yaml:1: listen: "nowhere" must be host:port`,
			`config_bad_values.yaml:3: influx.url: "ftp://x" must be http(s)://host:port`,
			"config_bad_values.yaml:5: analysis.alpha: 1.5 must be in (0, 1)",
			`config_bad_values.yaml:7: report.lang: "fr" must be zh or en`,
		}},
	}
	for _, tc := range tests {
		_, err := config.Load(filepath.Join("testdata", tc.file))
		if err == nil {
			t.Fatalf("Load(%s) = nil error", tc.file)
		}
		msg := strings.ReplaceAll(err.Error(), "testdata/", "")
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("Load(%s) = %q\nwant it to contain %q", tc.file, msg, w)
			}
		}
	}
}

func TestApplyEnv(t *testing.T) {
	cfg := config.Default()
	env := map[string]string{
		"GREENMETRICS_INFLUX_URL":    "http://influx.example:8086",
		"GREENMETRICS_INFLUX_BUCKET": "prod",
		"GREENMETRICS_INFLUX_TOKEN":  "s3cret",
	}
	cfg.ApplyEnv(func(k string) string { return env[k] })
	if cfg.Influx.URL != env["GREENMETRICS_INFLUX_URL"] || cfg.Influx.Bucket != "prod" || cfg.Influx.Token != "s3cret" {
		t.Errorf("ApplyEnv did not override: %+v", cfg.Influx)
	}
	if cfg.Influx.Org != "greenmetrics" {
		t.Errorf("ApplyEnv changed an unset variable's setting: org %q", cfg.Influx.Org)
	}
	if cfg.Influx.Database() != "prod" || cfg.Influx.RetentionPolicy() != "" {
		t.Errorf("3.x-style bucket split = %q/%q, want prod/\"\"", cfg.Influx.Database(), cfg.Influx.RetentionPolicy())
	}
}

func TestDefaultIsValid(t *testing.T) {
	cfg := config.Default()
	if err := cfg.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

// TestLoadReportsEveryProblem: a file with several problems in several
// sections gets every one of them, in line order, each with its line and
// key: unknown keys, values of the wrong type and broken rules alike.
func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := config.Load(filepath.Join("testdata", "config_many_problems.yaml"))
	var es config.Errors
	if !errors.As(err, &es) {
		t.Fatalf("Load = %v; want config.Errors", err)
	}
	want := []string{
		`1: listen: "nowhere" must be host:port`,
		`2: log_level: "loud" must be debug, info, warn or error`,
		`4: influx.url: "ftp://x" must be http(s)://host:port`,
		`5: influx.timeout: "xyz" is not a duration (like 20s, 5m or 1h30m)`,
		`6: influx.buckett: unknown key (allowed: bucket, org, timeout, token, token_file, url)`,
		`8: ingest.batch_size: 0 must be in 1..100000`,
		`9: ingest.max_rows: "many" is not a whole number`,
		`12: water.sections[0].water_body: 北京市/新八里桥: "sea" is not river, lake or reservoir`,
		`12: water.sections[0].target_class: 北京市/新八里桥: 7 must be 1–5`,
		`13: water.sections[1].name: section "北京市/新八里桥" listed twice`,
		`15: analysis.alpha: 1.5 must be in (0, 1)`,
		`16: analysis.window: 0s must be positive`,
		`18: report.lang: "fr" must be zh or en`,
		`19: report.formats[1]: "pdf" must be html, csv, json or md`,
		`20: colour: unknown key (allowed: analysis, carbon, catalog, data_dir, influx, ingest, listen, log_format, log_level, mappings, plans_dir, report, scope, water)`,
	}
	var got []string
	for _, e := range es {
		got = append(got, strings.TrimPrefix(e.Error(), filepath.Join("testdata", "config_many_problems.yaml")+":"))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Load problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoadLocatesEachProblem: one problem per file, with the line and key
// it is reported at — including keys left at their default (reported at
// their section) and values of the wrong type.
func TestLoadLocatesEachProblem(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"bad duration", "influx:\n  timeout: xyz\n", `:2: influx.timeout: "xyz" is not a duration (like 20s, 5m or 1h30m)`},
		{"rule on a default, at its section", "ingest:\n  retry_min: 2m\n", `:1: ingest.retry_max: 1m0s must not be below retry_min 2m0s`},
		{"scope level", "scope:\n  levels:\n    x: galactic\n", `:3: scope.levels["x"]: `},
		{"unnamed mapping", "mappings:\n  - layout: long\n", `:2: mappings[0]: name is required`},
		{"bad float", "analysis:\n  alpha: high\n", `:2: analysis.alpha: "high" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "greenmetrics.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := config.Load(path)
			if err == nil || !strings.Contains(err.Error(), path+tc.want) {
				t.Errorf("Load = %v\nwant it to contain %q", err, path+tc.want)
			}
		})
	}
}
