package app

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/greenmetrics/greenmetrics/metrics/trend"
)

// TrendMethods are the trend tests greenmetrics trend runs.
var TrendMethods = trend.Methods

// TrendOptions are what greenmetrics trend was asked: the test, its
// significance level, the slots per cycle of the seasonal methods and
// the lags ("all" or a positive number).
type TrendOptions struct {
	Method string
	Alpha  float64
	Period int
	Lag    string
}

// Trend reads one series (a JSON array, or CSV with a value column) from
// the file argument or stdin (OpenInput) and runs the trend test on it.
func Trend(stdin io.Reader, args []string, o TrendOptions) (trend.Report, error) {
	lag, err := parseLag(o.Lag)
	if err != nil {
		return trend.Report{}, err
	}
	in, _, closeIn, err := OpenInput(stdin, args)
	if err != nil {
		return trend.Report{}, err
	}
	defer closeIn()
	s, err := trend.ReadSeries(in)
	if err != nil {
		return trend.Report{}, err
	}
	return trend.Analyze(s, trend.Options{Method: o.Method, Alpha: o.Alpha, Period: o.Period, Lag: lag})
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
