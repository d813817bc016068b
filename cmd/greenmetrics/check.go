package main

import (
	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
)

func newCheckCmd(s *settings) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the config file and the catalogue, explaining each problem",
		Long: "Validate the config file, the catalogue and the push tokens, and print every\n" +
			"problem, each as FILE:LINE: KEY: RULE, so that one pass fixes them all.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n := present.Check(cmd.OutOrStdout(), app.Check(s.overrides())); n > 0 {
				return present.ProblemsFound(n)
			}
			return nil
		},
	}
}
