// Command greenmetrics is the carbon and green-finance metrics engine of the
// district environment bureau: one binary whose subcommands run the ingestion
// daemon, import files, compute trends and write the monthly report.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "greenmetrics:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	var s settings
	root := &cobra.Command{
		Use:           "greenmetrics",
		Short:         "Carbon and green-finance metrics engine (通州区绿色发展指标引擎)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	s.register(root)
	// Each subcommand lives in its own file of this package.
	root.AddCommand(
		newCatalogCmd(&s),
		newCheckCmd(&s),
		newWaterCmd(),
		newTrendCmd(),
		newReportCmd(&s),
		newServeCmd(&s),
		newProgressCmd(&s),
		newImportCmd(&s),
		newDemoCmd(&s),
	)
	return root
}
