package main

import (
	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

func newCatalogCmd(s *settings) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "List the indicator catalogue (指标目录)",
		Long: "List every indicator with its unit, baseline and 2024 target.\n" +
			"With --json, print an array of objects, values in base units.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := app.Catalog(s.overrides())
			if err != nil {
				return err
			}
			if asJSON {
				return present.CatalogJSON(cmd.OutOrStdout(), cat)
			}
			return present.CatalogTable(cmd.OutOrStdout(), cat)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
