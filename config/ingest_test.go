package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/greenmetrics/greenmetrics/config"
)

func TestMappingValidation(t *testing.T) {
	long := config.Mapping{Name: "m", Layout: "long", TimeColumn: "t", IndicatorColumn: "i", ValueColumn: "v"}
	wide := config.Mapping{Name: "m", Layout: "wide", TimeColumn: "t", Columns: map[string]config.ColumnMapping{"ph": {Indicator: "ph", Unit: "pH"}}}
	tests := []struct {
		name string
		edit func(m *config.Mapping)
		base config.Mapping
		want string // "" means valid
	}{
		{"long ok", func(*config.Mapping) {}, long, ""},
		{"wide ok", func(*config.Mapping) {}, wide, ""},
		{"no name", func(m *config.Mapping) { m.Name = "" }, long, "name is required"},
		{"bad layout", func(m *config.Mapping) { m.Layout = "tall" }, long, `mapping "m": layout "tall" is not long or wide`},
		{"long without value", func(m *config.Mapping) { m.ValueColumn = "" }, long, `mapping "m": long layout needs indicator_column and value_column`},
		{"long with columns", func(m *config.Mapping) { m.Columns = wide.Columns }, long, `mapping "m": columns is for the wide layout; a long layout uses indicator_column and value_column`},
		{"wide with indicator column", func(m *config.Mapping) { m.IndicatorColumn = "i" }, wide, `mapping "m": indicator_column, value_column, unit_column, indicators and entity_indicators are for the long layout`},
		{"no time", func(m *config.Mapping) { m.TimeColumn = "" }, long, `mapping "m": time_column or time_columns is required`},
		{"both times", func(m *config.Mapping) { m.TimeColumns = []string{"y"} }, long, `mapping "m": time_column and time_columns exclude each other`},
		{"six time columns", func(m *config.Mapping) { m.TimeColumn, m.TimeColumns = "", []string{"a", "b", "c", "d", "e", "f"} }, long,
			`mapping "m": time_columns has 6 columns; at most 5 (year, month, day, hour, minute)`},
		{"two entities", func(m *config.Mapping) { m.EntityColumn, m.Entity = "e", "X" }, long, `mapping "m": entity_column, entity_columns and entity exclude each other`},
		{"unknown unit", func(m *config.Mapping) {
			m.Columns = map[string]config.ColumnMapping{"x": {Indicator: "ph", Unit: "furlong"}}
		}, wide,
			`mapping "m": columns["x"]: unit "furlong": unknown unit`},
		{"column without indicator", func(m *config.Mapping) { m.Columns = map[string]config.ColumnMapping{"x": {}} }, wide, `mapping "m": columns["x"]: indicator is required`},
		{"bad encoding", func(m *config.Mapping) { m.Encoding = "latin1" }, long, `mapping "m": encoding "latin1" is not utf-8, gbk or gb18030`},
		{"bad zone", func(m *config.Mapping) { m.Timezone = "Mars/Olympus" }, long, `mapping "m": timezone: unknown time zone Mars/Olympus`},
		{"bad glob", func(m *config.Mapping) { m.Match = "[" }, long, `mapping "m": match "[": syntax error in pattern`},
		{"status without accept", func(m *config.Mapping) { m.StatusColumn = "status" }, long, `mapping "m": status_column and status_accept go together`},
		{"unit rename to unknown", func(m *config.Mapping) { m.Units = map[string]string{"x": "y"} }, long, `mapping "m": units["x"]: "y": unknown unit`},
		{"negative header row", func(m *config.Mapping) { m.HeaderRow = -1 }, long, `mapping "m": header_row -1 must be 1 or more (0: the first row)`},
		{"time format without time column", func(m *config.Mapping) { m.TimeColumn, m.TimeColumns, m.TimeFormat = "", []string{"y"}, "2006" }, long,
			`mapping "m": time_format applies to time_column only`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.base
			tc.edit(&m)
			cfg := config.Default()
			cfg.Mappings = []config.Mapping{m}
			err := cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.HasSuffix(err.Error(), "mappings[0]: "+tc.want)):
				t.Errorf("Validate() = %v\nwant …mappings[0]: %s", err, tc.want)
			}
		})
	}
}

func TestLoadMappings(t *testing.T) {
	ms, err := config.LoadMappings(filepath.Join("..", "deploy", "mappings", "refdata.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 15 {
		t.Errorf("refdata.yaml has %d mappings", len(ms))
	}
	byName := map[string]config.Mapping{}
	for _, m := range ms {
		byName[m.Name] = m
	}
	// The YAML alias shares the CNEMC columns between the two wide files.
	if len(byName["cnemc_water_daily"].Columns) != 12 || byName["carbon_prices_long"].EntityIndicators["EU-ETS/EUA"]["carbon_price"] != "carbon_price_eua" {
		t.Errorf("mappings decoded wrongly: %+v", byName["cnemc_water_daily"])
	}

	dir := t.TempDir()
	for _, tc := range []struct{ name, text, want string }{
		{"unknown key", "mappings:\n  - name: a\n    layout: long\n    colour: red\n", `unknown field "colour"`},
		{"empty", "mappings: []\n", "no mappings"},
		{"twice", "mappings:\n  - {name: a, layout: long, time_column: t, indicator_column: i, value_column: v}\n  - {name: a, layout: long, time_column: t, indicator_column: i, value_column: v}\n",
			`mappings[1]: mapping "a" defined twice`},
		{"invalid", "mappings:\n  - {name: a, layout: wide, time_column: t}\n", `mappings[0]: mapping "a": wide layout needs columns`},
	} {
		path := filepath.Join(dir, tc.name+".yaml")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := config.LoadMappings(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("LoadMappings(%s) = %v, want an error naming the file and %q", tc.name, err, tc.want)
		}
	}
}

// TestTokensEnvIsAVariableName: tokens_env names a variable; a value that
// looks like the tokens themselves is refused without being repeated.
func TestTokensEnvIsAVariableName(t *testing.T) {
	tests := []struct {
		env  string
		want string // "" means valid
	}{
		{"GREENMETRICS_INGEST_TOKENS", ""},
		{"", ""},
		{"_T1", ""},
		{"zjw:abc,tjj:def", "tokens_env"},
		{"1TOKENS", "tokens_env"},
	}
	for _, tc := range tests {
		cfg := config.Default()
		cfg.Ingest.TokensEnv = tc.env
		err := cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("tokens_env %q: Validate() = %v, want nil", tc.env, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.env)):
			t.Errorf("tokens_env %q: Validate() = %v, want an error about %s not repeating the value", tc.env, err, tc.want)
		}
	}
	if def := config.Default().Ingest.TokensEnv; def != "GREENMETRICS_INGEST_TOKENS" {
		t.Errorf("default tokens_env = %q", def)
	}
}
