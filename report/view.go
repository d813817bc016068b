package report

import (
	"fmt"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// cells are a row's figures as the HTML and Markdown tables print them.
type cells struct {
	Name, Entity, Period, Value, MoM, YoY, YTD, Target, Completion string
	Progress, Status, Trend, Projected, ProbMeet                   string
	StatusClass                                                    string
	Stale                                                          bool
}

// rowCells formats a row in the report's conventions: display units
// (亿元, 万平方米), one decimal for shares, 个百分点 for changes of shares.
func rowCells(r Row, lang Lang) cells {
	l := labelsFor(lang)
	c := cells{
		Name: r.Name, Entity: r.Entity, Period: r.Period,
		Value:       formatValue(r.Value, r.Unit, r.DisplayUnit, r.Kind, lang),
		MoM:         formatChange(r.MoM, r.ChangeInPoints, lang),
		YoY:         formatChange(r.YoY, r.ChangeInPoints, lang),
		YTD:         formatValue(r.YTD, r.Unit, r.DisplayUnit, r.Kind, lang),
		Target:      formatValue(r.Target, r.Unit, r.DisplayUnit, r.Kind, lang),
		Completion:  percent(r.Completion),
		Progress:    percent(r.Progress),
		Status:      r.StatusText,
		Projected:   formatValue(r.Projected, r.Unit, r.DisplayUnit, r.Kind, lang),
		ProbMeet:    percent(r.ProbabilityMeet),
		Trend:       dash,
		StatusClass: "st-" + string(r.Status),
		Stale:       r.Stale,
	}
	switch {
	case r.Status == models.StatusMunicipal && lang == LangEn:
		c.Target = statusText(models.StatusMunicipal, lang)
	case r.TargetText != "" && (lang == LangZh || !r.Target.Valid()):
		// The work report's own words ("130万平方米以上") carry the bound.
		c.Target = r.TargetText
	}
	if r.Status == models.StatusNoTarget || r.Status == models.StatusMunicipal {
		c.Progress = dash
	}
	if t := r.Trend; t != nil {
		c.Trend = trendText(*t, r, lang, l)
	}
	return c
}

// trendText writes "↑ +1.2万吨二氧化碳/年（显著，p=0.012）".
func trendText(t Trend, r Row, lang Lang, l labels) string {
	arrow := "→"
	switch t.Direction {
	case "increasing":
		arrow = "↑"
	case "decreasing":
		arrow = "↓"
	}
	slope := dash
	if t.SlopePerYear.Valid() {
		v := formatValue(Num(absf(t.SlopePerYear.Float())), r.Unit, r.DisplayUnit, r.Kind, lang)
		if r.ChangeInPoints {
			v = signedPoints(Num(absf(t.SlopePerYear.Float())), lang)[1:]
		}
		s := "+"
		if t.SlopePerYear < 0 {
			s = "−"
		}
		slope = s + v + l.PerYear
	}
	sig := l.NotSignificant
	if t.Significant {
		sig = l.Significant
	}
	p := dash
	switch {
	case t.P.Valid() && t.P < 0.001:
		p = "p<0.001"
	case t.P.Valid():
		p = fmt.Sprintf("p=%s", fixed(t.P.Float(), 3))
	}
	if lang == LangEn {
		return fmt.Sprintf("%s %s (%s, %s, %s)", arrow, slope, sig, p, t.Method)
	}
	return fmt.Sprintf("%s %s（%s，%s，%s）", arrow, slope, sig, p, t.Method)
}

func absf(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// stamp writes a time for tables: "2024-05-31 08:00", or a dash when zero.
func stamp(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.In(models.Shanghai).Format("2006-01-02 15:04")
}
