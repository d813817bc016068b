package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
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
			cfg, cat, err := s.loadAll()
			if err != nil {
				return err
			}
			_ = cfg
			if asJSON {
				return writeCatalogJSON(cmd.OutOrStdout(), cat)
			}
			return writeCatalogTable(cmd.OutOrStdout(), cat)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeCatalogJSON(w io.Writer, cat *config.Catalog) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(cat.Indicators())
}

func writeCatalogTable(w io.Writer, cat *config.Catalog) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\t名称\tDOMAIN\tUNIT\t2023基数\t2024目标")
	for _, ind := range cat.Indicators() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ind.Code, ind.NameZh, ind.Domain, ind.Unit,
			figureText(ind, ind.Baseline), targetText(ind))
	}
	return tw.Flush()
}

func figureText(ind models.Indicator, f *models.Figure) string {
	if f == nil {
		return "—"
	}
	if f.Text != "" {
		return f.Text
	}
	return models.FormatQuantity(f.Value, ind.Unit, ind.DisplayUnit)
}

func targetText(ind models.Indicator) string {
	t := ind.Target
	switch {
	case t == nil:
		return "—"
	case t.Kind == models.TargetMunicipal:
		return "市级下达"
	case t.Kind == models.TargetGrowth:
		return "增长" + models.FormatQuantity(t.Value, "ratio", "%")
	case t.Text != "":
		return t.Text
	}
	return models.FormatQuantity(t.Value, ind.Unit, ind.DisplayUnit)
}
