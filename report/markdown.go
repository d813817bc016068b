package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the report for pasting into a document: the summary,
// one table per domain, the water sections, the station means and the
// data-quality section. Charts are left to the HTML.
func WriteMarkdown(w io.Writer, r *Report) error {
	l := labelsFor(r.Lang)
	v := newHTMLView(r)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s（%s）\n\n", r.Title, v.MonthName)
	fmt.Fprintf(&b, "%s %s · %s %s\n\n", l.AsOf, v.AsOf, l.TimeProgress, v.TimeProgress)
	fmt.Fprintf(&b, "## %s\n\n", l.Summary)
	for _, p := range r.Summary {
		b.WriteString(p + "\n\n")
	}
	if fv := v.Final; fv != nil {
		fmt.Fprintf(&b, "## %s\n\n", fv.Title)
		mdTable(&b, fv.Head)
		for _, row := range fv.Rows {
			mdLine(&b, row...)
		}
		b.WriteString("\n")
	}
	for _, s := range v.Sections {
		fmt.Fprintf(&b, "## %s\n\n", s.Title)
		if len(s.Rows) == 0 {
			b.WriteString(l.NoRows + "\n\n")
		} else {
			mdRows(&b, l, s.Rows, false)
		}
		if s.IsWater && len(v.WaterRows) > 0 {
			fmt.Fprintf(&b, "### %s\n\n", l.WaterSections)
			fmt.Fprintf(&b, "%s %d · %s %s · %s %s · %s %s\n\n", l.SectionsAssessed, r.Water.District.Sections,
				l.GoodRatio, v.WaterGood, l.InferiorV, v.WaterInferior, l.AttainmentRatio, v.WaterAttain)
			mdTable(&b, []string{l.Section, l.WaterBody, l.Class, l.TargetClass, l.Attained, l.MainPollutants, l.Samples})
			for _, wr := range v.WaterRows {
				mdLine(&b, wr.Name, wr.Body, wr.ClassName, wr.Target, wr.Attained, wr.Pollutants, fmt.Sprint(wr.Samples))
			}
			b.WriteString("\n")
			for _, n := range v.WaterNotes {
				fmt.Fprintf(&b, "- %s\n", n)
			}
			if len(v.WaterNotes) > 0 {
				b.WriteString("\n")
			}
		}
		if s.IsAir && v.Air.None != "" {
			b.WriteString(v.Air.None + "\n\n")
		}
		if s.IsAir && len(v.Air.Rows) > 0 {
			fmt.Fprintf(&b, "### %s\n\n%s\n\n", l.AirTitle, v.Air.Line)
			mdTable(&b, v.Air.Head)
			for _, row := range v.Air.Rows {
				mdLine(&b, row...)
			}
			b.WriteString("\n" + v.Air.Verdict + "\n\n")
		}
		if s.IsAir && len(v.StationRows) > 0 {
			fmt.Fprintf(&b, "### %s\n\n", l.Stations)
			mdTable(&b, append([]string{l.Station}, v.StationCols...))
			for _, sr := range v.StationRows {
				mdLine(&b, append([]string{demoName(sr.Station, sr.Demo, l)}, sr.Means...)...)
			}
			b.WriteString("\n")
		}
		if len(s.Reference) > 0 {
			fmt.Fprintf(&b, "### %s\n\n", l.ReferenceTitle)
			mdRows(&b, l, s.Reference, true)
			if s.Omitted != "" {
				b.WriteString(s.Omitted + "\n\n")
			}
		}
	}
	fmt.Fprintf(&b, "## %s\n\n### %s\n\n", l.Quality, l.StaleTitle)
	if len(v.Stale) == 0 {
		b.WriteString(l.NoStale + "\n\n")
	} else {
		mdTable(&b, []string{l.Indicator, l.LastObs, l.Due})
		for _, s := range v.Stale {
			mdLine(&b, s.Name, s.Last, s.Due)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "### %s\n\n", l.RejectedTitle)
	if r.Quality.Rejected == 0 {
		b.WriteString(l.NoRejected + "\n")
	} else {
		b.WriteString(v.RejectedLine + "\n\n")
		mdTable(&b, []string{l.Rule, l.Count})
		for _, rc := range v.RejectedRules {
			mdLine(&b, rc.Key, fmt.Sprint(rc.Count))
		}
	}
	fmt.Fprintf(&b, "\n### %s\n\n", l.RevisionsTitle)
	if len(v.Revisions) == 0 {
		b.WriteString(l.NoRevisions + "\n")
	} else {
		b.WriteString(v.RevisionsLine + "\n\n")
		mdTable(&b, []string{l.Accepted, l.Indicator, l.Entity, l.Period, l.OldValue, l.NewValue, l.Change, l.OldProvider, l.NewProvider, l.Origin})
		for _, rv := range v.Revisions {
			mdLine(&b, rv.Accepted, rv.Name, rv.Entity, rv.Period, rv.Old, rv.New, rv.Change, rv.OldProvider, rv.NewProvider, rv.Origin)
		}
	}
	if v.DemoNote != "" {
		b.WriteString("\n" + v.DemoNote + "\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// demoName marks a name whose figures come from demo data: "PM2.5（演示）".
func demoName(name string, demo bool, l labels) string {
	if !demo {
		return name
	}
	if l.Demo == "demo" {
		return name + " (demo)"
	}
	return name + "（" + l.Demo + "）"
}

// withNote puts a cell's second line after its first: "94.11亿元（上年数，
// 本年暂无）", "↑ …；22号：…".
func withNote(text, note, open, close string) string {
	if note == "" {
		return text
	}
	return text + open + note + close
}

func mdRows(b *bytes.Buffer, l labels, rows []cells, entity bool) {
	head := []string{l.Indicator}
	if entity {
		head = append(head, l.Entity, l.Level)
	}
	head = append(head, l.Period, l.Value, l.MoM, l.YoY, l.YTD, l.Target, l.Completion, l.Progress, l.Status, l.Trend, l.Projected, l.ProbMeet)
	mdTable(b, head)
	for _, c := range rows {
		line := []string{demoName(c.Name, c.Demo, l)}
		if entity {
			line = append(line, c.Entity, c.Level)
		}
		line = append(line, c.Period, withNote(c.Value, c.ValueNote, l.NoteOpen, l.NoteClose), c.MoM, c.YoY, c.YTD, c.Target, c.Completion, c.Progress, c.Status,
			withNote(c.Trend, c.Trend22, l.NoteSep, ""), c.Projected, c.ProbMeet)
		mdLine(b, line...)
	}
	b.WriteString("\n")
}

func mdTable(b *bytes.Buffer, head []string) {
	mdLine(b, head...)
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
	}
	b.WriteString("|" + strings.Join(seps, "|") + "|\n")
}

func mdLine(b *bytes.Buffer, cells ...string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = strings.ReplaceAll(strings.ReplaceAll(c, "|", `\|`), "\n", " ")
	}
	b.WriteString("| " + strings.Join(esc, " | ") + " |\n")
}
