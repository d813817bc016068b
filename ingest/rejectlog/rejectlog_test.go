package rejectlog_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/models"
)

func TestAppendAndReadByShanghaiMonth(t *testing.T) {
	dir := t.TempDir()
	log, err := rejectlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// 2024-06-30 20:00 UTC is already July in Asia/Shanghai.
	late := time.Date(2024, 6, 30, 20, 0, 0, 0, time.UTC)
	june := time.Date(2024, 6, 15, 9, 0, 0, 0, models.Shanghai)
	err = log.Append(
		rejectlog.Entry{Time: june, Source: "a.csv", Row: 3, Field: "value", Rule: "non_finite", Message: "value 1e309 is not finite"},
		rejectlog.Entry{Time: june, Source: "a.csv", Row: 4, Field: "indicator", Rule: "unknown_indicator", Message: "x"},
		rejectlog.Entry{Time: late, Source: "push", Row: 1, Field: "unit", Rule: "unit_not_convertible", Message: "y"},
	)
	if err != nil {
		t.Fatal(err)
	}
	got, damaged, err := rejectlog.Read(dir, "2024-06")
	if err != nil || damaged != 0 || len(got) != 2 {
		t.Fatalf("Read(2024-06) = %d entries, %d damaged, %v; want 2, 0, nil", len(got), damaged, err)
	}
	if c := rejectlog.CountByRule(got); c["non_finite"] != 1 || c["unknown_indicator"] != 1 {
		t.Errorf("CountByRule = %v", c)
	}
	july, _, _ := rejectlog.Read(dir, "2024-07")
	if len(july) != 1 || july[0].Source != "push" {
		t.Errorf("Read(2024-07) = %+v, want the late entry", july)
	}
	none, _, err := rejectlog.Read(dir, "2023-01")
	if err != nil || len(none) != 0 {
		t.Errorf("Read of a month without a file = %v, %v; want none, nil", none, err)
	}
}

func TestTalliesCountTheirRows(t *testing.T) {
	dir := t.TempDir()
	log, err := rejectlog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	june := time.Date(2024, 6, 15, 9, 0, 0, 0, models.Shanghai)
	if err := log.Append(
		rejectlog.Entry{Time: june, Source: "drop:big.csv", Row: 2, Rule: "out_of_range", Message: "x"},
		rejectlog.Entry{Time: june, Source: "drop:big.csv", Rule: "out_of_range", Count: 4999, Message: "4999 more rows rejected by this rule, not listed one by one"},
		rejectlog.Entry{Time: june, Source: "push:lab", Row: 7, Rule: "bad_time", Message: "y"},
	); err != nil {
		t.Fatal(err)
	}
	got, _, err := rejectlog.Read(dir, "2024-06")
	if err != nil || len(got) != 3 {
		t.Fatalf("Read = %d entries, %v", len(got), err)
	}
	if !got[1].Tally() || got[0].Tally() || got[1].Rows() != 4999 || got[0].Rows() != 1 {
		t.Errorf("entries after a round trip = %+v", got)
	}
	if n, c := rejectlog.CountRows(got), rejectlog.CountByRule(got); n != 5001 || c["out_of_range"] != 5000 || c["bad_time"] != 1 {
		t.Errorf("CountRows = %d, CountByRule = %v; want 5001, out_of_range 5000, bad_time 1", n, c)
	}
}

func TestTornLineIsCountedNotFatal(t *testing.T) {
	dir := t.TempDir()
	log, _ := rejectlog.Open(dir)
	when := time.Date(2024, 3, 2, 0, 0, 0, 0, models.Shanghai)
	if err := log.Append(rejectlog.Entry{Time: when, Source: "s", Row: 1, Rule: "bad_time"}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, "2024-03.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2024-03-02T00:00:00+08:00","sour`)
	f.Close()
	got, damaged, err := rejectlog.Read(dir, "2024-03")
	if err != nil || len(got) != 1 || damaged != 1 {
		t.Fatalf("Read = %d entries, %d damaged, %v; want 1, 1, nil", len(got), damaged, err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	log, _ := rejectlog.Open(dir)
	when := time.Date(2024, 5, 1, 0, 0, 0, 0, models.Shanghai)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := log.Append(rejectlog.Entry{Time: when, Source: "s", Row: i, Rule: "out_of_range"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, damaged, err := rejectlog.Read(dir, "2024-05")
	if err != nil || damaged != 0 || len(got) != 400 {
		t.Fatalf("after 8×50 concurrent appends: %d entries, %d damaged, %v; want 400, 0, nil", len(got), damaged, err)
	}
}
