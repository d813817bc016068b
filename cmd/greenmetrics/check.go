package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
)

func newCheckCmd(s *settings) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the config file and the catalogue, explaining each problem",
		Long: "Validate the config file, the catalogue and the push tokens, and print every\n" +
			"problem, each as FILE:LINE: KEY: RULE, so that one pass fixes them all.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			cfg, cfgErr := s.load()
			problems := reportProblems(out, "", cfgErr)
			if cfgErr == nil {
				src := s.configPath
				if src == "" {
					src = "(defaults)"
				}
				fmt.Fprintf(out, "✓ config %s: InfluxDB %s bucket %s, listening on %s\n", src, cfg.Influx.URL, cfg.Influx.Bucket, cfg.Listen)
			}
			// The catalogue and the tokens are checked even when the
			// config has problems: all of them are reported in one run.
			catPath := checkCatalogPath(s, cfg)
			cat, catErr := config.LoadCatalog(catPath)
			problems += reportProblems(out, "", catErr)
			if catErr == nil {
				if catPath == "" {
					catPath = config.DefaultCatalogName
				}
				fmt.Fprintf(out, "✓ catalogue %s: %d indicators\n", catPath, len(cat.Indicators()))
				problems += checkPlans(out, cfg, cat)
			}
			problems += checkTokens(out, cfg)
			if problems > 0 {
				return problemsFound(problems)
			}
			return nil
		},
	}
}

// checkCatalogPath is the catalogue the command would use: --catalog, else
// GREENMETRICS_CATALOG, else the config file's catalog key — taken from
// the file even when the file has problems elsewhere.
func checkCatalogPath(s *settings, cfg config.Config) string {
	if s.catalogPath != "" {
		return s.catalogPath
	}
	if env := os.Getenv("GREENMETRICS_CATALOG"); env != "" {
		return env
	}
	return cfg.Catalog
}

// problemsFound is the error check ends with: "1 problem found",
// "4 problems found".
func problemsFound(n int) error {
	if n == 1 {
		return errors.New("1 problem found")
	}
	return fmt.Errorf("%d problems found", n)
}

// reportProblems prints each problem of err (every entry of a
// config.Errors or of an errors.Join) on its own line and returns how
// many there were.
func reportProblems(out io.Writer, prefix string, err error) int {
	if err == nil {
		return 0
	}
	problems := flattenErrors(err)
	for _, p := range problems {
		fmt.Fprintln(out, "✗", prefix+p.Error())
	}
	return len(problems)
}

// checkTokens reports the push tokens (names only, never the tokens) or
// each problem of the tokens file and variable; it returns the number of
// problems.
func checkTokens(out io.Writer, cfg config.Config) int {
	tokens, err := httpapi.LoadTokens(cfg.Ingest.TokensFile, cfg.Ingest.TokensEnv, os.Getenv)
	if err != nil {
		return reportProblems(out, "push tokens: ", err)
	}
	if tokens.Len() == 0 {
		fmt.Fprintf(out, "✓ push tokens: none configured (ingest.tokens_file, $%s): the push API is open, provider %q\n", cfg.Ingest.TokensEnv, httpapi.OpenProvider)
		return 0
	}
	fmt.Fprintf(out, "✓ push tokens: %d, providers %s\n", tokens.Len(), strings.Join(tokens.Names(), ", "))
	return 0
}

// flattenErrors lists the errors joined in err (errors.Join, or
// config.Errors), depth first.
func flattenErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenErrors(e)...)
		}
		return out
	}
	return []error{err}
}
