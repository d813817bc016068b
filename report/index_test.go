package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestIndexDataCutoff: the index lists each edition, newest month first,
// with its data cut-off (the month's last day) and the time of the newest
// figure it includes, read from the edition's JSON.
func TestIndexDataCutoff(t *testing.T) {
	dir := t.TempDir()
	var newest time.Time
	for _, m := range []Month{{2024, time.April}, {2024, time.May}} {
		rep := buildFixture(t, m, LangZh)
		if _, err := Write(dir, rep, AllFormats); err != nil {
			t.Fatal(err)
		}
		if m.Month == time.May {
			for _, s := range rep.Sections {
				for _, row := range append(s.Rows, s.Reference...) {
					if row.LastObservation.After(newest) && row.LastObservation.Before(rep.AsOf) {
						newest = row.LastObservation
					}
				}
			}
		}
	}
	if newest.IsZero() {
		t.Fatal("the fixture has no figure with a time")
	}
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Month.String() != "2024-05" || entries[1].Month.String() != "2024-04" {
		t.Fatalf("entries %+v, want 2024-05 then 2024-04", entries)
	}
	wantLatest := newest.In(models.Shanghai).Format("2006-01-02 15:04")
	if e := entries[0]; e.Cutoff != "2024-05-31" || e.Latest != wantLatest {
		t.Errorf("2024-05: cut-off %q, newest %q; want 2024-05-31, %s", e.Cutoff, e.Latest, wantLatest)
	}
	if entries[1].Cutoff != "2024-04-30" {
		t.Errorf("2024-04: cut-off %q, want 2024-04-30", entries[1].Cutoff)
	}
	html, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"数据截至", "2024-05-31", wantLatest} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("index lacks %q", want)
		}
	}
	if bytes.Index(html, []byte("2024-05-31")) > bytes.Index(html, []byte("2024-04-30")) {
		t.Error("index lists April before May")
	}
}
