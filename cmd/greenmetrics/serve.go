package main

import (
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/internal/present"
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
			out, version := cmd.OutOrStdout(), buildVersion()
			return app.Serve(cmd.Context(), app.ServeOptions{Settings: s.overrides(), Listen: f.listen, SpoolDir: f.spoolDir,
				CreateDB: f.createDB, Version: version, Log: os.Stderr,
				Started: func(m *app.Main, addr net.Addr) { present.Serving(out, version, m, addr) }})
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
