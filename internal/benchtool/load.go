package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// load fills a database with n hourly points for the analysis benchmark:
// the Beijing stations' real hours, the most recent ones first (so that
// even 1 M points cover the analysis window of the 12 stations), and past
// the 2.45 M real values, synthesised stations "extra-NNN" over the same
// hours (not in scope.stations: the "more stations" of other districts
// that the per-station indicators still read). It prints the stations of
// the real data, one per line, to -stations.
func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	in := fs.String("in", "", "Beijing multi-site hourly CSV, gzip'ed")
	url := fs.String("url", "http://127.0.0.1:8086", "InfluxDB URL")
	db := fs.String("db", "bench", "database (created)")
	points := fs.Int("points", 1_000_000, "hourly points to store")
	stationsOut := fs.String("stations", "", "file to write the real stations to")
	conc := fs.Int("concurrency", 2, "writes in flight")
	_ = fs.Parse(args)

	real, stations, err := readBeijing(*in)
	if err != nil {
		return err
	}
	if *stationsOut != "" {
		if err := os.WriteFile(*stationsOut, []byte(strings.Join(stations, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	// The most recent points first.
	sort.Slice(real, func(i, j int) bool { return real[i].Time.After(real[j].Time) })
	if len(real) > *points {
		real = real[:*points]
	}
	st, err := store.New(store.Config{URL: *url, Bucket: *db + "/autogen", Org: "greenmetrics", Timeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.CreateDatabase(ctx); err != nil {
		return err
	}
	batches := make(chan []string, *conc)
	errs := make(chan error, *conc)
	for range *conc {
		go func() {
			var first error
			for b := range batches {
				if err := st.WriteLines(ctx, b...); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	t0 := time.Now()
	const batchSize = 10_000
	var batch []string
	var buf []byte
	emit := func(o models.Observation) {
		buf = store.AppendObservation(buf[:0], o)
		batch = append(batch, string(buf))
		if len(batch) == batchSize {
			batches <- batch
			batch = nil
		}
	}
	for _, o := range real {
		emit(o)
	}
	extra := *points - len(real)
	if extra > 0 {
		first, last := real[len(real)-1].Time, real[0].Time
		hours := int(last.Sub(first)/time.Hour) + 1
		k := 0
		for station := 0; k < extra; station++ {
			name := fmt.Sprintf("extra-%03d", station)
			for h := 0; h < hours && k < extra; h++ {
				t := first.Add(time.Duration(h) * time.Hour)
				for _, p := range pollutants {
					if k == extra {
						break
					}
					emit(models.Observation{Time: t, Indicator: p.code, Entity: name, Value: float64((k*7919)%4000) / 10, Provider: "bench"})
					k++
				}
			}
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	var werr error
	for range *conc {
		werr = errors.Join(werr, <-errs)
	}
	if werr != nil {
		return werr
	}
	fmt.Printf("load: %d points (%d real from %d stations, %d synthesised) in %.1f s\n",
		*points, len(real), len(stations), max(extra, 0), time.Since(t0).Seconds())
	return nil
}

// readBeijing reads every value of the Beijing file as an observation in
// the catalogue's units (all µg/m³, CO too) and the station names.
func readBeijing(path string) ([]models.Observation, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(bufio.NewReader(zr))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var out []models.Observation
	names := map[string]string{}
	var stations []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		num := func(name string) int { n, _ := strconv.Atoi(rec[col[name]]); return n }
		t := time.Date(num("year"), time.Month(num("month")), num("day"), num("hour"), 0, 0, 0, models.Shanghai)
		station, ok := names[rec[col["station"]]]
		if !ok {
			station = strings.Clone(rec[col["station"]])
			names[station] = station
			stations = append(stations, station)
		}
		for _, p := range pollutants {
			v, err := strconv.ParseFloat(rec[col[p.column]], 64)
			if err != nil {
				continue // NA
			}
			out = append(out, models.Observation{Time: t, Indicator: p.code, Entity: station, Value: v, Provider: "bench"})
		}
	}
	sort.Strings(stations)
	return out, stations, nil
}
