package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

var (
	june = time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	at   = time.Date(2024, 7, 15, 10, 0, 0, 0, models.Shanghai)
)

func entry(value float64, provider, origin string) Entry {
	return Entry{Accepted: at, Indicator: "prefab_building_started_area", Frequency: models.FrequencyMonthly,
		Period: june, Value: value, Provider: provider, Origin: origin}
}

// record runs one update recording es and returns what Record said.
func record(t *testing.T, l *Ledger, es ...Entry) (recorded, revisions int) {
	t.Helper()
	err := l.Update(func(tx *Tx) error {
		for _, e := range es {
			r, rev := tx.Record(e)
			if r {
				recorded++
			}
			if rev {
				revisions++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recorded, revisions
}

func TestRecordFirstWritesRevisionsAndResends(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	steps := []struct {
		e                   Entry
		recorded, revisions int
	}{
		{entry(125000, "zjw", "zjw_2024-06.xlsx:12"), 1, 0},    // first write
		{entry(125000, "zjw", "zjw_2024-06.xlsx:12"), 0, 0},    // identical re-send
		{entry(130000, "zjw", "zjw_2024-06-v2.xlsx:12"), 1, 1}, // value revised
		{entry(130000, "tjj", "push tjj 7f3a row 3"), 1, 1},    // same value, other provider
	}
	for i, s := range steps {
		rec, rev := record(t, l, s.e)
		if rec != s.recorded || rev != s.revisions {
			t.Errorf("step %d: recorded %d, revisions %d; want %d, %d", i, rec, rev, s.recorded, s.revisions)
		}
	}
	all, err := Read(dir, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("ledger has %d entries, want 3: %+v", len(all), all)
	}
	last := all[2]
	if last.Previous == nil || last.Previous.Value != 130000 || last.Previous.Provider != "zjw" ||
		last.Previous.Origin != "zjw_2024-06-v2.xlsx:12" || last.Label != "2024-06" {
		t.Errorf("last entry = %+v (previous %+v)", last, last.Previous)
	}
	if _, off := last.Accepted.Zone(); off != 8*3600 {
		t.Errorf("accepted time %v is not in +08:00", last.Accepted)
	}
	revs, err := Read(dir, Query{Indicator: "prefab_building_started_area", MatchEntity: true, Period: june, RevisionsOnly: true})
	if err != nil || len(revs) != 2 {
		t.Errorf("revisions = %d (%v), want 2", len(revs), err)
	}
	none, _ := Read(dir, Query{From: at.Add(time.Second)})
	if len(none) != 0 {
		t.Errorf("entries accepted after %v: %d, want 0", at, len(none))
	}
}

func TestSurvivesReopeningAndCutsAnIncompleteLine(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	record(t, l, entry(125000, "zjw", "a.csv:2"))
	l.Close()
	// A crash in the middle of a write leaves half a line.
	f, err := os.OpenFile(filepath.Join(dir, FileName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, `{"accepted":"2024-07-15T10:00:00+08:00","indicator":"prefab_bu`)
	f.Close()

	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Len() != 1 {
		t.Errorf("reopened index holds %d figures, want 1", l.Len())
	}
	if rec, _ := record(t, l, entry(125000, "zjw", "a.csv:2")); rec != 0 {
		t.Error("a re-send after reopening was recorded again")
	}
	if _, rev := record(t, l, entry(126000, "zjw", "b.csv:2")); rev != 1 {
		t.Error("a changed value after reopening is not a revision")
	}
	all, err := Read(dir, Query{})
	if err != nil || len(all) != 2 || l.Skipped() != 0 {
		t.Errorf("entries %d (%v), skipped %d; want 2 whole entries and the cut line gone", len(all), err, l.Skipped())
	}
}

// TestTwoWritersStayConsistent has two Ledgers on one directory — as serve
// and import are — revise the same figures alternately and concurrently:
// each must see the other's entries before deciding, so every entry but
// the first of a figure is a revision of the one before it in the file.
func TestTwoWritersStayConsistent(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const rounds = 50
	var wg sync.WaitGroup
	for w, l := range []*Ledger{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				e := entry(float64(w*1000+i), fmt.Sprintf("p%d", w), fmt.Sprintf("w%d:%d", w, i))
				if err := l.Update(func(tx *Tx) error { tx.Record(e); return nil }); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	all, err := Read(dir, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2*rounds {
		t.Fatalf("%d entries, want %d", len(all), 2*rounds)
	}
	for i, e := range all {
		switch {
		case i == 0 && e.Previous != nil:
			t.Errorf("first entry has a previous figure: %+v", e.Previous)
		case i > 0 && (e.Previous == nil || e.Previous.Value != all[i-1].Value || e.Previous.Origin != all[i-1].Origin):
			t.Fatalf("entry %d (%s) supersedes %+v, want the entry before it (%s = %g)", i, e.Origin, e.Previous, all[i-1].Origin, all[i-1].Value)
		}
	}
	for _, l := range []*Ledger{a, b} {
		err := l.Update(func(tx *Tx) error {
			f, ok := tx.Lookup(KeyOf("prefab_building_started_area", "", june))
			if !ok || f.Origin != all[len(all)-1].Origin {
				t.Errorf("a ledger sees %+v, want the last entry %s", f, all[len(all)-1].Origin)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestFailedUpdateWritesNothing(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err = l.Update(func(tx *Tx) error {
		tx.Record(entry(1, "zjw", "a.csv:2"))
		return fmt.Errorf("sink refused")
	})
	if err == nil {
		t.Fatal("Update returned nil for a failing fn")
	}
	if all, _ := Read(dir, Query{}); len(all) != 0 || l.Len() != 0 {
		t.Errorf("a failed update left %d entries, %d figures", len(all), l.Len())
	}
}

func TestReadOfAMissingLedger(t *testing.T) {
	all, err := Read(filepath.Join(t.TempDir(), "none"), Query{})
	if err != nil || len(all) != 0 {
		t.Errorf("Read of a missing ledger = %v, %v; want nothing", all, err)
	}
}

func TestLedgered(t *testing.T) {
	for f, want := range map[models.Frequency]bool{
		models.FrequencyHourly: false, models.FrequencyDaily: false,
		models.FrequencyMonthly: true, models.FrequencyQuarterly: true, models.FrequencyAnnual: true,
	} {
		if Ledgered(f) != want {
			t.Errorf("Ledgered(%s) = %v, want %v", f, !want, want)
		}
	}
}

// FuzzOpenAnyFile: whatever the ledger file holds (hand edits, a crash),
// Open and Read do not fail or panic, and an update still appends whole
// lines that Read returns.
func FuzzOpenAnyFile(f *testing.F) {
	f.Add([]byte(`{"accepted":"2024-07-15T10:00:00+08:00","indicator":"gdp","frequency":"quarterly","period":"2024-04-01T00:00:00+08:00","label":"2024-Q2","value":1,"provider":"tjj","origin":"a:2"}` + "\n"))
	f.Add([]byte("{\"indicator\":\n{}\n\x00\xff"))
	f.Add([]byte(`{"indicator":"gdp","value":"x"}` + "\n" + `{"indicator":"gdp","period":"2024-04-01T00:00:00+08:00"`))
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), content, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		before, err := Read(dir, Query{})
		if err != nil {
			t.Fatal(err)
		}
		rec, _ := record(t, l, entry(42, "fuzz", "fuzz:1"))
		after, err := Read(dir, Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before)+rec || (rec == 1 && after[len(after)-1].Origin != "fuzz:1") {
			t.Fatalf("before %d entries, recorded %d, after %d", len(before), rec, len(after))
		}
	})
}
