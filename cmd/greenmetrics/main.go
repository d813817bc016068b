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
		Version:       versionText(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("greenmetrics {{.Version}}\n")
	// Each subcommand lives in its own file of this package. Each gets
	// only the shared flags it uses: the configuration (and catalogue),
	// InfluxDB's connection, the log level.
	const (
		cfgFlags = 1 << iota
		influxFlags
		logFlags
	)
	commands := []struct {
		cmd   *cobra.Command
		flags int
	}{
		{newCatalogCmd(&s), cfgFlags},
		{newCheckCmd(&s), cfgFlags},
		{newTargetsCmd(&s), cfgFlags},
		{newWaterCmd(), 0},
		{newAirCmd(), 0},
		{newTrendCmd(), 0},
		{newReportCmd(&s), cfgFlags | influxFlags | logFlags},
		{newServeCmd(&s), cfgFlags | influxFlags | logFlags},
		{newProgressCmd(&s), cfgFlags | influxFlags | logFlags},
		{newImportCmd(&s), cfgFlags | influxFlags | logFlags},
		{newDemoCmd(&s), cfgFlags | influxFlags | logFlags},
		{newHistoryCmd(&s), cfgFlags},
		{newMigrateCmd(&s), cfgFlags | influxFlags},
		{newVersionCmd(), 0},
	}
	for _, c := range commands {
		if c.flags&cfgFlags != 0 {
			s.registerConfig(c.cmd)
		}
		if c.flags&influxFlags != 0 {
			s.registerInflux(c.cmd)
		}
		if c.flags&logFlags != 0 {
			s.registerLog(c.cmd)
		}
		root.AddCommand(c.cmd)
	}
	return root
}
