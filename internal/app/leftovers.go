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
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/store"
)

// leftoverRetry is how often serve looks for leftover import spools, and
// tries again one it could not empty (InfluxDB down).
const leftoverRetry = time.Minute

// leftoverSpools are the spools of import runs beside a running serve
// (data_dir/spool-import-PID) still on disk: an import removes its own
// once InfluxDB has everything, so what is left belongs to a run that
// failed or was killed — or to one still running.
func leftoverSpools(cfg config.Config) []string {
	dirs, _ := filepath.Glob(filepath.Join(cfg.DataDir, "spool-import-*"))
	return dirs
}

// DeliverLeftoverSpools delivers what failed or killed import runs left
// in their own spools: each spool no process holds is drained to InfluxDB
// and removed once empty, so acknowledged rows never wait for someone to
// find the directory. A spool an import still holds is left to it. It
// looks again every minute (an import beside the running daemon may fail
// at any time) until ctx ends, then returns nil.
func DeliverLeftoverSpools(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for {
		for _, dir := range leftoverSpools(cfg) {
			err := deliverLeftover(ctx, cfg, st, dir, log)
			if err != nil && !errors.Is(err, spool.ErrLocked) && ctx.Err() == nil {
				log.Warn("leftover import spool not delivered yet; trying again", "spool", dir, "err", err, "retry", leftoverRetry)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(leftoverRetry):
		}
	}
}

// deliverLeftover drains one leftover spool and removes it when it is
// empty and nothing in it was refused for good (dead letters stay, with
// the directory, for a person to look at).
func deliverLeftover(ctx context.Context, cfg config.Config, st *store.Store, dir string, log *slog.Logger) error {
	sp, snd, err := OpenDelivery(cfg, st, dir, log)
	if err != nil {
		return err
	}
	waiting := sp.Stats().PendingPoints
	dctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	err = snd.Drain(dctx)
	cancel()
	stats := snd.Stats()
	sp.Close()
	if err != nil {
		return fmt.Errorf("%d points still waiting: %w", stats.PendingPoints, err)
	}
	if stats.DeadLetteredPoints > 0 {
		log.Warn("leftover import spool delivered except points InfluxDB refused; they stay in its dead-letter folder", "spool", dir, "refused", stats.DeadLetteredPoints)
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the delivered spool: %w", err)
	}
	log.Info("delivered a leftover import spool", "spool", dir, "points", waiting)
	return nil
}
