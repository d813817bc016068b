package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// analysis runs one analysis in process, as `greenmetrics progress` does,
// and says where its time went: the reads (InfluxDB's answer and its
// decoding, per kind of read) and the rest (computation).
func analysis(args []string) error {
	fs := flag.NewFlagSet("analysis", flag.ExitOnError)
	cfgPath := fs.String("config", "", "greenmetrics config")
	asOfText := fs.String("as-of", "", "RFC 3339 instant")
	year := fs.Int("year", 0, "target year")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile")
	rollups := fs.Bool("rollups", true, "keep and read daily rollups, as greenmetrics does (false: aggregate every hour)")
	_ = fs.Parse(args)

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	cat, err := config.DefaultCatalog()
	if err != nil {
		return err
	}
	asOf, err := time.Parse(time.RFC3339, *asOfText)
	if err != nil {
		return err
	}
	st, err := store.New(store.Config{URL: cfg.Influx.URL, Bucket: cfg.Influx.Bucket, Org: "greenmetrics", Timeout: 5 * time.Minute, Rollups: *rollups})
	if err != nil {
		return err
	}
	defer st.Close()
	tr := &timingReader{Store: st, took: map[string]time.Duration{}, calls: map[string]int{}}
	e, err := metrics.New(metrics.Options{Indicators: cat.Indicators(), Analysis: cfg.Analysis, Water: cfg.Water, Scope: cfg.Scope,
		Reader: tr, Now: func() time.Time { return asOf }})
	if err != nil {
		return err
	}
	stop, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	t0 := time.Now()
	if _, err := e.RunAt(context.Background(), asOf, *year); err != nil {
		return err
	}
	total := time.Since(t0)
	var reads time.Duration
	kinds := make([]string, 0, len(tr.took))
	for k, d := range tr.took {
		kinds = append(kinds, k)
		reads += d
	}
	sort.Strings(kinds)
	fmt.Printf("analysis: %.2f s, of which reads %.2f s:", total.Seconds(), reads.Seconds())
	for _, k := range kinds {
		fmt.Printf(" %s %d× %.2f s;", k, tr.calls[k], tr.took[k].Seconds())
	}
	fmt.Printf(" the rest (computation) %.2f s\n", (total - reads).Seconds())
	return nil
}

// timingReader times every read the engine makes, by kind.
type timingReader struct {
	*store.Store
	mu    sync.Mutex
	took  map[string]time.Duration
	calls map[string]int
}

func (r *timingReader) record(kind string, t0 time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.took[kind] += time.Since(t0)
	r.calls[kind]++
}

func (r *timingReader) Observations(ctx context.Context, f models.FigureQuery) ([]models.Observation, error) {
	defer r.record("observations", time.Now())
	return r.Store.Observations(ctx, f)
}

func (r *timingReader) DailyAggregates(ctx context.Context, indicator string, agg models.Aggregation, start, end time.Time) ([]models.DailyFigure, error) {
	defer r.record("daily", time.Now())
	return r.Store.DailyAggregates(ctx, indicator, agg, start, end)
}

func (r *timingReader) DaySums(ctx context.Context, f models.DayFilter) ([]models.DaySum, error) {
	defer r.record("day-sums", time.Now())
	return r.Store.DaySums(ctx, f)
}

func (r *timingReader) UnusualDays(ctx context.Context, f models.DayFilter) ([]models.DayKey, error) {
	defer r.record("unusual-days", time.Now())
	return r.Store.UnusualDays(ctx, f)
}

func (r *timingReader) Hours(ctx context.Context, indicator string, f models.DayFilter) ([]models.Observation, error) {
	defer r.record("o3-hours", time.Now())
	return r.Store.Hours(ctx, indicator, f)
}

func (r *timingReader) ObservationsOf(ctx context.Context, indicators []string, f models.FigureQuery) (map[string][]models.Observation, error) {
	defer r.record("observations-batched", time.Now())
	return r.Store.ObservationsOf(ctx, indicators, f)
}

func (r *timingReader) DailyAggregatesOf(ctx context.Context, qs []models.DailyQuery, start, end time.Time) ([][]models.DailyFigure, error) {
	defer r.record("daily-batched", time.Now())
	return r.Store.DailyAggregatesOf(ctx, qs, start, end)
}
