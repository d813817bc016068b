package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// BatchDelivery is where a batch command (import, demo) delivers: the
// spool, with its Sender running alongside so that a large input never
// fills it, and a final drain; the revision ledger and the rejection log
// beside it. A dry run's delivery keeps nothing and records nothing.
type BatchDelivery struct {
	// Sink is the pipeline's Sink: the spool, waiting when it is full.
	Sink ingest.Sink

	sp      *spool.Spool
	snd     *spool.Sender
	st      *store.Store
	rejects *rejectlog.Log
	ledger  *ledger.Ledger
	log     *slog.Logger
	cfg     config.Config
	stopRun context.CancelFunc
	runDone chan error
	before  spool.Stats
	// private marks a spool of this run's own (the shared one was in use):
	// removed when drained, kept (and named) when not.
	private bool
}

// privateSpoolDir is the spool of one batch run beside a running serve:
// data_dir/spool-import-PID.
func privateSpoolDir(cfg config.Config) string {
	return filepath.Join(cfg.DataDir, fmt.Sprintf("spool-import-%d", os.Getpid()))
}

// OpenBatchDelivery opens the delivery of a batch run: the spool in
// spoolDir, or when that is empty the shared spool, or — while a running
// serve holds it — a spool of this run's own. dryRun opens nothing.
func OpenBatchDelivery(ctx context.Context, cfg config.Config, spoolDir string, dryRun bool, ledgerDir, rejectDir string, log *slog.Logger) (*BatchDelivery, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dryRun {
		return &BatchDelivery{Sink: discardSink{}, cfg: cfg, log: log}, nil
	}
	st, err := OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	shared := spoolDir
	if shared == "" {
		shared = cfg.SpoolDir()
	}
	sp, snd, err := OpenDelivery(cfg, st, shared, log)
	private := false
	if errors.Is(err, spool.ErrLocked) && spoolDir == "" {
		// A running `greenmetrics serve` owns the shared spool: this run
		// takes a spool of its own, removed once InfluxDB has it all.
		sp, snd, err = OpenDelivery(cfg, st, privateSpoolDir(cfg), log)
		private = err == nil
		if private {
			log.Info("the shared spool is in use by a running serve; import uses its own", "spool", sp.Dir())
		}
	}
	if err != nil {
		st.Close()
		if errors.Is(err, spool.ErrLocked) {
			return nil, fmt.Errorf("%w: another import or serve uses it; leave --spool-dir out to get a spool of this run's own", err)
		}
		return nil, err
	}
	rl, err := rejectlog.Open(rejectDir)
	if err != nil {
		sp.Close()
		st.Close()
		return nil, err
	}
	led, err := ledger.Open(ledgerDir)
	if err != nil {
		sp.Close()
		st.Close()
		return nil, err
	}
	runCtx, stop := context.WithCancel(ctx)
	d := &BatchDelivery{Sink: waitingSink{sp: sp}, sp: sp, snd: snd, st: st, rejects: rl, ledger: led, log: log, cfg: cfg,
		stopRun: stop, private: private, runDone: make(chan error, 1), before: snd.Stats()}
	go func() { d.runDone <- snd.Run(runCtx) }()
	return d, nil
}

// Options adds the delivery's revision ledger, rejection log and logger
// to the pipeline options of the configuration (none for a dry run, which
// must not record).
func (d *BatchDelivery) Options(opts ingest.Options) ingest.Options {
	opts.Ledger, opts.Logger = d.ledger, d.log
	if d.rejects != nil {
		opts.Rejections = d.rejects
	}
	return opts
}

// Delivered says what Finish delivered.
type Delivered struct {
	DryRun bool
	Points int64
}

// Finish stops the background delivery and drains the spool within
// timeout, reporting what reached InfluxDB. A run's own spool is removed
// once drained.
func (d *BatchDelivery) Finish(ctx context.Context, timeout time.Duration) (Delivered, error) {
	if d.sp == nil {
		return Delivered{DryRun: true}, nil
	}
	d.stopRun()
	if err := <-d.runDone; err != nil {
		return Delivered{}, err
	}
	d.stopRun = func() {}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := d.snd.Drain(dctx)
	after := d.snd.Stats()
	delivered := after.DeliveredPoints - d.before.DeliveredPoints
	dead := after.DeadLetteredPoints - d.before.DeadLetteredPoints
	if err != nil && d.private {
		return Delivered{Points: delivered}, fmt.Errorf("%d observations delivered, %d still in this run's spool %s (the running serve delivers and removes it within a minute of this run's end): %w",
			delivered, after.PendingPoints, d.sp.Dir(), err)
	}
	if err != nil {
		return Delivered{Points: delivered}, fmt.Errorf("%d observations delivered, %d still in the spool %s (serve or the next import delivers them): %w",
			delivered, after.PendingPoints, d.sp.Dir(), err)
	}
	if dead > 0 {
		return Delivered{Points: delivered}, fmt.Errorf("InfluxDB refused %d observations; they are in %s", dead, d.sp.DeadLetterDir())
	}
	if d.private {
		dir := d.sp.Dir()
		d.Close()
		if err := os.RemoveAll(dir); err != nil {
			return Delivered{Points: delivered}, fmt.Errorf("removing this run's empty spool: %w", err)
		}
	}
	return Delivered{Points: delivered}, nil
}

// Close stops the background delivery and releases the spool, the store
// and the ledger; it may be called more than once.
func (d *BatchDelivery) Close() {
	if d.sp == nil {
		return
	}
	d.stopRun()
	d.sp.Close()
	d.sp = nil
	d.st.Close()
	d.ledger.Close()
}

// waitingSink appends to the spool and, when it is full, waits for the
// Sender to make room instead of failing: a batch run has nobody to
// answer 503 to.
type waitingSink struct{ sp *spool.Spool }

func (w waitingSink) Append(ctx context.Context, obs []models.Observation) error {
	for {
		err := w.sp.Append(ctx, obs)
		if err == nil || !ingest.IsBackpressure(err) {
			return err
		}
		wait := spool.RetryAfter(err)
		if wait <= 0 {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// discardSink takes everything and keeps nothing (--dry-run).
type discardSink struct{}

func (discardSink) Append(context.Context, []models.Observation) error { return nil }
