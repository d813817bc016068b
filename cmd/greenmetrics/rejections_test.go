package main

import (
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
)

func TestRejectionEntriesTallyWhatResultDoesNotList(t *testing.T) {
	now := time.Date(2024, 6, 15, 9, 0, 0, 0, time.UTC)
	res := ingest.Result{
		Rejected: []ingest.Rejection{
			{Row: 2, Field: "value", Rule: "out_of_range", Message: "a"},
			{Row: 3, Field: "time", Rule: "bad_time", Message: "b"},
			{Row: 9, Field: "value", Rule: "out_of_range", Message: "c"},
		},
		// The pipeline listed 3 of 2 505 rejections.
		RejectedByRule: map[string]int{"out_of_range": 2500, "bad_time": 2, "unknown_indicator": 3},
	}
	got := rejectionEntries("drop:big.csv", res, now)
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
