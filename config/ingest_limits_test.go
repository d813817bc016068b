package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
)

func TestIngestLimits(t *testing.T) {
	def := config.Default().Ingest
	if def.MaxDecompressedBytes != 256<<20 || def.BodyReadTimeout != time.Minute || def.MaxConcurrentPushes != 16 || def.MaxConnections != 256 || def.MemoryLimit != 0 {
		t.Errorf("defaults: %+v", def)
	}
	tests := []struct{ name, yaml, want string }{
		{"set", "ingest:\n  max_decompressed_bytes: 1048576\n  body_read_timeout: 30s\n  max_concurrent_pushes: 4\n  max_connections: 64\n  memory_limit: 536870912\n", ""},
		{"decompressed zero", "ingest:\n  max_decompressed_bytes: 0\n", "ingest.max_decompressed_bytes: 0 must be positive"},
		{"timeout zero", "ingest:\n  body_read_timeout: 0s\n", "ingest.body_read_timeout: 0s must be positive"},
		{"pushes zero", "ingest:\n  max_concurrent_pushes: 0\n", "ingest.max_concurrent_pushes: 0 must be positive"},
		{"connections below pushes", "ingest:\n  max_concurrent_pushes: 100\n  max_connections: 50\n", "ingest.max_connections: 50 must leave room above max_concurrent_pushes 100"},
		{"memory limit tiny", "ingest:\n  memory_limit: 1000\n", "ingest.memory_limit: 1000 must be 0 (automatic) or at least 64 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "greenmetrics.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(path)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Load = %v", err)
			case tc.want == "" && (cfg.Ingest.MaxDecompressedBytes != 1<<20 || cfg.Ingest.BodyReadTimeout != 30*time.Second || cfg.Ingest.MemoryLimit != 512<<20):
				t.Errorf("loaded %+v", cfg.Ingest)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Load = %v, want %q", err, tc.want)
			}
		})
	}
}
