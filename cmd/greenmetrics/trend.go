package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/metrics/trend"
)

func newTrendCmd() *cobra.Command {
	var (
		o   trend.Options
		lag string
	)
	cmd := &cobra.Command{
		Use:   "trend --method M [--alpha A] [--period P] [--lag L] [FILE|-]",
		Short: "Run a trend test on one series and print the result as one JSON object",
		Long: "Reads a JSON array of numbers and nulls (regional: an array of rows, one per time step,\n" +
			"one column per site) or a CSV with a value column and an optional time column, from\n" +
			"FILE or standard input, and prints one JSON object. spearman reports the t-test and\n" +
			"22号's verdict from its W_p table (r_s_rounded, w_p, h_22, trend_22).\n\nMethods: " +
			strings.Join(trend.Methods, ", ") + ".",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseLag(lag)
			if err != nil {
				return err
			}
			o.Lag = n
			in, closeIn, err := trendInput(cmd, args)
			if err != nil {
				return err
			}
			defer closeIn()
			s, err := trend.ReadSeries(in)
			if err != nil {
				return err
			}
			rep, err := trend.Analyze(s, o)
			if err != nil {
				return err
			}
			return rep.WriteJSON(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Method, "method", "", "test to run: "+strings.Join(trend.Methods, ", "))
	f.Float64Var(&o.Alpha, "alpha", 0.05, "significance level")
	f.IntVar(&o.Period, "period", 12, "slots per cycle for the seasonal methods (12 = monthly)")
	f.StringVar(&lag, "lag", "all", `lags for hamed-rao and yue-wang: "all" or a positive number`)
	_ = cmd.MarkFlagRequired("method")
	return cmd
}

// parseLag maps "all" to 0 (every lag) and otherwise wants a positive count.
func parseLag(s string) (int, error) {
	if strings.EqualFold(s, "all") {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf(`--lag %q: want "all" or a positive number`, s)
	}
	return n, nil
}

// trendInput returns FILE, or standard input for "-" or no argument.
func trendInput(cmd *cobra.Command, args []string) (io.Reader, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
