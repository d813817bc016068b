package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestServeFailsClosed: serve refuses to start an open push API on an
// address others can reach, and refuses a tokens file without tokens,
// before it listens; ingest.allow_open_api is the explicit way out.
func TestServeFailsClosed(t *testing.T) {
	t.Setenv("GREENMETRICS_INGEST_TOKENS", "")
	t.Setenv("GREENMETRICS_LISTEN", "")
	comments := writeTemp(t, "tokens", "# nobody yet\n")
	tests := []struct {
		name, config, want string
	}{
		{"no tokens on all interfaces", "listen: 0.0.0.0:0\n", "is not a loopback address"},
		{"tokens file of comments", "listen: 127.0.0.1:0\ningest:\n  tokens_file: " + comments + "\n", "no tokens in the file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			cfg := writeTemp(t, "greenmetrics.yaml", tc.config+"data_dir: "+filepath.Join(data, "d")+"\n")
			out, err := runCLI(t, "serve", "--config", cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve = %v, want an error containing %q\n%s", err, tc.want, out)
			}
			if strings.Contains(out, "serving on") {
				t.Errorf("serve said it was serving:\n%s", out)
			}
		})
	}
}
