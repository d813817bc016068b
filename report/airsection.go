package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/air"
)

// Air is the district's ambient-air assessment of the year to date, from
// the figures the analysis engine derives from the configured stations
// (docs/air.md, metrics/engine_air.go): 优良天数, 重污染天数, 优良天数比例
// and the six annual statistics against the GB 3095-2012 class Ⅱ limits.
type Air struct {
	// Configured is false when the snapshot holds none of these figures
	// for the year (no station data configured or received).
	Configured bool `json:"configured"`
	// Through is the newest day the figures cover.
	Through   time.Time `json:"through,omitzero"`
	GoodDays  Num       `json:"good_days"`
	HeavyDays Num       `json:"heavy_pollution_days"`
	GoodRatio Num       `json:"good_days_ratio"`
	Stats     []AirStat `json:"stats"`
	// MeetsClass2 is set when every statistic has a value: whether all
	// meet class Ⅱ after rounding to their reporting precision (GB/T 8170).
	MeetsClass2 *bool `json:"meets_class2,omitempty"`
	Demo        bool  `json:"demo"`
}

// AirStat is one annual statistic: Value in the catalogue's base unit,
// Reported rounded to its precision in DisplayUnit, Limit the class Ⅱ
// limit in DisplayUnit.
type AirStat struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	DisplayUnit string `json:"display_unit"`
	Value       Num    `json:"value"`
	Reported    Num    `json:"reported"`
	Limit       Num    `json:"limit"`
	Meets       *bool  `json:"meets,omitempty"`
}

// airStatOrder is the order of the statistics in the table (HJ 663).
var airStatOrder = []string{"pm25_year_mean", "pm10_year_mean", "so2_year_mean", "no2_year_mean", "co_year_p95", "o3_8h_year_p90"}

// airFigure is the newest value of a derived district air figure within
// the report's year, as known at the end of the month.
func (b *builder) airFigure(code string) (models.PeriodValue, models.Indicator, bool) {
	for _, ind := range b.inds {
		if ind.Code != code || ind.Entity != "" {
			continue
		}
		pv, ok := b.series(ind).Latest()
		if !ok || pv.LastTime.In(models.Shanghai).Year() != b.year {
			return pv, ind, false
		}
		return pv, ind, true
	}
	return models.PeriodValue{}, models.Indicator{}, false
}

// airAssessment fills the report's 大气 assessment.
func (b *builder) airAssessment() {
	a := Air{GoodDays: NaN(), HeavyDays: NaN(), GoodRatio: NaN(), Stats: []AirStat{}}
	take := func(code string, dst *Num) {
		pv, _, ok := b.airFigure(code)
		if !ok {
			return
		}
		*dst = Num(pv.Last)
		a.Configured, a.Demo = true, a.Demo || pv.Demo
		if d := pv.LastTime.In(models.Shanghai); d.After(a.Through) {
			a.Through = d
		}
	}
	take("good_days", &a.GoodDays)
	take("heavy_pollution_days", &a.HeavyDays)
	take("good_days_ratio", &a.GoodRatio)
	all, meets := true, true
	for _, code := range airStatOrder {
		st := airStatistics[code]
		pv, ind, ok := b.airFigure(code)
		s := AirStat{Code: code, Name: name(ind, b.lang), DisplayUnit: ind.DisplayUnit, Value: NaN(), Reported: NaN(),
			Limit: Num(air.Class2Limits[st])}
		if ind.Code == "" {
			continue // not in the catalogue
		}
		if !ok {
			all = false
			a.Stats = append(a.Stats, s)
			continue
		}
		a.Configured, a.Demo = true, a.Demo || pv.Demo
		s.Value = Num(pv.Last)
		// The limits are in µg/m³ and, for CO, mg/m³: the display units.
		s.Reported = Num(st.Reported(displayValue(pv.Last, ind.Unit, ind.DisplayUnit)))
		ok2 := s.Reported <= s.Limit
		s.Meets = &ok2
		meets = meets && ok2
		a.Stats = append(a.Stats, s)
	}
	if all && len(a.Stats) == len(airStatOrder) {
		a.MeetsClass2 = &meets
	}
	b.rep.Air = a
}

// airView is the 大气 assessment as the HTML and Markdown print it.
type airView struct {
	// None is the one line said instead when no station data is configured.
	None string
	Line string
	Head []string
	Rows [][]string
	// Missed marks the rows whose statistic misses class Ⅱ.
	Missed  []bool
	Verdict string
	Fail    bool
	Demo    bool
}

func newAirView(r *Report) airView {
	a, lang := r.Air, r.Lang
	en := lang == LangEn
	if !a.Configured {
		if len(r.Stations.Rows) > 0 {
			return airView{}
		}
		if en {
			return airView{None: "No air monitoring station data is configured: no ambient-air assessment this month."}
		}
		return airView{None: "未配置空气质量监测站点数据，本月无环境空气质量评价。"}
	}
	v := airView{Demo: a.Demo}
	days := func(n Num) string {
		if !n.Valid() {
			return dash
		}
		if en {
			return fixed(n.Float(), 0) + " days"
		}
		return fixed(n.Float(), 0) + "天"
	}
	through := dash
	if !a.Through.IsZero() {
		through = a.Through.Format("2006-01-02")
		if !en {
			through = fmt.Sprintf("%d月%d日", a.Through.Month(), a.Through.Day())
		}
	}
	if en {
		v.Line = fmt.Sprintf("%d to date (through %s): share of good days (AQI ≤ 100) %s, good days %s, heavy-pollution days (AQI > 200) %s.",
			r.Year, through, percent(a.GoodRatio), days(a.GoodDays), days(a.HeavyDays))
		v.Head = []string{"Statistic", "Year to date", "GB 3095-2012 class II limit", "Meets"}
	} else {
		v.Line = fmt.Sprintf("%d年1月1日至%s：优良天数比例%s，优良天数%s，重污染天数%s。",
			r.Year, through, percent(a.GoodRatio), days(a.GoodDays), days(a.HeavyDays))
		v.Head = []string{"评价指标", "年内累计", "GB 3095-2012二级标准限值", "是否达标"}
	}
	l := labelsFor(lang)
	var failed []string
	for _, s := range a.Stats {
		st := airStatistics[s.Code]
		dec := reportedDecimals(st)
		unit := s.DisplayUnit
		if en {
			unit = " " + enDisplayUnits[unit]
		}
		val, meets := dash, dash
		if s.Reported.Valid() {
			val = fixed(s.Reported.Float(), dec) + unit
		}
		if s.Meets != nil {
			meets = l.Yes
			if !*s.Meets {
				meets = l.No
				failed = append(failed, s.Name)
			}
		}
		v.Rows = append(v.Rows, []string{s.Name, val, trimmed(s.Limit.Float(), 1) + unit, meets})
		v.Missed = append(v.Missed, s.Meets != nil && !*s.Meets)
	}
	switch {
	case a.MeetsClass2 == nil && en:
		v.Verdict = "Class II attainment: not all six statistics are available yet."
	case a.MeetsClass2 == nil:
		v.Verdict = "二级达标评价：六项指标尚不齐全，暂不评价。"
	case *a.MeetsClass2 && en:
		v.Verdict = "All six statistics meet GB 3095-2012 class II (values rounded to their reporting precision, GB/T 8170)."
	case *a.MeetsClass2:
		v.Verdict = "六项指标均达到GB 3095-2012二级标准（按报告精度修约后比较，GB/T 8170）。"
	case en:
		v.Verdict, v.Fail = "Not attaining GB 3095-2012 class II: "+strings.Join(failed, ", ")+".", true
	default:
		v.Verdict, v.Fail = "未达到GB 3095-2012二级标准："+strings.Join(failed, "、")+"。", true
	}
	return v
}
