package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go version and the source commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "greenmetrics %s\n", versionText())
			return err
		},
	}
}

// versionText is what --version and version print: the release
// (buildVersion: main.version, set with -ldflags "-X main.version=v1.2.3",
// else the module version of go install, else "dev"), then what the Go
// toolchain recorded in the binary (Go version, VCS commit, whether the
// tree had uncommitted changes), when it recorded anything.
func versionText() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildVersion()
	}
	return buildVersion() + buildDetails(info)
}

// buildDetails renders the build information as " (go1.24.2, commit
// 0123abcd…, modified)"; the commit is absent for builds outside a VCS
// checkout and for go test binaries.
func buildDetails(info *debug.BuildInfo) string {
	parts := []string{info.GoVersion}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		commit := "commit " + rev
		if t := settings["vcs.time"]; t != "" {
			commit += " " + t
		}
		parts = append(parts, commit)
		if settings["vcs.modified"] == "true" {
			parts = append(parts, "modified")
		}
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// version is the build's version, set with -ldflags "-X main.version=…".
var version = "dev"

// buildVersion is version, or the module version when built with go install.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}
