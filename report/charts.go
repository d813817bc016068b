package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Chart is a small chart drawn as inline SVG. Text stays text, rendered by
// the browser with the page's CJK font list, so Chinese needs no embedded
// font and the page stays self-contained (docs/report.md says why).
type Chart struct {
	ID      string
	Title   string
	Unit    string
	XLabels []string
	Series  []Series
	// Bars, when set, make a bar chart of one value per X label.
	Bars []Bar
}

// Series is one line of a chart; NaN values are gaps.
type Series struct {
	Name   string
	Style  string // actual, lastyear, target, timeprogress
	Values []float64
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
	Color string
}

// Chart styles of the series.
const (
	styleActual       = "actual"
	styleLastYear     = "lastyear"
	styleTarget       = "target"
	styleTimeProgress = "timeprogress"
)

// chart draws an indicator's year-to-date path (累计 by its kind, month by
// month) against last year's, the target line and — for flows, whose
// 累计 should grow with the year — the time-progress line target × n/12.
func (b *builder) chart(ind models.Indicator, row Row, s models.Series) (Chart, bool) {
	cur := s.YearToDatePath(b.year, b.month.Start())
	if !anyValid(cur[:]) {
		return Chart{}, false
	}
	prev := s.YearToDatePath(b.year-1, Month{Year: b.year - 1, Month: time.December}.Start())
	unit := chartDisplayUnit(chartMax(cur, prev, row.Target), ind.Unit, ind.DisplayUnit)
	conv := func(vs [12]float64) []float64 {
		out := make([]float64, 12)
		for i, v := range vs {
			out[i] = displayValue(v, ind.Unit, unit)
		}
		return out
	}
	c := Chart{
		ID: "chart-" + ind.Code, Title: row.Name, Unit: chartUnit(ind.Unit, unit, b.lang),
		XLabels: monthLabels(b.lang),
	}
	actual := b.l.ChartActual
	if ind.Aggregation != models.AggregateSum {
		// Only a flow accumulates; a balance or a mean is "this year".
		actual = b.l.ChartThisYear
	}
	c.Series = append(c.Series, Series{Name: actual, Style: styleActual, Values: conv(cur)})
	if p := conv(prev); anyValid(p) {
		c.Series = append(c.Series, Series{Name: b.l.ChartLastYear, Style: styleLastYear, Values: p})
	}
	if row.Target.Valid() {
		var t, tp [12]float64
		for i := range t {
			t[i] = row.Target.Float()
			tp[i] = row.Target.Float() * float64(i+1) / 12
		}
		c.Series = append(c.Series, Series{Name: b.l.ChartTarget, Style: styleTarget, Values: conv(t)})
		if ind.Aggregation == models.AggregateSum {
			c.Series = append(c.Series, Series{Name: b.l.ChartTimeProgress, Style: styleTimeProgress, Values: conv(tp)})
		}
	}
	return c, true
}

// chartMax is the largest magnitude a chart draws, in base units.
func chartMax(cur, prev [12]float64, target Num) float64 {
	m := math.NaN()
	for _, vs := range [][12]float64{cur, prev} {
		for _, v := range vs {
			if !math.IsNaN(v) && !(math.Abs(v) <= m) {
				m = math.Abs(v)
			}
		}
	}
	if target.Valid() && !(math.Abs(target.Float()) <= m) {
		m = math.Abs(target.Float())
	}
	return m
}

func anyValid(vs []float64) bool {
	for _, v := range vs {
		if !math.IsNaN(v) {
			return true
		}
	}
	return false
}

func monthLabels(lang Lang) []string {
	out := make([]string, 12)
	for i := range out {
		if lang == LangEn {
			out[i] = time.Month(i + 1).String()[:3]
		} else {
			out[i] = fmt.Sprintf("%d月", i+1)
		}
	}
	return out
}

// classColors are the colours of the water grades: Ⅰ–Ⅱ blue (优), Ⅲ green
// (良好), Ⅳ yellow (轻度污染), Ⅴ orange (中度污染), 劣Ⅴ red (重度污染).
var classColors = [6]string{"#1565c0", "#1e88e5", "#2e7d32", "#f9a825", "#ef6c00", "#c62828"}

// classChart is the distribution of sections over the six classes.
func classChart(counts [6]int, lang Lang, title string) Chart {
	c := Chart{ID: "chart-water-classes", Title: title, Unit: map[Lang]string{LangZh: "个", LangEn: "sections"}[lang]}
	for i, n := range counts {
		lbl := className(i+1, lang)
		c.XLabels = append(c.XLabels, lbl)
		c.Bars = append(c.Bars, Bar{Label: lbl, Value: float64(n), Color: classColors[i]})
	}
	return c
}

// Geometry of the charts, in SVG user units (CSS px at 100%).
const (
	chartW, chartH = 360, 220
	padL, padR     = 52, 12
	padT, padB     = 22, 48
)

// SVG renders the chart. All text is escaped here, which is what makes
// returning template.HTML safe.
func (c Chart) SVG() template.HTML {
	var b strings.Builder
	legend := c.legendLayout()
	height := chartH
	if n := len(legend); n > 0 {
		height += legendLineH * (legend[n-1].row)
	}
	fmt.Fprintf(&b, `<svg id="%s" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t">`,
		esc(c.ID), chartW, height, chartW, height, esc(c.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, esc(c.ID), esc(c.Title))
	lo, hi := c.yRange()
	ticks := niceTicks(lo, hi)
	if len(c.Bars) > 0 && tickDecimals(ticks) > 0 {
		// Bars count sections: half a section is not a tick.
		ticks = nil
		for v := 0.0; v < hi+1; v++ {
			ticks = append(ticks, v)
		}
	}
	lo, hi = ticks[0], ticks[len(ticks)-1]
	y := func(v float64) float64 { return padT + (chartH-padT-padB)*(hi-v)/(hi-lo) }
	n := len(c.XLabels)
	slot := float64(chartW-padL-padR) / float64(max(n, 1))
	x := func(i int) float64 { return padL + slot*(float64(i)+0.5) }
	fmt.Fprintf(&b, `<text class="unit" x="%d" y="12">%s</text>`, padL-44, esc(c.Unit))
	dec := tickDecimals(ticks)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, chartW-padR, y(t), y(t))
		fmt.Fprintf(&b, `<text class="ytick" x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-4, y(t)+3.5, esc(fixed(t, dec)))
	}
	for i, l := range c.XLabels {
		if n > 6 && i%2 == 1 {
			continue // every other month keeps twelve labels legible
		}
		fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), chartH-padB+14, esc(l))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, chartW-padR, y(math.Max(lo, math.Min(0, hi))), y(math.Max(lo, math.Min(0, hi))))
	if len(c.Bars) > 0 {
		c.bars(&b, x, y, slot)
	} else {
		c.lines(&b, x, y)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (c Chart) bars(b *strings.Builder, x func(int) float64, y func(float64) float64, slot float64) {
	w := slot * 0.6
	for i, bar := range c.Bars {
		top, base := y(bar.Value), y(0)
		fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x(i)-w/2, top, w, base-top, esc(bar.Color))
		fmt.Fprintf(b, `<text class="barval" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(i), top-3, esc(trimmed(bar.Value, 1)))
	}
}

func (c Chart) lines(b *strings.Builder, x func(int) float64, y func(float64) float64) {
	for _, s := range c.Series {
		var d strings.Builder
		pen := false
		for i, v := range s.Values {
			if math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, x(i), y(v))
			pen = true
		}
		if d.Len() == 0 {
			continue
		}
		fmt.Fprintf(b, `<path class="s-%s" d="%s"/>`, esc(s.Style), strings.TrimSpace(d.String()))
		if s.Style == styleActual {
			for i, v := range s.Values {
				if !math.IsNaN(v) {
					fmt.Fprintf(b, `<circle class="s-actual-pt" cx="%.1f" cy="%.1f" r="2.5"/>`, x(i), y(v))
				}
			}
		}
	}
	c.legend(b)
}

// legendEntry is one series name placed in the legend.
type legendEntry struct {
	s   Series
	x   float64
	row int
}

// Legend geometry: entries start at legendX and wrap onto a new line
// (legendLineH lower, the SVG growing to match) rather than run past the
// chart's right edge.
const (
	legendX     = 8
	legendLineH = 14
	// legendCharW is the width of half an em at the legend's 10px, with
	// some room: a CJK character is two of them.
	legendCharW = 5.5
)

// legendLayout places the series names of a line chart in rows that fit
// the chart's width; nil for bar charts.
func (c Chart) legendLayout() []legendEntry {
	if len(c.Bars) > 0 {
		return nil
	}
	var out []legendEntry
	x, row := float64(legendX), 0
	for _, s := range c.Series {
		w := 20 + float64(textWidth(s.Name))*legendCharW
		if x > legendX && x+w > chartW-padR {
			x, row = legendX, row+1
		}
		out = append(out, legendEntry{s: s, x: x, row: row})
		x += w + 14
	}
	return out
}

// legend draws the series names under the x axis.
func (c Chart) legend(b *strings.Builder) {
	for _, e := range c.legendLayout() {
		lx, ly := e.x, float64(chartH-12+legendLineH*e.row)
		fmt.Fprintf(b, `<line class="s-%s" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, esc(e.s.Style), lx, lx+16, ly-4, ly-4)
		fmt.Fprintf(b, `<text class="legend" x="%.1f" y="%.1f">%s</text>`, lx+20, ly, esc(e.s.Name))
	}
}

// textWidth estimates a label's width in units of half an em, counting a
// CJK character as two: enough to space the legend entries.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func (c Chart) yRange() (float64, float64) {
	lo, hi := 0.0, math.Inf(-1)
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	for _, bar := range c.Bars {
		lo, hi = math.Min(lo, bar.Value), math.Max(hi, bar.Value)
	}
	if math.IsInf(hi, -1) || hi <= lo {
		hi = lo + 1
	}
	return lo, hi + (hi-lo)*0.05
}

// niceTicks returns about five intervals of round tick values (steps of
// 1, 2 or 5 × 10^k) covering [lo, hi].
func niceTicks(lo, hi float64) []float64 {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []float64{lo, lo + 1}
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	start := math.Floor(lo/step) * step
	var out []float64
	for v := start; v < hi+step*0.999; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	if len(out) < 2 {
		out = append(out, start+step)
	}
	return out
}

// tickDecimals is how many decimals the tick labels need to differ.
func tickDecimals(ticks []float64) int {
	if len(ticks) < 2 {
		return 0
	}
	step := math.Abs(ticks[1] - ticks[0])
	if step >= 1 || step == 0 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-9))
}

func esc(s string) string { return html.EscapeString(s) }
