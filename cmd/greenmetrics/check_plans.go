package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/greenmetrics/greenmetrics/config"
)

// checkPlans validates the target plans — the embedded ones and those of
// plans_dir — against the catalogue, prints each problem as FILE:LINE:
// FIELD: RULE and returns how many there were.
func checkPlans(out io.Writer, cfg config.Config, cat *config.Catalog) int {
	dir := cfg.PlansDir
	if env := os.Getenv("GREENMETRICS_PLANS_DIR"); env != "" {
		dir = env
	}
	set, err := config.LoadPlans(dir, cat)
	problems := reportProblems(out, "", err)
	if err == nil {
		n := len(set.Plans())
		noun := "plans"
		if n == 1 {
			noun = "plan"
		}
		fmt.Fprintf(out, "✓ plans: %d %s, targets for %s\n", n, noun, coveredYears(set))
		if gaps := config.EmbeddedPlanGaps(cat); len(gaps) > 0 {
			fmt.Fprintf(out, "  note: the embedded plans' figures of %d indicators not in this catalogue are not in force: %s\n",
				len(gaps), strings.Join(gaps, ", "))
		}
	}
	return problems
}
