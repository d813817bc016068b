package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
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
			return nil
		},
	}
}
