package main

import (
	"context"
	"fmt"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/daemon"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/metrics/exporter"
	"github.com/greenmetrics/greenmetrics/store"
)

// readyWindow is how recently InfluxDB must have answered for /readyz: a
// few of the Sender's 10 s idle pings.
const readyWindow = 35 * time.Second

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

// runServe wires the daemon from the configuration and runs it until ctx
// ends.
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

	st, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	sp, snd, err := openDelivery(cfg, st, spoolDirOf(cfg, f.spoolDir), log)
	if err != nil {
		return err
	}
	mappings, err := loadMappings(cfg, s.configPath, nil)
	if err != nil {
		sp.Close()
		return err
	}
	tokens, err := pushTokens(cfg)
	if err == nil {
		err = httpapi.RequireAuth(tokens, cfg.Listen, cfg.Ingest.AllowOpenAPI)
	}
	if err != nil {
		sp.Close()
		return err
	}
	pipeOpts, err := pipelineOptions(cfg)
	if err != nil {
		sp.Close()
		return err
	}
	led, err := ledger.Open(ledgerDir(cfg))
	if err != nil {
		sp.Close()
		return err
	}
	defer led.Close()
	pipeOpts.Ledger = led
	pipe, err := ingest.NewPipeline(cat, mappings, httpapi.LimitedSink{Sink: sp}, pipeOpts)
	if err != nil {
		sp.Close()
		return err
	}
	providers := metrics.NewProviderLabels(append(tokens.Names(), mappingProviders(mappings)...)...)
	reg := metrics.NewRegistry(buildVersion(), func() metrics.IngestStats { return ingestStats(pipe, snd) }, providers)
	serveMetrics := metrics.NewServeMetrics(reg)
	runners, err := dropFolderRunners(cfg, pipe, log, serveMetrics.DropFile)
	if err != nil {
		sp.Close()
		return err
	}

	mux := http.NewServeMux()
	// The API's routes go through the request metrics; /metrics does not.
	api := http.NewServeMux()
	mux.Handle("/", serveMetrics.Instrument(api))
	rl, err := rejectlog.Open(rejectDir(cfg))
	if err != nil {
		sp.Close()
		return err
	}
	httpapi.New(loggingProcessor{p: pipe, rl: rl, log: log}, httpapi.Options{
		Tokens:       tokens,
		MaxBodyBytes: cfg.Ingest.MaxBodyBytes,
		MaxRows:      cfg.Ingest.MaxRows,
		Ready:        daemon.Ready(sp, snd, readyWindow, nil),
		Logger:       log,
		// Slow and crowding clients.
		BodyReadTimeout: cfg.Ingest.BodyReadTimeout,
		MaxConcurrent:   cfg.Ingest.MaxConcurrentPushes,
	}).Register(api)
	mux.Handle("GET /metrics", metrics.Handler(reg))

	// Extension point: other subsystems add their background loops (the
	// scheduled analysis) to runners, their collectors to reg and their
	// endpoints to mux here.

	// The scheduled analysis: every analysis.interval it reads history,
	// publishes a snapshot into state (for the exporter and the report)
	// and writes derived results back to InfluxDB.
	state := &metrics.State{}
	opts, err := analysisOptions(cfg, cat.Indicators(), s.plans)
	if err != nil {
		sp.Close()
		return err
	}
	opts.Reader, opts.Writer, opts.State, opts.Logger = st, st, state, log.With("component", "analysis")
	eng, err := metrics.New(opts)
	if err != nil {
		sp.Close()
		return err
	}
	runners = append(runners, daemon.Runner{Name: "analysis", Run: eng.Run})
	// New data reaches /metrics within a minute: an analysis after each
	// delivery to InfluxDB (debounced), and on POST /api/v1/analyze.
	trigger := metrics.NewAnalysisTrigger(func(ctx context.Context) error { _, err := eng.RunOnce(ctx); return err },
		func() int64 { return snd.Stats().DeliveredPoints }, metrics.TriggerOptions{})
	runners = append(runners, daemon.Runner{Name: "analysis trigger", Run: trigger.Run})
	api.Handle("POST /api/v1/analyze", metrics.AnalyzeHandler(trigger, func(auth string) bool {
		_, ok := tokens.Allow(auth) // open, like pushes, when no token is configured
		return ok
	}))

	// The exporter reads the published snapshot at scrape time.
	coll, err := exporter.New(state, cat.Indicators(), exporter.OptionsFrom(cfg.Analysis, cfg.Water))
	if err != nil {
		sp.Close()
		return err
	}
	reg.MustRegister(coll)

	// --create-db creates the database in the background, retrying until
	// InfluxDB answers: a start during an outage serves and spools, which is
	// when the spool is needed most.
	if f.createDB {
		runners = append(runners, daemon.Runner{Name: "create-db", Run: func(ctx context.Context) error {
			createDatabaseWhenReachable(ctx, st, cfg.Influx.Bucket, log)
			return nil
		}})
	}

	// The monthly report, written on report.day at report.hour for the
	// previous month.
	if sched := newReportScheduler(cfg, cat.Indicators(), s.plans, st, log.With("component", "report")); sched != nil {
		runners = append(runners, daemon.Runner{Name: "report", Run: sched.Run})
	}

	scheme := "http"
	if cfg.Ingest.TLSCert != "" {
		scheme = "https"
	}
	return daemon.Run(ctx, daemon.Config{
		Listen:        cfg.Listen,
		TLSCert:       cfg.Ingest.TLSCert,
		TLSKey:        cfg.Ingest.TLSKey,
		Handler:       mux,
		Spool:         sp,
		Sender:        snd,
		Runners:       runners,
		ShutdownGrace: cfg.Ingest.ShutdownGrace,
		Logger:        log,

		MaxConnections: cfg.Ingest.MaxConnections,
		Started: func(addr net.Addr) {
			fmt.Fprintf(out, "greenmetrics %s serving on %s://%s (push: POST /api/v1/observations; POST /api/v1/analyze; /healthz /readyz /metrics)\n", buildVersion(), scheme, addr)
			fmt.Fprintf(out, "  spool:    %s (%d points waiting from before)\n", sp.Dir(), sp.Stats().PendingPoints)
			fmt.Fprintf(out, "  influxdb: %s bucket %s\n", cfg.Influx.URL, cfg.Influx.Bucket)
			if cfg.Ingest.DropDir != "" {
				fmt.Fprintf(out, "  drop:     %s (processed files move to done/, rejected rows to rejected/)\n", cfg.Ingest.DropDir)
			}
			if tokens.Len() == 0 {
				fmt.Fprintf(out, "  tokens:   none configured: the push API is open (provider %q)\n", httpapi.OpenProvider)
			} else {
				fmt.Fprintf(out, "  tokens:   %d accepted, providers %s\n", tokens.Len(), strings.Join(tokens.Names(), ", "))
			}
			log.Info("serving", "addr", addr.String(), "spool", sp.Dir(), "influx", cfg.Influx.URL)
			go warnIfUnmigrated(ctx, st, log)
		},
	})
}

// createDBRetryMin and createDBRetryMax bound the wait between attempts
// to create the database while InfluxDB cannot be reached.
const (
	createDBRetryMin = time.Second
	createDBRetryMax = time.Minute
)

// createDatabaseWhenReachable creates the database, retrying with a
// doubling wait (1 s up to 1 min) until it succeeds or ctx ends. Meanwhile
// the daemon accepts data into the spool; the Sender delivers it once the
// database exists.
func createDatabaseWhenReachable(ctx context.Context, st *store.Store, bucket string, log *slog.Logger) {
	wait := createDBRetryMin
	for attempt := 1; ; attempt++ {
		err := st.CreateDatabase(ctx)
		if err == nil {
			log.Info("--create-db: database ready", "bucket", bucket, "attempts", attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("--create-db: cannot create the database yet; serving and spooling meanwhile, retrying",
			"bucket", bucket, "attempt", attempt, "retry_in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(wait*2, createDBRetryMax)
	}
}

// schemaCheckTimeout bounds the start-up look for schema-1 data, so that
// an InfluxDB that is down does not hold anything up.
const schemaCheckTimeout = 20 * time.Second

// warnIfUnmigrated logs a warning when the bucket holds schema-1 figures
// and no schema-2 ones: the analysis would see no history until
// `greenmetrics migrate` copies it.
func warnIfUnmigrated(ctx context.Context, st *store.Store, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, schemaCheckTimeout)
	defer cancel()
	need, err := st.NeedsMigration(ctx)
	switch {
	case err != nil:
		log.Debug("could not check the storage schema", "err", err)
	case need:
		log.Warn(`InfluxDB holds schema-1 figures (measurement "observation") and no schema-2 ones (figure, derived): ` +
			`the analysis, dashboards and report see no history until you run greenmetrics migrate (docs/schema.md §5)`)
	}
}

func spoolDirOf(cfg config.Config, flag string) string {
	switch {
	case flag != "":
		return flag
	case cfg.Ingest.SpoolDir != "":
		return cfg.Ingest.SpoolDir
	}
	return filepath.Join(cfg.DataDir, "spool")
}

// openDelivery opens the spool in dir and the Sender delivering it to st,
// as configured. Import and serve share it.
func openDelivery(cfg config.Config, st *store.Store, dir string, log *slog.Logger) (*spool.Spool, *spool.Sender, error) {
	sp, err := spool.Open(dir, spool.Options{MaxBytes: cfg.Ingest.SpoolMaxBytes, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	snd := spool.NewSender(sp, st, spool.SenderOptions{
		BatchSize:   cfg.Ingest.BatchSize,
		Concurrency: cfg.Ingest.DeliveryConcurrency,
		RetryMin:    cfg.Ingest.RetryMin,
		RetryMax:    cfg.Ingest.RetryMax,
		Logger:      log,
	})
	return sp, snd, nil
}

// ingestStats joins the pipeline's counts and the sender's state for the
// self-metrics collector.
func ingestStats(pipe *ingest.Pipeline, snd *spool.Sender) metrics.IngestStats {
	ps := pipe.Stats()
	ss := snd.Stats()
	out := metrics.IngestStats{
		Accepted:           map[string]int64{},
		PendingPoints:      ss.PendingPoints,
		PendingBytes:       ss.PendingBytes,
		CapacityBytes:      ss.MaxBytes,
		OldestPendingAge:   ss.OldestPendingAge,
		DeliveredPoints:    ss.DeliveredPoints,
		DeadLetteredPoints: ss.DeadLetteredPoints,
		DamagedRecords:     ss.DamagedRecords,
		WriteErrors:        ss.WriteErrors,
		LastSuccess:        ss.LastSuccess,
		InfluxUp:           ss.InfluxUp,
		Latency: metrics.Histogram{
			Bounds: ss.Latency.Bounds,
			Counts: ss.Latency.Counts,
			Count:  ss.Latency.Count,
			Sum:    ss.Latency.Sum,
		},
	}
	sources := make([]string, 0, len(ps.Sources))
	for src := range ps.Sources {
		sources = append(sources, src)
	}
	sort.Strings(sources)
	for _, src := range sources {
		c := ps.Sources[src]
		out.Accepted[src] = c.Accepted
		rules := make([]string, 0, len(c.Rejected))
		for rule := range c.Rejected {
			rules = append(rules, rule)
		}
		sort.Strings(rules)
		for _, rule := range rules {
			out.Rejected = append(out.Rejected, metrics.RejectedCount{Source: src, Rule: rule, Count: c.Rejected[rule]})
		}
	}
	return out
}
