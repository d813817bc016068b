package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
)

func newTrendCmd() *cobra.Command {
	var (
		o app.TrendOptions
	)
	cmd := &cobra.Command{
		Use:   "trend --method M [--alpha A] [--period P] [--lag L] [FILE|-]",
		Short: "Run a trend test on one series and print the result as one JSON object",
		Long: "Reads a JSON array of numbers and nulls (regional: an array of rows, one per time step,\n" +
			"one column per site) or a CSV with a value column and an optional time column, from\n" +
			"FILE or standard input, and prints one JSON object. spearman reports the t-test and\n" +
			"22号's verdict from its W_p table (r_s_rounded, w_p, h_22, trend_22).\n\nMethods: " +
			strings.Join(app.TrendMethods, ", ") + ".",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := app.Trend(cmd.InOrStdin(), args, o)
			if err != nil {
				return err
			}
			return rep.WriteJSON(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Method, "method", "", "test to run: "+strings.Join(app.TrendMethods, ", "))
	f.Float64Var(&o.Alpha, "alpha", 0.05, "significance level")
	f.IntVar(&o.Period, "period", 12, "slots per cycle for the seasonal methods (12 = monthly)")
	f.StringVar(&o.Lag, "lag", "all", `lags for hamed-rao and yue-wang: "all" or a positive number`)
	_ = cmd.MarkFlagRequired("method")
	return cmd
}
