// Command benchtool prepares and measures the ingestion benchmark that
// scripts/bench.sh runs:
//
//	benchtool gen-csv -in beijing.csv.gz -out rows.csv -rows 1000000
//	benchtool ceiling -csv rows.csv -url http://127.0.0.1:8086 -db bench -batch 5000
//	benchtool load -in beijing.csv.gz -url http://127.0.0.1:8086 -db bench -points 10000000
//	benchtool analysis -config greenmetrics.yaml -as-of 2017-02-28T23:59:59+08:00 -year 2017
//
// gen-csv turns the Beijing multi-site hourly air-quality data (UCI; six
// pollutants × 12 stations, 2013-03 … 2017-02) into canonical long CSV,
// or synthesises rows of the same shape when the file is absent. ceiling
// posts the same rows as pre-formatted line protocol, one batch at a time,
// straight to InfluxDB: the throughput no importer can beat. load fills a
// database for the analysis benchmark (scripts/bench-analysis.sh);
// analysis runs one analysis in process and times its reads by kind.
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
	"strconv"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool gen-csv|ceiling|load|analysis|report [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen-csv":
		err = genCSV(os.Args[2:])
	case "ceiling":
		err = ceiling(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	case "analysis":
		err = analysis(os.Args[2:])
	case "report":
		err = report(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

// pollutants are the Beijing file's value columns and their catalogue
// codes; all are in µg/m³ there (CO too).
var pollutants = []struct{ column, code string }{
	{"PM2.5", "pm25"}, {"PM10", "pm10"}, {"SO2", "so2"}, {"NO2", "no2"}, {"CO", "co"}, {"O3", "o3"},
}

func genCSV(args []string) error {
	fs := flag.NewFlagSet("gen-csv", flag.ExitOnError)
	in := fs.String("in", "", "Beijing multi-site hourly CSV, gzip'ed (synthesise when absent)")
	out := fs.String("out", "rows.csv", "output long CSV")
	rows := fs.Int("rows", 1_000_000, "rows to write")
	_ = fs.Parse(args)

	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "time,indicator,entity,value,unit")
	n := 0
	src := "synthesised"
	if *in != "" {
		if _, err := os.Stat(*in); err == nil {
			src = *in
			if n, err = replayBeijing(*in, w, *rows); err != nil {
				return err
			}
		}
	}
	// Past the real data (or without it), synthesise more of the same
	// shape, in later years so no key repeats.
	synthesise(w, n, *rows)
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("gen-csv: %d rows (%d replayed from %s) in %s\n", *rows, n, src, *out)
	return nil
}

// replayBeijing writes up to limit long rows from the Beijing file.
func replayBeijing(path string, w io.Writer, limit int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return 0, err
	}
	r := csv.NewReader(bufio.NewReader(zr))
	header, err := r.Read()
	if err != nil {
		return 0, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	n := 0
	for n < limit {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		ts := fmt.Sprintf("%s-%02s-%02s %02s:00", rec[col["year"]], pad(rec[col["month"]]), pad(rec[col["day"]]), pad(rec[col["hour"]]))
		for _, p := range pollutants {
			v := rec[col[p.column]]
			if v == "" || v == "NA" || n >= limit {
				continue
			}
			fmt.Fprintf(w, "%s,%s,%s,%s,ug/m3\n", ts, p.code, rec[col["station"]], v)
			n++
		}
	}
	return n, nil
}

func pad(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// synthStations is the number of stations synthesised rows come from:
// enough that ten million rows stay in the past (about 1.2 years of hours
// from 2018), so that none is rejected as future_time.
const synthStations = 120

// synthesise writes rows from … to-1 of hourly data at synthStations
// stations from 2018 on, values in the range of the real ones.
func synthesise(w io.Writer, from, to int) {
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, models.Shanghai)
	for k := from; k < to; k++ {
		p := pollutants[k%len(pollutants)]
		station := fmt.Sprintf("station-%03d", (k/len(pollutants))%synthStations)
		hour := k / (len(pollutants) * synthStations)
		v := float64((k*7919)%4000) / 10
		fmt.Fprintf(w, "%s,%s,%s,%g,ug/m3\n", start.Add(time.Duration(hour)*time.Hour).Format("2006-01-02 15:04"), p.code, station, v)
	}
}

func ceiling(args []string) error {
	fs := flag.NewFlagSet("ceiling", flag.ExitOnError)
	path := fs.String("csv", "rows.csv", "long CSV written by gen-csv")
	url := fs.String("url", "http://127.0.0.1:8086", "InfluxDB URL")
	db := fs.String("db", "bench_ceiling", "database (created)")
	batch := fs.Int("batch", 5000, "points per write")
	conc := fs.Int("concurrency", 1, "writes in flight")
	_ = fs.Parse(args)

	lines, err := encodeCSV(*path)
	if err != nil {
		return err
	}
	st, err := store.New(store.Config{URL: *url, Bucket: *db + "/autogen", Org: "greenmetrics", Timeout: time.Minute})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.CreateDatabase(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	starts := make(chan int)
	errs := make(chan error, *conc)
	for range *conc {
		go func() {
			var first error
			for i := range starts {
				if err := st.WriteLines(ctx, lines[i:min(i+*batch, len(lines))]...); err != nil && first == nil {
					first = fmt.Errorf("batch at %d: %w", i, err)
				}
			}
			errs <- first
		}()
	}
	for i := 0; i < len(lines); i += *batch {
		starts <- i
	}
	close(starts)
	var werr error
	for range *conc {
		werr = errors.Join(werr, <-errs)
	}
	if werr != nil {
		return werr
	}
	el := time.Since(t0)
	fmt.Printf("ceiling: %d points in %.2f s = %.0f points/s (pre-formatted line protocol, %d-point batches, %d in flight)\n",
		len(lines), el.Seconds(), float64(len(lines))/el.Seconds(), *batch, *conc)
	return nil
}

// encodeCSV reads gen-csv's output into line protocol, untimed: the
// ceiling measures posting only.
func encodeCSV(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var lines []string
	var buf []byte
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		if len(parts) != 5 {
			return nil, fmt.Errorf("%s: bad row %q", path, sc.Text())
		}
		t, err := models.ParseTime(parts[0], nil)
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseFloat(parts[3], 64)
		if err != nil {
			return nil, err
		}
		buf = store.AppendObservation(buf[:0], models.Observation{Time: t, Indicator: parts[1], Entity: parts[2], Value: v})
		lines = append(lines, string(buf))
	}
	return lines, sc.Err()
}
