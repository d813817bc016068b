package main

import (
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

// TestPipelineOptionsReserveTokenNames: serve and import give the
// pipeline every token name, so no file can claim one as its provider.
func TestPipelineOptionsReserveTokenNames(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "ci:ci-secret")
	cfgPath := writeTemp(t, "greenmetrics.yaml", "ingest:\n  tokens_file: "+writeTemp(t, "tokens", "zjw a\ntjj b\nzjw c\n")+"\n")
	s := settings{configPath: cfgPath}
	cfg, err := s.load()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := pipelineOptions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(opts.ReservedProviders, ","); got != "ci,tjj,zjw" {
		t.Errorf("ReservedProviders = %s, want ci,tjj,zjw", got)
	}
}
