package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

func newWaterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "water",
		Short: "Surface-water quality under GB 3838-2002 (地表水环境质量)",
	}
	cmd.AddCommand(newWaterClassifyCmd())
	return cmd
}

func newWaterClassifyCmd() *cobra.Command {
	var body, items string
	cmd := &cobra.Command{
		Use:   "classify [FILE|-]",
		Short: "Classify each sample of a wide CSV file (水质类别)",
		Long: "Read a CSV file with a header row and one sample per row: columns section, time\n" +
			"(or timestamp), optional water_body (river, lake, reservoir), and one column per\n" +
			"item named by its code (ph, do, codmn, cod, bod5, nh3n, tp, tn, cu, zn, f, se, as,\n" +
			"hg, cd, cr6, pb, cn, phenol, petroleum, las, sulfide, fecal_coliform; aliases oil,\n" +
			"s2, fc). Blank, -- and * mean not measured; 0.01L or <0.01 is a non-detect below\n" +
			"the detection limit 0.01 (class Ⅰ if the limit meets the class Ⅰ limit, else not\n" +
			"judged). Other columns are ignored.\n\n" +
			"Print one JSON object per row, in input order: section, time, class (1–6, 6 = 劣Ⅴ;\n" +
			"0 when no evaluated item was measured), class_name, limiting (the items at the\n" +
			"class) and grade (优, 良好, 轻度污染, 中度污染, 重度污染); non_detects and not_judged\n" +
			"list the non-detect items when there are any, unevaluated the measured items outside\n" +
			"the evaluated set; notes says in words what the class leaves out (a detection limit\n" +
			"above the limit of the class: 石油类检出限0.06高于Ⅰ类限值0.05，无法判定是否达Ⅰ类;\n" +
			"measured items not evaluated, with the class they would give). Each note is also\n" +
			"written to stderr with the row's line.",
		Example: "  greenmetrics water classify --water lake samples.csv\n" +
			"  greenmetrics water classify --items ph,do,codmn,nh3n,tp - < samples.csv",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rows := present.NewWaterRows(cmd.OutOrStdout(), cmd.ErrOrStderr())
			err := app.ClassifyWater(cmd.InOrStdin(), args, body, items, rows.Unused, rows.Row)
			// Rows already classified are printed even after an error.
			return errors.Join(err, rows.Flush())
		},
	}
	cmd.Flags().StringVar(&body, "water", "river", "water body of rows without a water_body cell: river, lake or reservoir")
	cmd.Flags().StringVar(&items, "items", "", "comma-separated items that decide the class (default: the 21 items of 环办〔2011〕22号)")
	return cmd
}
