package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultsHint: a command on the defaults, run where make run left its
// configuration, says how to use it; with a configuration named, or
// elsewhere, it says nothing.
func TestDefaultsHint(t *testing.T) {
	withConfig := t.TempDir()
	if err := os.MkdirAll(filepath.Join(withConfig, "var"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withConfig, MakeRunConfig), []byte("data_dir: var\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory of that name is not make run's configuration.
	withDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(withDir, MakeRunConfig), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    Overrides
		dir  string
		hint bool
	}{
		{"defaults next to make run's configuration", Overrides{}, withConfig, true},
		{"a configuration named", Overrides{ConfigPath: "deploy/greenmetrics.yaml"}, withConfig, false},
		{"no make run here", Overrides{}, t.TempDir(), false},
		{"a directory, not a file", Overrides{}, withDir, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.o.DefaultsHint(tt.dir)
			if !tt.hint {
				if got != "" {
					t.Errorf("hint %q; want none", got)
				}
				return
			}
			if !strings.Contains(got, "export GREENMETRICS_CONFIG=var/greenmetrics.yaml") || strings.Contains(got, "\n") {
				t.Errorf("hint %q; want one line naming export GREENMETRICS_CONFIG=var/greenmetrics.yaml", got)
			}
		})
	}
}
