package main

import (
	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

type historyFlags struct {
	entity, period, dataDir string
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
			res, err := app.History(app.HistoryOptions{Settings: s.overrides(), Indicator: args[0],
				Entity: f.entity, EntitySet: cmd.Flags().Changed("entity"), Period: f.period, DataDir: f.dataDir})
			if err != nil {
				return err
			}
			return present.History(cmd.OutOrStdout(), res.Indicator, res.Entries, res.Dir)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.entity, "entity", "", "only this entity's figures (\"\" for the district's own)")
	fl.StringVar(&f.period, "period", "", "only this period: 2024-06, 2024-Q2, 2024")
	fl.StringVar(&f.dataDir, "data-dir", "", "data directory holding ledger/ (default: data_dir of the configuration)")
	return cmd
}
