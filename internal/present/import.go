package present

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/internal/app"
)

// FileOutcome prints what became of one input, with its first show
// rejections.
func FileOutcome(w io.Writer, o app.FileOutcome, show int) {
	if o.OpenErr != nil {
		fmt.Fprintf(w, "%s: %v\n", o.Path, o.OpenErr)
		return
	}
	res, err, elapsed := o.Result, o.Err, o.Elapsed
	head := fmt.Sprintf("%s: %s", res.Name, res.Format)
	if res.Mapping != "" {
		head += ", mapping " + res.Mapping
	}
	if res.Provider != "" {
		head += ", provider " + res.Provider
	}
	fmt.Fprintln(w, head)
	fmt.Fprintf(w, "  rows %d · values %d · accepted %d · duplicates %d · not measured %d · rejected %d\n",
		res.Rows, res.Values, res.Accepted, res.Duplicates, res.NotMeasured, res.RejectedCount())
	fmt.Fprintf(w, "  修订 revised %d · 暂缓 held %d · 演示跳过 demo skipped %d\n", res.Revised, res.Held, res.DemoSkipped)
	if res.Held > 0 {
		fmt.Fprintf(w, "  held as implausible (%s): %d; check them, then import again with --confirm or a confirm column\n",
			ingest.RuleImplausibleValue, res.Held)
	}
	if res.MergedFilled > 0 {
		fmt.Fprintf(w, "  %d empty key cells filled from merged cells above them\n", res.MergedFilled)
	}
	if len(res.RejectedByRule) > 0 {
		rules := make([]string, 0, len(res.RejectedByRule))
		for rule := range res.RejectedByRule {
			rules = append(rules, rule)
		}
		sort.Slice(rules, func(i, j int) bool {
			a, b := res.RejectedByRule[rules[i]], res.RejectedByRule[rules[j]]
			return a > b || a == b && rules[i] < rules[j]
		})
		parts := make([]string, len(rules))
		for i, rule := range rules {
			parts[i] = fmt.Sprintf("%s %d", rule, res.RejectedByRule[rule])
		}
		fmt.Fprintf(w, "  rejected by rule: %s\n", strings.Join(parts, ", "))
		n := min(show, len(res.Rejected))
		if n > 0 {
			fmt.Fprintf(w, "  first %d rejections:\n", n)
			for _, r := range res.Rejected[:n] {
				fmt.Fprintf(w, "    row %-6d %-12s %-22s %s\n", r.Row, r.Field, r.Rule, r.Message)
			}
		}
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "  columns not read: %s\n", strings.Join(res.Ignored, ", "))
	}
	if err != nil {
		fmt.Fprintf(w, "  STOPPED: %v\n", err)
	}
	rate := float64(res.Rows) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(w, "  %.2f s, %.0f rows/s\n", elapsed.Seconds(), rate)
}

// BatchEnd prints the end of an import or demo: the totals over several
// inputs, a reasons file that failed, and what reached InfluxDB. With
// unreadFiles it also says how many files could not be read (import;
// the demo's inputs are its own).
func BatchEnd(w io.Writer, r app.BatchResult, unreadFiles bool) {
	if r.Inputs >= 2 {
		t := r.Totals
		fmt.Fprintf(w, "total: %d files, rows %d, accepted %d, duplicates %d, rejected %d, revised %d, held %d, demo skipped %d\n",
			r.Inputs, t.Rows, t.Accepted, t.Duplicates, t.Rejected, t.Revised, t.Held, t.DemoSkipped)
	}
	if r.ReasonsErr != nil {
		fmt.Fprintf(w, "reasons file: %v\n", r.ReasonsErr)
	}
	switch {
	case r.DeliveryErr != nil:
		fmt.Fprintf(w, "delivery FAILED: %v\n", r.DeliveryErr)
		return
	case r.Delivered.DryRun:
		fmt.Fprintln(w, "dry run: nothing delivered")
	default:
		fmt.Fprintf(w, "delivered: %d observations to InfluxDB %s (bucket %s); spool empty\n", r.Delivered.Points, r.InfluxURL, r.Bucket)
	}
	if unreadFiles && r.Unread > 0 {
		fmt.Fprintf(w, "%d of %d files could not be read to the end\n", r.Unread, r.Inputs)
	}
}
