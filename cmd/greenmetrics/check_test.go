package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckReportsTokenProblems: `greenmetrics check` names each problem
// of the push tokens with its file and line, and never prints a token.
func TestCheckReportsTokenProblems(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "")
	dir := t.TempDir()
	tokens := writeTemp(t, "tokens", "# push tokens\nzjw zjw-secret-1\nold-unnamed-secret\nderived derived-secret\n")
	tests := []struct {
		name, tokensFile string
		wantErr          bool
		want             []string
	}{
		{"problems", tokens, true, []string{
			"✗ push tokens: " + tokens + ":3: a token without a name",
			"✗ push tokens: " + tokens + `:4: token name "derived" is reserved`,
		}},
		{"missing file", filepath.Join(dir, "missing"), true, []string{"✗ push tokens: tokens file: open " + filepath.Join(dir, "missing")}},
		{"good file", writeTemp(t, "tokens", "zjw a-secret\nzjw b-secret\ntjj c-secret\n"), false, []string{"✓ push tokens: 3, providers tjj, zjw"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeTemp(t, "greenmetrics.yaml", "ingest:\n  tokens_file: "+tc.tokensFile+"\n")
			out, err := runCLI(t, "check", "--config", cfg)
			if (err != nil) != tc.wantErr {
				t.Errorf("check error = %v, want error %v\n%s", err, tc.wantErr, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "secret") {
				t.Errorf("output repeats a token:\n%s", out)
			}
		})
	}
}

// TestCheckReportsEveryProblem: `greenmetrics check` prints every problem
// of the config file and of the catalogue, each as file:line: key: rule,
// and ends with their number in plain words.
func TestCheckReportsEveryProblem(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "")
	t.Setenv("GREENMETRICS_CATALOG", "")
	many := filepath.Join("..", "..", "config", "testdata", "config_many_problems.yaml")
	badCatalog := filepath.Join("..", "..", "config", "testdata", "catalog_bad_enums.yaml")
	timeout := writeTemp(t, "greenmetrics.yaml", "influx:\n  timeout: xyz\n")
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"one problem", []string{"--config", timeout}, []string{
			"✗ " + timeout + `:2: influx.timeout: "xyz" is not a duration (like 20s, 5m or 1h30m)`,
			"✓ catalogue catalog.yaml (embedded)",
		}, "1 problem found"},
		{"config and catalogue", []string{"--config", many, "--catalog", badCatalog}, []string{
			"✗ " + many + `:1: listen: "nowhere" must be host:port`,
			"✗ " + many + `:5: influx.timeout: "xyz" is not a duration`,
			"✗ " + many + ":6: influx.buckett: unknown key",
			"✗ " + many + ":8: ingest.batch_size: 0 must be in 1..100000",
			"✗ " + many + ":13: water.sections[1].name: section",
			"✗ " + many + ":19: report.formats[1]",
			"✗ " + many + ":20: colour: unknown key",
			"✗ " + badCatalog + ":2: indicator Bad-Code",
			"✗ " + badCatalog + ":12: indicator x",
			"✗ " + badCatalog + ":22: indicator y",
		}, "18 problems found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, append([]string{"check"}, tc.args...)...)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("check error = %v; want %q\n%s", err, tc.wantErr, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if n := strings.Count(out, "✗ "); err != nil && !strings.HasPrefix(err.Error(), fmt.Sprint(n)+" ") {
				t.Errorf("%d problems printed; error says %q", n, err)
			}
		})
	}
}

// TestCheckFailsClosed: check reports the fail-closed rules serve applies
// to the push API — a tokens file without tokens, no tokens with a listen
// address others can reach — unless ingest.allow_open_api says the API is
// open on purpose; and it warns about a spool smaller than one push.
func TestCheckFailsClosed(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "")
	t.Setenv("GREENMETRICS_LISTEN", "")
	comments := writeTemp(t, "tokens", "# tokens are added here\n\n   \n# zjw not-yet\n")
	tests := []struct {
		name, config string
		wantErr      bool
		want         string
	}{
		{"comments only", "ingest:\n  tokens_file: " + comments + "\n", true,
			"✗ push tokens: " + comments + ": no tokens in the file"},
		{"comments only, open allowed", "ingest:\n  allow_open_api: true\n  tokens_file: " + comments + "\n", false,
			"✓ push tokens: none configured"},
		{"no tokens on all interfaces", "listen: 0.0.0.0:9464\n", true,
			"✗ push tokens: no push tokens configured and listen 0.0.0.0:9464 is not a loopback address"},
		{"no tokens on a host name", "listen: greenmetrics.example:9464\n", true,
			"is not a loopback address"},
		{"no tokens on all interfaces, open allowed", "listen: 0.0.0.0:9464\ningest:\n  allow_open_api: true\n", false,
			"the push API is open (ingest.allow_open_api is set)"},
		{"no tokens on loopback", "listen: 127.0.0.1:9464\n", false,
			"the push API is open (listen 127.0.0.1:9464 is loopback)"},
		{"no tokens on IPv6 loopback", "listen: '[::1]:9464'\n", false, "is loopback"},
		{"spool below one push", "ingest:\n  spool_max_bytes: 1048576\n", false,
			"! spool: spool_max_bytes 1048576 is below one push at the limits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, "check", "--config", writeTemp(t, "greenmetrics.yaml", tc.config))
			if (err != nil) != tc.wantErr {
				t.Errorf("check error = %v, want error %v\n%s", err, tc.wantErr, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}
