package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/daemon"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/metrics/exporter"
	"github.com/greenmetrics/greenmetrics/store"
)

// readyWindow is how recently InfluxDB must have answered for /readyz: a
// few of the Sender's 10 s idle pings.
const readyWindow = 35 * time.Second

// Main is the ingestion daemon (greenmetrics serve): the push API, the drop
// folder, the spool and its delivery to InfluxDB, the scheduled analysis
// and /metrics. Set the fields above the line, then Open, Run and Close.
type Main struct {
	Config   config.Config
	Catalog  *config.Catalog
	Mappings []config.Mapping
	Tokens   httpapi.Tokens
	// Pipeline and Analysis are the options the configuration sets; Open
	// adds what it opens (ledger, rejection log, reader, writer, state).
	Pipeline ingest.Options
	Analysis metrics.Options
	// SpoolDir, LedgerDir and RejectDir are the spool, the revision
	// ledger and the rejection log.
	SpoolDir, LedgerDir, RejectDir string
	Version                        string
	// CreateDB creates the database in the background, retried while
	// InfluxDB is down (InfluxDB 1.8 set-ups).
	CreateDB bool
	// Logger receives the daemon's log; nil discards.
	Logger *slog.Logger
	// Runners are further background loops run with the daemon; Open
	// adds its own (analysis, drop folder, the monthly report when
	// report.day is set …), more may be added after Open.
	Runners []daemon.Runner

	// Store, Spool and Sender are open between Open and Close.
	Store  *store.Store
	Spool  *spool.Spool
	Sender *spool.Sender

	ledger  *ledger.Ledger
	handler http.Handler
}

// Open opens the store, the spool, the ledger and the one rejection log
// of the process and wires the pipeline, the push API, the drop folder,
// the analysis and the exporter. On an error it closes what it opened.
func (m *Main) Open() (err error) {
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, log := m.Config, m.Logger
	if m.Store, err = OpenStore(cfg); err != nil {
		return err
	}
	if m.Spool, m.Sender, err = OpenDelivery(cfg, m.Store, m.SpoolDir, log); err != nil {
		return err
	}
	if err := httpapi.RequireAuth(m.Tokens, cfg.Listen, cfg.Ingest.AllowOpenAPI); err != nil {
		return err
	}
	if m.ledger, err = ledger.Open(m.LedgerDir); err != nil {
		return err
	}
	// The one rejection log of the process: push and drop folder record
	// through it, so that their lines never interleave.
	rl, err := rejectlog.Open(m.RejectDir)
	if err != nil {
		return err
	}
	pipeOpts := m.Pipeline
	pipeOpts.Ledger, pipeOpts.Rejections, pipeOpts.Logger = m.ledger, rl, log
	pipe, err := ingest.NewPipeline(m.Catalog, m.Mappings, m.Spool, pipeOpts)
	if err != nil {
		return err
	}
	providers := exporter.NewProviderLabels(append(m.Tokens.Names(), mappingProviders(m.Mappings)...)...)
	reg := exporter.NewRegistry(m.Version, func() exporter.IngestStats { return ingestStats(pipe, m.Sender) }, providers)
	serveMetrics := exporter.NewServeMetrics(reg)
	if err := m.addDropFolder(pipe, serveMetrics.DropFile); err != nil {
		return err
	}

	mux := http.NewServeMux()
	// The API's routes go through the request metrics; /metrics does not.
	api := http.NewServeMux()
	mux.Handle("/", serveMetrics.Instrument(api))
	httpapi.New(pipe, httpapi.Options{
		Tokens:       m.Tokens,
		MaxBodyBytes: cfg.Ingest.MaxBodyBytes,
		MaxRows:      cfg.Ingest.MaxRows,
		Ready:        daemon.Ready(m.Spool, m.Sender, readyWindow, nil),
		Logger:       log,
		// Slow and crowding clients.
		BodyReadTimeout: cfg.Ingest.BodyReadTimeout,
		MaxConcurrent:   cfg.Ingest.MaxConcurrentPushes,
	}).Register(api)

	// The scheduled analysis: every analysis.interval it reads history,
	// publishes a snapshot into state (for the exporter and the report)
	// and writes derived results back to InfluxDB.
	state := &metrics.State{}
	opts := m.Analysis
	opts.Reader, opts.Writer, opts.State, opts.Logger = m.Store, m.Store, state, log.With("component", "analysis")
	eng, err := metrics.New(opts)
	if err != nil {
		return err
	}
	m.Runners = append(m.Runners, daemon.Runner{Name: "analysis", Run: eng.Run})
	// New data reaches /metrics within a minute: an analysis after each
	// delivery to InfluxDB (debounced), and on POST /api/v1/analyze.
	trigger := metrics.NewAnalysisTrigger(func(ctx context.Context) error { _, err := eng.RunOnce(ctx); return err },
		func() int64 { return m.Sender.Stats().DeliveredPoints }, metrics.TriggerOptions{})
	m.Runners = append(m.Runners, daemon.Runner{Name: "analysis trigger", Run: trigger.Run})
	api.Handle("POST /api/v1/analyze", metrics.AnalyzeHandler(trigger, func(auth string) bool {
		_, ok := m.Tokens.Allow(auth) // open, like pushes, when no token is configured
		return ok
	}))

	// The exporter reads the published snapshot at scrape time and encodes
	// it once per snapshot (metrics/exporter.Handler).
	coll, err := exporter.New(state, m.Catalog.Indicators(), exporter.OptionsFrom(cfg.Analysis, cfg.Water))
	if err != nil {
		return err
	}
	mux.Handle("GET /metrics", exporter.Handler(reg, coll))

	// Spools failed or killed imports left beside this daemon are
	// delivered and removed (docs/operations.md).
	m.Runners = append(m.Runners, daemon.Runner{Name: "leftover import spools", Run: func(ctx context.Context) error {
		return DeliverLeftoverSpools(ctx, cfg, m.Store, log)
	}})

	// --create-db creates the database in the background, retrying until
	// InfluxDB answers: a start during an outage serves and spools, which is
	// when the spool is needed most.
	if m.CreateDB {
		m.Runners = append(m.Runners, daemon.Runner{Name: "create-db", Run: func(ctx context.Context) error {
			createDatabaseWhenReachable(ctx, m.Store, cfg.Influx.Bucket, log)
			return nil
		}})
	}
	// The monthly report, written on report.day at report.hour for the
	// previous month.
	if sched := newReportScheduler(cfg, m.Analysis, m.Store, log.With("component", "report")); sched != nil {
		m.Runners = append(m.Runners, daemon.Runner{Name: "report", Run: sched.Run})
	}
	m.handler = mux
	return nil
}

// addDropFolder adds the drop folder to the runners when ingest.drop_dir
// is set, counting each file's outcome; the pipeline records its
// rejections.
func (m *Main) addDropFolder(pipe *ingest.Pipeline, counted func(outcome string)) error {
	dir := m.Config.Ingest.DropDir
	if dir == "" {
		return nil
	}
	d := ingest.NewDropFolder(dir, pipe, ingest.DropOptions{
		Logger:    m.Logger,
		Processed: func(_, outcome string, _ ingest.Result, _ error) { counted(outcome) },
	})
	if err := d.Prepare(); err != nil {
		return err
	}
	m.Runners = append(m.Runners, daemon.Runner{Name: "drop folder", Run: d.Run})
	return nil
}

// Run serves until ctx ends, then shuts down gracefully (daemon.Run):
// no new requests, delivery for up to ingest.shutdown_grace, the rest
// kept in the spool. started is called once the listener is up.
func (m *Main) Run(ctx context.Context, started func(addr net.Addr)) error {
	if m.handler == nil {
		return errors.New("app: Run before Open")
	}
	cfg := m.Config
	return daemon.Run(ctx, daemon.Config{
		Listen:        cfg.Listen,
		TLSCert:       cfg.Ingest.TLSCert,
		TLSKey:        cfg.Ingest.TLSKey,
		Handler:       m.handler,
		Spool:         m.Spool,
		Sender:        m.Sender,
		Runners:       m.Runners,
		ShutdownGrace: cfg.Ingest.ShutdownGrace,
		Logger:        m.Logger,

		MaxConnections: cfg.Ingest.MaxConnections,
		Started: func(addr net.Addr) {
			m.Logger.Info("serving", "addr", addr.String(), "spool", m.Spool.Dir(), "influx", cfg.Influx.URL)
			if started != nil {
				started(addr)
			}
			go WarnIfUnmigrated(ctx, m.Store, m.Logger)
		},
	})
}

// ServeOptions are what greenmetrics serve was asked: the listen address
// and spool directory over the configuration's, --create-db, and the
// build's version for /metrics.
type ServeOptions struct {
	Settings         config.Overrides
	Listen, SpoolDir string
	CreateDB         bool
	Version          string
	// Log receives the daemon's log.
	Log io.Writer
	// Started is called once the daemon listens.
	Started func(m *Main, addr net.Addr)
}

// Serve loads the configuration, opens the daemon and runs it until ctx
// ends.
func Serve(ctx context.Context, o ServeOptions) error {
	tuneGCForIngest()
	setup, err := load(o.Settings)
	if err != nil {
		return err
	}
	cfg, cat := setup.Config, setup.Catalog
	if o.Listen != "" {
		cfg.Listen = o.Listen
	}
	log := newLogger(o.Log, cfg.LogLevel, cfg.LogFormat)
	setMemoryLimit(cfg.Ingest.MemoryLimit, log)
	mappings, err := cfg.AllMappings(o.Settings.ConfigPath, nil)
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
	analysis, err := analysisOptions(cfg, cat.Indicators(), setup.Plans)
	if err != nil {
		return err
	}
	spoolDir := o.SpoolDir
	if spoolDir == "" {
		spoolDir = cfg.SpoolDir()
	}
	m := &Main{
		Config: cfg, Catalog: cat, Mappings: mappings, Tokens: tokens,
		Pipeline: pipeOpts, Analysis: analysis,
		SpoolDir: spoolDir, LedgerDir: cfg.LedgerDir(), RejectDir: cfg.RejectDir(),
		Version: o.Version, CreateDB: o.CreateDB, Logger: log,
	}
	if err := m.Open(); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx, func(addr net.Addr) {
		if o.Started != nil {
			o.Started(m, addr)
		}
	})
}

// Close releases what Open opened; it may be called more than once.
func (m *Main) Close() error {
	var errs []error
	if m.Spool != nil {
		errs = append(errs, m.Spool.Close())
	}
	if m.ledger != nil {
		errs = append(errs, m.ledger.Close())
		m.ledger = nil
	}
	if m.Store != nil {
		m.Store.Close()
		m.Store = nil
	}
	return errors.Join(errs...)
}

// OpenStore opens the InfluxDB store the configuration names.
func OpenStore(cfg config.Config) (*store.Store, error) {
	return store.New(store.Config{
		URL:     cfg.Influx.URL,
		Token:   cfg.Influx.Token,
		Org:     cfg.Influx.Org,
		Bucket:  cfg.Influx.Bucket,
		Timeout: cfg.Influx.Timeout,
		Rollups: true,
	})
}

// OpenDelivery opens the spool in dir and the Sender delivering it to st,
// as configured. Import and serve share it.
func OpenDelivery(cfg config.Config, st *store.Store, dir string, log *slog.Logger) (*spool.Spool, *spool.Sender, error) {
	sp, err := spool.Open(dir, spool.Options{MaxBytes: cfg.Ingest.SpoolMaxBytes, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	snd := spool.NewSender(sp, st, spool.SenderOptions{
		BatchSize:   cfg.Ingest.BatchSize,
		Concurrency: cfg.Ingest.DeliveryConcurrency,
		RetryMin:    cfg.Ingest.RetryMin,
		RetryMax:    cfg.Ingest.RetryMax,
		Marks:       store.MarkLines,
		Logger:      log,
	})
	return sp, snd, nil
}

// mappingProviders are the providers the mappings give their files: the
// mapping's source, else its name.
func mappingProviders(mappings []config.Mapping) []string {
	out := make([]string, 0, len(mappings))
	for _, m := range mappings {
		if m.Source != "" {
			out = append(out, m.Source)
		} else {
			out = append(out, m.Name)
		}
	}
	return out
}

// ingestStats joins the pipeline's counts and the sender's state for the
// self-metrics collector.
func ingestStats(pipe *ingest.Pipeline, snd *spool.Sender) exporter.IngestStats {
	ps := pipe.Stats()
	ss := snd.Stats()
	out := exporter.IngestStats{
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
		Latency: exporter.Histogram{
			Bounds: ss.Latency.Bounds,
			Counts: ss.Latency.Counts,
			Count:  ss.Latency.Count,
			Sum:    ss.Latency.Sum,
		},
	}
	for _, src := range slices.Sorted(maps.Keys(ps.Sources)) {
		c := ps.Sources[src]
		out.Accepted[src] = c.Accepted
		for _, rule := range slices.Sorted(maps.Keys(c.Rejected)) {
			out.Rejected = append(out.Rejected, exporter.RejectedCount{Source: src, Rule: rule, Count: c.Rejected[rule]})
		}
	}
	return out
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

// WarnIfUnmigrated logs a warning when the bucket holds schema-1 figures
// and no schema-2 ones: the analysis would see no history until
// `greenmetrics migrate` copies it.
func WarnIfUnmigrated(ctx context.Context, st *store.Store, log *slog.Logger) {
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
