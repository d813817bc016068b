// Command greenmetrics is the carbon and green-finance metrics engine of the
// district environment bureau: one binary whose subcommands run the ingestion
// daemon, import files, compute trends and write the monthly report.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
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

// ingestGCPercent is the garbage collector's target for the commands that
// ingest (serve, import, demo). Their live heap is mostly the duplicate
// index of the input being read (24 bytes per distinct key), and Go's
// default of 100 lets the heap grow to twice that before collecting: 150 MB
// of RSS for a million-row import. At 50 the peak is 120 MB for about 0.2 s
// more CPU per million rows, which InfluxDB's write time hides
// (docs/benchmarks.md). Prometheus makes the same trade, at 75.
const ingestGCPercent = 50

// tuneGCForIngest applies ingestGCPercent unless the user chose with GOGC.
func tuneGCForIngest() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(ingestGCPercent)
	}
}
