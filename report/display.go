package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/air"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// targetLabel writes a target the way the CLI's progress table does: a
// growth target as the amount it resolves to with its rate (97.87亿元
// （增长4%）), a reduction or increase with its base year, and an amount
// the work report writes in words (千亿元) as its number with the bound
// (1000亿元左右). Other targets keep the work report's own text ("130万平方米
// 以上"); English reports write absolute targets from the number (rowCells).
func targetLabel(t models.Target, r Row, lang Lang) string {
	amount := dash
	if r.Target.Valid() {
		amount = cellValue(r.Target, r, lang)
	}
	rate := trimmed(t.Value*100, 2) + "%" // as the plan writes it: 4%, 5.5%
	demo := ""
	if t.Plan.Demo {
		demo = map[Lang]string{LangZh: "（演示）", LangEn: " (demo)"}[lang]
	}
	var label string
	switch t.Kind {
	case models.TargetGrowth:
		label = fmt.Sprintf("%s（增长%s）", amount, rate)
		if lang == LangEn {
			label = fmt.Sprintf("%s (+%s)", amount, rate)
		}
	case models.TargetReduction:
		label = fmt.Sprintf("%s（%d年比%d年下降%s）", amount, t.To, t.BaseYear, rate)
		if lang == LangEn {
			label = fmt.Sprintf("%s (−%s in %d against %d)", amount, rate, t.To, t.BaseYear)
		}
	case models.TargetIncrease:
		label = fmt.Sprintf("%s（%d年比%d年增长%s）", amount, t.To, t.BaseYear, rate)
		if lang == LangEn {
			label = fmt.Sprintf("%s (+%s in %d against %d)", amount, rate, t.To, t.BaseYear)
		}
	case models.TargetAbsolute:
		if lang == LangEn || !r.Target.Valid() || strings.ContainsAny(t.Text, "0123456789") {
			return "" // the text carries the number
		}
		label = amount + qualifierZh[t.Qualifier]
	default:
		return ""
	}
	if amount == dash && t.Kind != models.TargetAbsolute {
		// Unresolved (no prior-year figure): the rate alone.
		label = strings.TrimSuffix(strings.TrimPrefix(label[len(amount):], "（"), "）")
		if lang == LangEn {
			label = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(label), "("), ")")
		}
	}
	return label + demo
}

// qualifierZh are the words a bound adds after an amount.
var qualifierZh = map[models.Qualifier]string{
	models.QualifierAtLeast: "以上", models.QualifierAtMost: "以内", models.QualifierApprox: "左右",
}

// airStatistics are the district's annual air statistics the engine
// derives (metrics/engine_air.go), by indicator code.
var airStatistics = map[string]air.Statistic{
	"pm25_year_mean": air.StatPM25, "pm10_year_mean": air.StatPM10, "so2_year_mean": air.StatSO2,
	"no2_year_mean": air.StatNO2, "co_year_p95": air.StatCOP95, "o3_8h_year_p90": air.StatO3P90,
}

// reportedDecimals is an air statistic's reporting precision, read from
// models/air's rounding (PM2.5 and CO to 0.1, the others to integers).
func reportedDecimals(st air.Statistic) int {
	for d := 0; d < 4; d++ {
		if st.Reported(0.1111) == air.RoundHalfEven(0.1111, d) {
			return d
		}
	}
	return 1
}

// fixedDecimals is the precision an indicator is published with where the
// bureau fixes one: the annual air statistics by HJ 663 (models/air),
// other concentrations to 0.1 µg/m³ or mg/m³ ("0.1微克"), days and index
// values to integers. ok is false for amounts, which keep up to two
// decimals of their display unit (models.FormatQuantity).
func fixedDecimals(code, display string) (int, bool) {
	if st, ok := airStatistics[code]; ok {
		return reportedDecimals(st), true
	}
	switch display {
	case "微克/立方米", "毫克/立方米":
		return 1, true
	case "天", "指数":
		return 0, true
	}
	return 0, false
}

// cellValue writes an amount of a row in the report's units and the
// indicator's reporting precision: PM2.5 32.0微克/立方米, not 32.04.
func cellValue(v Num, r Row, lang Lang) string {
	dec, ok := fixedDecimals(r.Code, r.DisplayUnit)
	if !ok || !v.Valid() || r.Kind == models.KindRatio || r.Unit == "ratio" {
		return formatValue(v, r.Unit, r.DisplayUnit, r.Kind, lang)
	}
	d := displayValue(v.Float(), r.Unit, r.DisplayUnit)
	if st, isAir := airStatistics[r.Code]; isAir {
		d = st.Reported(d)
	}
	unit := r.DisplayUnit
	if lang == LangEn {
		unit = " " + chartUnit(r.Unit, r.DisplayUnit, lang)
		if r.DisplayUnit == "天" {
			unit = " days"
		}
		if r.DisplayUnit == "指数" {
			unit = ""
		}
	} else if unit == "指数" {
		unit = ""
	}
	return fixed(d, dec) + unit
}

// waterBodyName is a section's water body as the report writes it: 河流,
// 湖库 (GB 3838-2002 "湖、库"); English keeps river, lake, reservoir.
func waterBodyName(body string, lang Lang) string {
	if lang == LangEn || body == "" {
		return body
	}
	b, err := water.ParseWaterBody(body)
	if err != nil {
		return body
	}
	if b == water.River {
		return "河流"
	}
	return "湖库"
}

// pollutantName is a water item's short name (高锰酸盐指数 for codmn, 总磷
// for tp, without GB 3838's "（以P计）") in Chinese reports; English
// reports and unknown codes keep the code.
func pollutantName(code string, lang Lang) string {
	if lang == LangEn {
		return code
	}
	it, err := water.Lookup(code)
	if err != nil || it.Name == "" {
		return code
	}
	if i := strings.Index(it.Name, "（"); i > 0 {
		return it.Name[:i]
	}
	return it.Name
}

// chartDisplayUnit picks the axis unit of a chart from the data's
// magnitude: the catalogue's display unit, raised by 万 steps (万千瓦时 →
// 亿千瓦时) while the largest value would need five digits or more, so
// an axis never reads 1000000 万千瓦时.
func chartDisplayUnit(maxAbs float64, base, display string) string {
	if display == "" || base == "ratio" || math.IsNaN(maxAbs) || strings.Contains(display, "/") {
		return display // a concentration or intensity is not rescaled
	}
	bare := display
	for _, p := range []string{"万亿", "亿", "万"} {
		if strings.HasPrefix(display, p) {
			bare = strings.TrimPrefix(display, p)
			break
		}
	}
	if models.ConvertibleUnits(base, bare) != nil {
		return display
	}
	steps := []string{bare, "万" + bare, "亿" + bare, "万亿" + bare}
	i := 0
	for i < len(steps) && steps[i] != display {
		i++
	}
	for ; i+1 < len(steps); i++ {
		v, err := models.Convert(maxAbs, base, steps[i])
		if err != nil || math.Abs(v) < 1e4 || models.ConvertibleUnits(base, steps[i+1]) != nil {
			break
		}
	}
	if i == len(steps) {
		return display
	}
	return steps[i]
}
