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
	// ValueNote and Trend22 are second lines of the 本期值 and trend
	// cells: "上年数，本年暂无" and the 22号 verdict.
	ValueNote, Trend22 string
	StatusClass, Level string
	Stale, Demo        bool
}

// rowCells formats a row in the report's conventions: display units
// (亿元, 万平方米), one decimal for shares, 个百分点 for changes of shares.
func rowCells(r Row, lang Lang) cells {
	l := labelsFor(lang)
	c := cells{
		Name: r.Name, Entity: r.Entity, Period: r.Period,
		Value:       cellValue(r.Value, r, lang),
		MoM:         formatChange(r.MoM, r.ChangeInPoints, lang),
		YoY:         formatChange(r.YoY, r.ChangeInPoints, lang),
		YTD:         cellValue(r.YTD, r, lang),
		Target:      cellValue(r.Target, r, lang),
		Completion:  completionText(r, lang),
		Progress:    percent(r.Progress),
		Status:      r.StatusText,
		Projected:   cellValue(estimate(r.Projected, projectedDigits), r, lang),
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
	if yearToDateTally[r.Code] {
		// A year-to-date tally's 环比 is the month's addition, not a change.
		c.MoM = dash
	}
	if r.PriorYearPeriod && r.Value.Valid() {
		// Last year's figure under this year's columns: say so.
		c.ValueNote = map[Lang]string{LangZh: "上年数，本年暂无", LangEn: "last year's; none yet this year"}[lang]
	}
	switch {
	case r.Status == models.StatusMunicipal && lang == LangEn:
		c.Target = statusText(models.StatusMunicipal, lang)
	case r.TargetLabel != "":
		c.Target = r.TargetLabel
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
		c.Trend22 = spearman22Text(*t, lang)
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

// trendText writes "↑ +1.2万吨二氧化碳/年（显著，p=0.012，Mann-Kendall）";
// the 22号 verdict is its own line (spearman22Text).
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
		slope = slopeText(t.SlopePerYear, r, lang)
		switch {
		case slope == flatText(lang) && t.Direction != "increasing" && t.Direction != "decreasing":
		case slope == flatText(lang):
			// A significant Mann-Kendall trend with a zero Sen slope
			// (integer data): the slope is written as the zero it is.
			slope = zeroSlope(r, lang) + l.PerYear
		default:
			slope += l.PerYear
		}
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
	text := fmt.Sprintf("%s %s（%s，%s，%s）", arrow, slope, sig, p, method)
	if lang == LangEn {
		text = fmt.Sprintf("%s %s (%s, %s, %s)", arrow, slope, sig, p, method)
	}
	return text
}

// slopeText writes a Sen slope with its sign in the row's units: +1.2万吨,
// −0.3个百分点. A slope that rounds to zero at the precision shown is
// 持平 ("flat"), never "+.0个百分点".
func slopeText(v Num, r Row, lang Lang) string {
	flat := flatText(lang)
	if r.ChangeInPoints {
		if zeroNumber(fixed(v.Float()*100, 1)) {
			return flat
		}
		return signedPoints(estimate(v, slopeDigits), lang)
	}
	abs := estimate(Num(absf(v.Float())), slopeDigits)
	text := formatValue(abs, r.Unit, r.DisplayUnit, r.Kind, lang)
	if abs == 0 || zeroNumber(text) {
		return flat
	}
	s := "+"
	if v < 0 {
		s = "−"
	}
	return s + text
}

// zeroSlope is a slope of zero in the row's units: 0个, 0.0个百分点.
func zeroSlope(r Row, lang Lang) string {
	if r.ChangeInPoints {
		return signedPoints(0, lang)
	}
	return cellValue(0, r, lang)
}

// flatText is a slope that rounds to zero.
func flatText(lang Lang) string { return map[Lang]string{LangZh: "持平", LangEn: "flat"}[lang] }

// zeroNumber reports whether a formatted amount's digits are all zero
// ("0吨", "0.0%").
func zeroNumber(s string) bool {
	digits := false
	for _, r := range s {
		switch {
		case r >= '1' && r <= '9':
			return false
		case r == '0':
			digits = true
		}
	}
	return digits
}

// spearman22Text is the verdict of 环办〔2011〕22号 (HJ 663-2013 附录B):
// "22号：显著上升（r_s=0.712，W_p=0.564）"; empty without one (fewer than
// five values).
func spearman22Text(t Trend, lang Lang) string {
	if t.Spearman22 == "" {
		return ""
	}
	rs, wp := dash, dash
	if t.Rs.Valid() {
		rs = fixed(t.Rs.Float(), 3)
		if t.Rs < 0 {
			rs = "−" + rs[1:]
		}
	}
	if t.Wp.Valid() {
		wp = fixed(t.Wp.Float(), 3)
	}
	if lang == LangEn {
		v := map[string]string{"increasing": "significant increase", "decreasing": "significant decrease"}[t.Spearman22]
		if v == "" {
			v = "no significant change"
		}
		return fmt.Sprintf("No. 22: %s (r_s=%s, W_p=%s)", v, rs, wp)
	}
	v := map[string]string{"increasing": "显著上升", "decreasing": "显著下降"}[t.Spearman22]
	if v == "" {
		v = "无显著变化"
	}
	return fmt.Sprintf("22号：%s（r_s=%s，W_p=%s）", v, rs, wp)
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
