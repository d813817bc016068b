package ingest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
)

func TestRejectionEntriesTallyWhatResultDoesNotList(t *testing.T) {
	now := time.Date(2024, 6, 15, 9, 0, 0, 0, time.UTC)
	res := Result{
		Rejected: []Rejection{
			{Row: 2, Field: "value", Rule: "out_of_range", Message: "a"},
			{Row: 3, Field: "time", Rule: "bad_time", Message: "b"},
			{Row: 9, Field: "value", Rule: "out_of_range", Message: "c"},
		},
		// The pipeline listed 3 of 2 505 rejections.
		RejectedByRule: map[string]int{"out_of_range": 2500, "bad_time": 2, "unknown_indicator": 3},
	}
	got := RejectionEntries("drop:big.csv", res, now)
	want := []rejectlog.Entry{
		{Time: now, Source: "drop:big.csv", Row: 2, Field: "value", Rule: "out_of_range", Message: "a"},
		{Time: now, Source: "drop:big.csv", Row: 3, Field: "time", Rule: "bad_time", Message: "b"},
		{Time: now, Source: "drop:big.csv", Row: 9, Field: "value", Rule: "out_of_range", Message: "c"},
		{Time: now, Source: "drop:big.csv", Rule: "bad_time", Message: "1 more row rejected by this rule, not listed one by one"},
		{Time: now, Source: "drop:big.csv", Rule: "out_of_range", Count: 2498, Message: "2498 more rows rejected by this rule, not listed one by one"},
		{Time: now, Source: "drop:big.csv", Rule: "unknown_indicator", Count: 3, Message: "3 more rows rejected by this rule, not listed one by one"},
	}
	if len(got) != len(want) {
		t.Fatalf("entries = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if n := rejectlog.CountRows(got); n != res.RejectedCount() {
		t.Errorf("the entries stand for %d rows, the result rejected %d", n, res.RejectedCount())
	}
}

// recordingSink keeps the entries the pipeline hands it.
type recordingSink struct {
	mu      sync.Mutex
	entries []rejectlog.Entry
}

func (s *recordingSink) Reject(_ context.Context, entries []rejectlog.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, entries...)
	return nil
}

func TestPipelineRecordsRejectionsThroughItsSink(t *testing.T) {
	const csv = "time,indicator,value,unit\n2024-06,gdp,1,亿元\n2024-06,gdp,x,亿元\n2024-06,no_such,1,亿元\n"
	full := func(int) error { return ErrBackpressure }
	for _, tc := range []struct {
		name, origin string
		fail         func(int) error
		wantSource   string
		wantEntries  int
	}{
		{"named by its origin", "push:zjw", nil, "push:zjw", 2},
		{"named by its name without one", "", nil, "in.csv", 2},
		// The client sends it again, and the retry is recorded.
		{"not when the sink was full", "push:zjw", full, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingSink{}
			p, sink := newTestPipeline(t, Options{Rejections: rec})
			sink.fail = tc.fail
			_, err := p.Process(context.Background(), Input{Name: "in.csv", Origin: tc.origin, Reader: strings.NewReader(csv)})
			if (err != nil) != (tc.fail != nil) {
				t.Fatalf("Process = %v", err)
			}
			if len(rec.entries) != tc.wantEntries {
				t.Fatalf("recorded %+v, want %d entries", rec.entries, tc.wantEntries)
			}
			for _, e := range rec.entries {
				if e.Source != tc.wantSource {
					t.Errorf("entry source %q, want %q", e.Source, tc.wantSource)
				}
			}
		})
	}
}

func TestMaxRowsRefusesTheBatchThatWouldExceedIt(t *testing.T) {
	const csv = "time,indicator,value,unit\n2021,gdp,1,亿元\n2022,gdp,2,亿元\n2023,gdp,3,亿元\n"
	for _, tc := range []struct {
		name         string
		maxRows      int
		wantAccepted int
		wantTooMany  bool
	}{
		{"no bound", 0, 3, false},
		{"exactly the bound", 3, 3, false},
		{"over the bound", 2, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{BatchSize: 1})
			res, err := p.Process(context.Background(), Input{Name: "in.csv", MaxRows: tc.maxRows, Reader: strings.NewReader(csv)})
			if got := errors.Is(err, ErrTooManyRows); got != tc.wantTooMany {
				t.Errorf("Process error %v; too many rows: %v, want %v", err, got, tc.wantTooMany)
			}
			if res.Accepted != tc.wantAccepted || len(sink.all()) != tc.wantAccepted {
				t.Errorf("accepted %d, stored %d; want %d", res.Accepted, len(sink.all()), tc.wantAccepted)
			}
		})
	}
}
