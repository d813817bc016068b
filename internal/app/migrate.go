package app

import (
	"context"
	"fmt"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// MigrateOptions are what greenmetrics migrate was asked. Started is
// called once InfluxDB is open, before anything is read; Collision for
// each figure several schema-1 points stood for.
type MigrateOptions struct {
	Settings  config.Overrides
	DryRun    bool
	Started   func(cfg config.Config)
	Collision func(cat *config.Catalog, c store.Collision)
}

// Migrate copies the schema-1 measurement into schema 2 (docs/schema.md)
// and returns what it did and the configuration it did it with.
func Migrate(ctx context.Context, o MigrateOptions) (store.MigrateReport, config.Config, error) {
	setup, err := load(o.Settings)
	if err != nil {
		return store.MigrateReport{}, setup.Config, err
	}
	cfg, cat := setup.Config, setup.Catalog
	st, err := OpenStore(cfg)
	if err != nil {
		return store.MigrateReport{}, cfg, err
	}
	defer st.Close()
	if o.Started != nil {
		o.Started(cfg)
	}
	rep, err := st.MigrateSchema1(ctx, store.MigrateOptions{
		Frequency: func(code string) (models.Frequency, bool) {
			ind, ok := cat.Lookup(code)
			return ind.Frequency, ok
		},
		DryRun:    o.DryRun,
		BatchSize: cfg.Ingest.BatchSize,
		OnCollision: func(c store.Collision) {
			if o.Collision != nil {
				o.Collision(cat, c)
			}
		},
	})
	if err != nil {
		return rep, cfg, fmt.Errorf("migrate: %w", err)
	}
	return rep, cfg, nil
}

// InvalidateKept makes every month of daily figures the analysis keeps
// stale (store.InvalidateKept): the next run aggregates them from the
// hours again and keeps them anew. Needed only after figures were written
// to InfluxDB around greenmetrics (docs/schema.md §7). It returns the
// number of months marked.
func InvalidateKept(ctx context.Context, settings config.Overrides) (int, error) {
	setup, err := load(settings)
	if err != nil {
		return 0, err
	}
	st, err := OpenStore(setup.Config)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.InvalidateKept(ctx)
}
