package present

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/greenmetrics/greenmetrics/internal/app"
)

// ProblemsFound is the error check ends with: "1 problem found",
// "4 problems found".
func ProblemsFound(n int) error {
	if n == 1 {
		return errors.New("1 problem found")
	}
	return fmt.Errorf("%d problems found", n)
}

// Problems prints each problem of err (every entry of a
// config.Errors or of an errors.Join) on its own line and returns how
// many there were.
func Problems(out io.Writer, prefix string, err error) int {
	if err == nil {
		return 0
	}
	problems := flattenErrors(err)
	for _, p := range problems {
		fmt.Fprintln(out, "✗", prefix+p.Error())
	}
	return len(problems)
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

// Check prints what check found — each problem as ✗ FILE:LINE: KEY: RULE,
// what is right as ✓, a warning as ! — and returns the number of
// problems.
func Check(out io.Writer, r app.CheckReport) int {
	problems := Problems(out, "", r.ConfigErr)
	if r.ConfigErr == nil {
		cfg := r.Config
		fmt.Fprintf(out, "✓ config %s: InfluxDB %s bucket %s, listening on %s\n", r.ConfigSource, cfg.Influx.URL, cfg.Influx.Bucket, cfg.Listen)
	}
	problems += Problems(out, "", r.CatalogErr)
	if r.CatalogErr == nil {
		fmt.Fprintf(out, "✓ catalogue %s: %d indicators\n", r.CatalogPath, len(r.Catalog.Indicators()))
		problems += Problems(out, "", r.Plans.Err)
		if r.Plans.Err == nil {
			noun := "plans"
			if r.Plans.Count == 1 {
				noun = "plan"
			}
			fmt.Fprintf(out, "✓ plans: %d %s, targets for %s\n", r.Plans.Count, noun, yearSpan(r.Plans.Years))
			if gaps := r.Plans.Gaps; len(gaps) > 0 {
				fmt.Fprintf(out, "  note: the embedded plans' figures of %d indicators not in this catalogue are not in force: %s\n",
					len(gaps), strings.Join(gaps, ", "))
			}
		}
	}
	switch tc := r.Tokens; {
	case tc.Err != nil:
		problems += Problems(out, "push tokens: ", tc.Err)
	case tc.Count == 0:
		fmt.Fprintf(out, "✓ push tokens: none configured (ingest.tokens_file, $%s): the push API is open (%s), provider %q\n", tc.Env, tc.OpenWhy, app.OpenProvider)
	default:
		fmt.Fprintf(out, "✓ push tokens: %d, providers %s\n", tc.Count, strings.Join(tc.Names, ", "))
	}
	if r.SmallSpool {
		in := r.Config.Ingest
		fmt.Fprintf(out, "! spool: spool_max_bytes %d is below one push at the limits (max_body_bytes %d, max_rows %d × about %d bytes = %d): "+
			"larger pushes are refused with 413 and would have to be split; raise spool_max_bytes or lower the limits\n",
			in.SpoolMaxBytes, in.MaxBodyBytes, in.MaxRows, app.SpoolRowBytes, int64(in.MaxRows)*app.SpoolRowBytes)
	}
	return problems
}
