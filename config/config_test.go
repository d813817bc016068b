package config_test

import (
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
		{"config_unknown_key.yaml", []string{`config_unknown_key.yaml:4: unknown field "buckett"`}},
		{"config_bad_values.yaml", []string{
			"config_bad_values.yaml: listen: address nowhere: missing port in address",
			`config_bad_values.yaml: influx: url "ftp://x" must be http(s)://host:port`,
			"config_bad_values.yaml: analysis: alpha 1.5 must be in (0, 1)",
			`config_bad_values.yaml: report: lang "fr" must be zh or en`,
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
