package report

import (
	"fmt"
	"math"
	"time"

	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

// cells are a row's figures as the HTML and Markdown tables print them.
type cells struct {
	Name, Entity, Period, Value, MoM, YoY, YTD, Target, Completion string
	Progress, Status, Trend, Projected, ProbMeet                   string
	StatusClass, Level                                             string
	Stale, Demo                                                    bool
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
		Completion:  completionText(r, lang),
		Progress:    percent(r.Progress),
		Status:      r.StatusText,
		Projected:   formatValue(estimate(r.Projected, projectedDigits), r.Unit, r.DisplayUnit, r.Kind, lang),
		ProbMeet:    percent(r.ProbabilityMeet),
		Trend:       dash,
		StatusClass: "st-" + string(r.Status),
		Stale:       r.Stale,
		Demo:        r.Demo,
		Level:       levelText(r.Level, lang),
	}
	if r.Kind == models.KindClass {
		// A class changes by whole classes, not by a percentage.
		c.MoM, c.YoY = classChange(r.MoM, lang), classChange(r.YoY, lang)
	}
	switch {
	case r.Status == models.StatusMunicipal && lang == LangEn:
		c.Target = statusText(models.StatusMunicipal, lang)
	case r.TargetText != "" && (lang == LangZh || !r.Target.Valid()):
		// The work report's own words ("130万平方米以上") carry the bound.
		c.Target = r.TargetText
	case r.TargetDemo && c.Target != dash:
		c.Target += " (demo)"
	}
	if r.Status == models.StatusNoTarget || r.Status == models.StatusMunicipal {
		c.Progress = dash
	}
	if t := r.Trend; t != nil {
		c.Trend = trendText(*t, r, lang, l)
	}
	return c
}

// completionText is 完成率, labelled when it is not the year's figure
// against the target: a stock's or cumulative's year increment against the
// increment the target asks (the basis of its status), or its total when
// its year start is unknown.
func completionText(r Row, lang Lang) string {
	c := percent(r.Completion)
	if c == dash {
		return c
	}
	switch r.CompletionBasis {
	case "increment":
		return c + map[Lang]string{LangZh: "（年内增量）", LangEn: " (year's increase)"}[lang]
	case "total":
		return c + map[Lang]string{LangZh: "（累计总量）", LangEn: " (of total)"}[lang]
	}
	return c
}

// classChange writes a change of class: +1类 (zh), +1 class (en).
func classChange(v Num, lang Lang) string {
	if !v.Valid() {
		return dash
	}
	s := sign(trimmed(v.Float(), 1))
	if lang == LangEn {
		return s + " class"
	}
	return s + "类"
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
		abs := estimate(Num(absf(t.SlopePerYear.Float())), slopeDigits)
		v := formatValue(abs, r.Unit, r.DisplayUnit, r.Kind, lang)
		if r.ChangeInPoints {
			v = signedPoints(abs, lang)[1:]
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
	method := methodName(t.Method, lang)
	if lang == LangEn {
		return fmt.Sprintf("%s %s (%s, %s, %s)", arrow, slope, sig, p, method)
	}
	return fmt.Sprintf("%s %s（%s，%s，%s）", arrow, slope, sig, p, method)
}

// methodName names the analysis engine's trend methods for readers; other
// names are printed as given.
func methodName(method string, lang Lang) string {
	switch method {
	case metrics.MethodMannKendall:
		return "Mann-Kendall"
	case metrics.MethodSeasonalMannKendall:
		if lang == LangEn {
			return "seasonal Mann-Kendall"
		}
		return "季节性Mann-Kendall"
	}
	return method
}

// Significant digits of estimates in the tables: a year-end projection or
// a Sen slope carries its uncertainty, and "10051.12吨" would claim a
// precision it does not have. The CSV and JSON keep every digit.
const (
	projectedDigits = 4
	slopeDigits     = 3
)

// estimate rounds v to digits significant digits, half to even (GB/T 8170).
func estimate(v Num, digits int) Num {
	f := v.Float()
	if !v.Valid() || f == 0 {
		return v
	}
	scale := math.Pow(10, float64(digits-1)-math.Floor(math.Log10(math.Abs(f))))
	return Num(math.RoundToEven(f*scale) / scale)
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
