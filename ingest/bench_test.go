package ingest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// discardSink takes every batch and keeps nothing, so a benchmark measures
// the pipeline alone.
type discardSink struct{ n int }

func (s *discardSink) Append(_ context.Context, obs []models.Observation) error {
	s.n += len(obs)
	return nil
}

// airRows calls row for each of rows observations shaped like the
// air-quality replay of `make bench`: 12 stations × 6 pollutants, hourly,
// all keys distinct.
func airRows(rows int, row func(t time.Time, code, station string, value int, unit string)) {
	stations := []string{"Aotizhongxin", "Changping", "Dingling", "Dongsi", "Guanyuan", "Gucheng",
		"Huairou", "Nongzhanguan", "Shunyi", "Tiantan", "Wanliu", "Wanshouxigong"}
	pollutants := []struct{ code, unit string }{{"pm25", "ug/m3"}, {"pm10", "ug/m3"}, {"so2", "ug/m3"},
		{"no2", "ug/m3"}, {"co", "mg/m3"}, {"o3", "ug/m3"}}
	t0 := time.Date(2013, 3, 1, 0, 0, 0, 0, time.UTC)
	per := len(stations) * len(pollutants)
	for i := 0; i < rows; i++ {
		p, s := pollutants[i%len(pollutants)], stations[i/len(pollutants)%len(stations)]
		row(t0.Add(time.Duration(i/per)*time.Hour), p.code, s, 3+i%97, p.unit)
	}
}

// longCSV is rows of canonical long CSV (airRows).
func longCSV(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("time,indicator,entity,value,unit\n")
	airRows(rows, func(t time.Time, code, station string, value int, unit string) {
		fmt.Fprintf(&b, "%s,%s,%s,%d,%s\n", t.Format("2006-01-02 15:04"), code, station, value, unit)
	})
	return b.Bytes()
}

// ndjsonRows is rows of NDJSON (airRows).
func ndjsonRows(rows int) []byte {
	var b bytes.Buffer
	airRows(rows, func(t time.Time, code, station string, value int, unit string) {
		fmt.Fprintf(&b, `{"time":%q,"indicator":%q,"entity":%q,"value":%d,"unit":%q}`+"\n", t.Format(time.RFC3339), code, station, value, unit)
	})
	return b.Bytes()
}

// lpRows is rows of line protocol (airRows).
func lpRows(rows int) []byte {
	var b bytes.Buffer
	airRows(rows, func(t time.Time, code, station string, value int, unit string) {
		fmt.Fprintf(&b, "%s,entity=%s,unit=%s value=%d %d\n", code, station, unit, value, t.Unix())
	})
	return b.Bytes()
}

// BenchmarkProcessLongCSV is the importer's CPU without InfluxDB or the
// spool: read, parse, validate, deduplicate, batch. One op is 100 000 rows.
func BenchmarkProcessLongCSV(b *testing.B) { benchProcess(b, "bench.csv", FormatCSV, longCSV) }

// BenchmarkProcessNDJSON and BenchmarkProcessLineProtocol are the same
// rows pushed as NDJSON and as line protocol.
func BenchmarkProcessNDJSON(b *testing.B) { benchProcess(b, "bench.ndjson", FormatNDJSON, ndjsonRows) }

func BenchmarkProcessLineProtocol(b *testing.B) { benchProcess(b, "bench.lp", FormatLP, lpRows) }

func benchProcess(b *testing.B, name string, format Format, gen func(rows int) []byte) {
	const rows = 100_000
	data := gen(rows)
	cat := testCatalog(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sink := &discardSink{}
		p, err := NewPipeline(cat, nil, sink, Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := p.Process(context.Background(), Input{Name: name, Format: format, Reader: bytes.NewReader(data), Size: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
		if res.Accepted != rows || sink.n != rows {
			b.Fatalf("accepted %d, delivered %d; want %d (rejected %v)", res.Accepted, sink.n, rows, res.RejectedByRule)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
