package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/daemon"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/internal/app"
)

func newServeCmd(s *settings) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the ingestion daemon: push API, drop folder, spool delivery to InfluxDB, /metrics",
		Long: `serve accepts observations over HTTP (POST /api/v1/observations) and from
the drop folder, makes them durable in the spool before answering, and
delivers the spool to InfluxDB. SIGTERM or SIGINT stops it gracefully:
no new requests, delivery for up to ingest.shutdown_grace, the rest kept
in the spool for the next start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneGCForIngest()
			return runServe(cmd.Context(), s, f, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&f.createDB, "create-db", false, "create the InfluxDB database (InfluxDB 1.8 set-ups), in the background and retried while InfluxDB is down")
	cmd.Flags().StringVar(&f.listen, "listen", "", "HTTP listen address; env GREENMETRICS_LISTEN")
	cmd.Flags().StringVar(&f.spoolDir, "spool-dir", "", "spool directory (default: data_dir/spool)")
	return cmd
}

type serveFlags struct {
	createDB bool
	listen   string
	spoolDir string
}

// runServe loads the configuration, opens the daemon (internal/app) and
// runs it until ctx ends, printing where it serves.
func runServe(ctx context.Context, s *settings, f serveFlags, out io.Writer) error {
	cfg, cat, err := s.loadAll()
	if err != nil {
		return err
	}
	if f.listen != "" {
		cfg.Listen = f.listen
	}
	log := newLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	setMemoryLimit(cfg.Ingest.MemoryLimit, log)
	mappings, err := loadMappings(cfg, s.configPath, nil)
	if err != nil {
		return err
	}
	tokens, err := pushTokens(cfg)
	if err != nil {
		return err
	}
	pipeOpts, err := pipelineOptions(cfg)
	if err != nil {
		return err
	}
	analysis, err := analysisOptions(cfg, cat.Indicators(), s.plans)
	if err != nil {
		return err
	}
	m := &app.Main{
		Config: cfg, Catalog: cat, Mappings: mappings, Tokens: tokens,
		Pipeline: pipeOpts, Analysis: analysis,
		SpoolDir: spoolDirOf(cfg, f.spoolDir), LedgerDir: ledgerDir(cfg), RejectDir: rejectDir(cfg),
		Version: buildVersion(), CreateDB: f.createDB, Logger: log,
	}
	if err := m.Open(); err != nil {
		return err
	}
	defer m.Close()
	// The monthly report, written on report.day at report.hour for the
	// previous month.
	if sched := newReportScheduler(cfg, cat.Indicators(), s.plans, m.Store, log.With("component", "report")); sched != nil {
		m.Runners = append(m.Runners, daemon.Runner{Name: "report", Run: sched.Run})
	}
	return m.Run(ctx, func(addr net.Addr) { printServing(out, m, addr) })
}

// printServing is serve's start-up summary.
func printServing(out io.Writer, m *app.Main, addr net.Addr) {
	cfg := m.Config
	scheme := "http"
	if cfg.Ingest.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(out, "greenmetrics %s serving on %s://%s (push: POST /api/v1/observations; POST /api/v1/analyze; /healthz /readyz /metrics)\n", buildVersion(), scheme, addr)
	fmt.Fprintf(out, "  spool:    %s (%d points waiting from before)\n", m.Spool.Dir(), m.Spool.Stats().PendingPoints)
	fmt.Fprintf(out, "  influxdb: %s bucket %s\n", cfg.Influx.URL, cfg.Influx.Bucket)
	if cfg.Ingest.DropDir != "" {
		fmt.Fprintf(out, "  drop:     %s (processed files move to done/, rejected rows to rejected/)\n", cfg.Ingest.DropDir)
	}
	if m.Tokens.Len() == 0 {
		fmt.Fprintf(out, "  tokens:   none configured: the push API is open (provider %q)\n", httpapi.OpenProvider)
	} else {
		fmt.Fprintf(out, "  tokens:   %d accepted, providers %s\n", m.Tokens.Len(), strings.Join(m.Tokens.Names(), ", "))
	}
}

func spoolDirOf(cfg config.Config, flag string) string {
	if flag != "" {
		return flag
	}
	return app.SpoolDir(cfg)
}
