package report

import (
	"bytes"
	"context"
	"html"
	"strings"
	"testing"
	"time"
)

// TestWaterNotesAreShown: what a section's class leaves out (an item
// measured outside its evaluation set, a non-detect that cannot be judged)
// is carried into the report and said under the section table, in HTML and
// Markdown.
func TestWaterNotesAreShown(t *testing.T) {
	m := Month{2024, time.May}
	snap := fixtureSnapshot(m)
	const note = "未纳入本断面评价项目、未参与定类的监测项目：化学需氧量45 mg/L（劣Ⅴ类，纳入评价则断面为劣Ⅴ类）"
	snap.Water.Sections[1].Notes = []string{note}
	rep, err := Build(context.Background(), Input{Month: m, Lang: LangZh, Snapshot: snap, RejectDir: fixtureRejects(t),
		Now: func() time.Time { return m.End().Add(56 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Water.Sections[1].Notes; len(got) != 1 || got[0] != note {
		t.Fatalf("report water section notes = %q, want the engine's", got)
	}
	want := rep.Water.Sections[1].Name + "：" + note
	var h, md bytes.Buffer
	if err := WriteHTML(&h, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.UnescapeString(h.String()), `<p class="note water-note">`+want+`</p>`) {
		t.Errorf("HTML lacks the water note %q", want)
	}
	if !strings.Contains(md.String(), "- "+want+"\n") {
		t.Errorf("Markdown lacks the water note %q", want)
	}
	if strings.Count(h.String(), "water-note") != 1 {
		t.Errorf("HTML has %d water notes, want 1", strings.Count(h.String(), "water-note"))
	}
}
