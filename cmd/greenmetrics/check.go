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
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			cfg, cat, err := s.loadAll()
			if err != nil {
				var es config.Errors
				if errors.As(err, &es) {
					for _, e := range es {
						fmt.Fprintln(out, "✗", e)
					}
					return fmt.Errorf("%d problem(s) found", len(es))
				}
				fmt.Fprintln(out, "✗", err)
				return errors.New("1 problem found")
			}
			src := s.configPath
			if src == "" {
				src = "(defaults)"
			}
			catSrc := cfg.Catalog
			if catSrc == "" {
				catSrc = config.DefaultCatalogName
			}
			fmt.Fprintf(out, "✓ config %s: InfluxDB %s bucket %s, listening on %s\n", src, cfg.Influx.URL, cfg.Influx.Bucket, cfg.Listen)
			fmt.Fprintf(out, "✓ catalogue %s: %d indicators, %d with a 2024 target\n", catSrc, len(cat.Indicators()), len(cat.WithTargets()))
			if n := checkTokens(out, cfg); n > 0 {
				return fmt.Errorf("%d problem(s) found", n)
			}
			return nil
		},
	}
}

// checkTokens reports the push tokens (names only, never the tokens) or
// each problem of the tokens file and variable; it returns the number of
// problems.
func checkTokens(out io.Writer, cfg config.Config) int {
	tokens, err := httpapi.LoadTokens(cfg.Ingest.TokensFile, cfg.Ingest.TokensEnv, os.Getenv)
	if err != nil {
		problems := flattenErrors(err)
		for _, p := range problems {
			fmt.Fprintln(out, "✗ push tokens:", p)
		}
		return len(problems)
	}
	if tokens.Len() == 0 {
		fmt.Fprintf(out, "✓ push tokens: none configured (ingest.tokens_file, $%s): the push API is open, provider %q\n", cfg.Ingest.TokensEnv, httpapi.OpenProvider)
		return 0
	}
	fmt.Fprintf(out, "✓ push tokens: %d, providers %s\n", tokens.Len(), strings.Join(tokens.Names(), ", "))
	return 0
}

// flattenErrors lists the errors joined in err (errors.Join), depth first.
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
