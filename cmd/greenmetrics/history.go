package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

type historyFlags struct {
	entity, period, dataDir string
	entitySet               bool
}

func newHistoryCmd(s *settings) *cobra.Command {
	var f historyFlags
	cmd := &cobra.Command{
		Use:   "history INDICATOR",
		Short: "Show a figure's accepted values and revisions (修订记录) from the revision ledger",
		Long: `history prints the revision ledger's entries of one indicator: every
accepted value of its monthly, quarterly or annual figures, oldest first —
period, value in the indicator's display unit, provider, origin (file and
row, or push and row), when it was accepted (Beijing time), and for a
revision (修订) the value and provider it superseded.

The ledger is data_dir/ledger (--data-dir, or data_dir of the --config
file). Hourly and daily monitoring data are not ledgered: a corrected hour
replaces the old one.`,
		Example: `  greenmetrics history prefab_building_started_area
  greenmetrics history prefab_building_started_area --period 2024-06
  greenmetrics history co2_total_ceads --entity CN --data-dir /var/lib/greenmetrics`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.entitySet = cmd.Flags().Changed("entity")
			return runHistory(s, f, args[0], cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.entity, "entity", "", "only this entity's figures (\"\" for the district's own)")
	fl.StringVar(&f.period, "period", "", "only this period: 2024-06, 2024-Q2, 2024")
	fl.StringVar(&f.dataDir, "data-dir", "", "data directory holding ledger/ (default: data_dir of the configuration)")
	return cmd
}

func runHistory(s *settings, f historyFlags, code string, out io.Writer) error {
	cfg, cat, err := s.loadAll()
	if err != nil {
		return err
	}
	if f.dataDir != "" {
		cfg.DataDir = f.dataDir
	}
	ind, ok := cat.Lookup(code)
	if !ok {
		return fmt.Errorf("unknown indicator %q: see greenmetrics catalog", code)
	}
	if !ledger.Ledgered(ind.Frequency) {
		return fmt.Errorf("%s (%s) is %s: hourly and daily monitoring data are not ledgered (a corrected value replaces the old one)", ind.Code, ind.NameZh, ind.Frequency)
	}
	q := ledger.Query{Indicator: ind.Code, Entity: f.entity, MatchEntity: f.entitySet}
	if f.period != "" {
		p, err := models.ParsePeriod(ind.Frequency, f.period)
		if err != nil {
			return fmt.Errorf("--period: %w", err)
		}
		q.Period = p.Start
	}
	dir := ledgerDir(cfg)
	entries, err := ledger.Read(dir, q)
	if err != nil {
		return err
	}
	return writeHistory(out, ind, entries, dir)
}

// writeHistory prints ledger entries as a table, Chinese headings first.
func writeHistory(out io.Writer, ind models.Indicator, entries []ledger.Entry, dir string) error {
	unit := ind.DisplayUnit
	if unit == "" {
		unit = ind.Unit
	}
	fmt.Fprintf(out, "%s %s (%s, %s)\n", ind.Code, ind.NameZh, ind.Frequency, unit)
	if len(entries) == 0 {
		fmt.Fprintf(out, "无记录 no ledgered figures (ledger %s)\n", dir)
		return nil
	}
	perEntity := false
	for _, e := range entries {
		perEntity = perEntity || e.Entity != ""
	}
	value := func(v float64) string { return models.FormatQuantity(v, ind.Unit, ind.DisplayUnit) }
	head := []string{"期间 period"}
	if perEntity {
		head = append(head, "对象 entity")
	}
	rows := [][]string{append(head, "数值 value", "提供方 provider", "来源 origin", "接收时间 accepted (+08:00)", "修订 revision")}
	revisions := 0
	for _, e := range entries {
		row := []string{e.Label}
		if perEntity {
			row = append(row, e.Entity)
		}
		rev := ""
		if p := e.Previous; p != nil {
			revisions++
			rev = fmt.Sprintf("修订 %s (%s) → %s", value(p.Value), p.Provider, value(e.Value))
		}
		if e.Confirmed {
			rev = strings.TrimSpace(rev + " [已确认 confirmed]")
		}
		rows = append(rows, append(row, value(e.Value), e.Provider, e.Origin,
			e.Accepted.In(models.Shanghai).Format("2006-01-02 15:04:05"), rev))
	}
	// Chinese headers and units take two terminal cells a character.
	if err := writeAligned(out, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "%d 条记录 entries, %d 次修订 revisions\n", len(entries), revisions)
	return err
}
