package metrics

import (
	"errors"
	"math"
	"sort"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/water"
)

// Catalogue codes of the water figures the engine derives from section data.
const (
	CodeAssessedSections      = "assessed_sections"
	CodeSectionsIVOrBetter    = "sections_iv_or_better"
	CodeSectionsIIIOrBetter   = "sections_iii_or_better"
	CodeWaterGoodRatio        = "water_good_ratio"
	CodeWaterInferiorVRatio   = "water_inferior_v_ratio"
	CodeWaterAttainmentRatio  = "water_attainment_ratio"
	CodeWaterClass            = "water_class"
	minSectionsForDistrictFig = 1
)

// waterResult is the water picture of a run: the year-to-date standing
// published in the snapshot and the monthly standings written back.
type waterResult struct {
	ytd        WaterStanding
	ytdSummary *water.Summary
	months     []monthStanding
	// demo holds the sections and months with demo samples: what is
	// derived from them is demo too.
	demo demoSamples
}

// demoSamples are the (section, month start) pairs with demo samples;
// section "" records that some section has them that month.
type demoSamples map[demoSample]bool

type demoSample struct {
	section string
	month   int64
}

func (d demoSamples) add(section string, t time.Time) {
	m := models.PeriodOf(models.FrequencyMonthly, t).Start.Unix()
	d[demoSample{section, m}] = true
	d[demoSample{"", m}] = true
}

// in reports whether the month starting at t has demo samples of the
// section ("" : of any section).
func (d demoSamples) in(section string, t time.Time) bool {
	return d[demoSample{section, t.Unix()}]
}

// monthStanding is the evaluation of one calendar month.
type monthStanding struct {
	start    time.Time
	sections []SectionStanding
	summary  *water.Summary
}

// waterStandings evaluates every configured section per month (from the
// prior January, so that 同比 and 环比 of the derived figures exist) and over
// the year to date, from mean concentrations (GB 3838-2002, 环办〔2011〕22号:
// classes are never averaged), and counts the district figures.
func (e *Engine) waterStandings(obs map[string][]models.Observation, year int, asOf time.Time) waterResult {
	end := cutoff(asOf, yearStart(year+1))
	res := waterResult{ytd: WaterStanding{From: yearStart(year), To: end, District: emptyDistrict()}}
	if len(e.sections) == 0 {
		return res
	}
	samples, demo := e.sectionSamples(obs)
	res.demo = demo
	for m := yearStart(year - 1); m.Before(end); m = m.AddDate(0, 1, 0) {
		if ms, ok := e.evaluateMonth(samples, m); ok {
			res.months = append(res.months, ms)
		}
	}
	var results []water.Result
	for _, c := range e.sections {
		in := samplesBetween(samples[c.Name], yearStart(year), end)
		st := SectionStanding{Name: c.Name, WaterBody: c.WaterBody.String(), TargetClass: int(c.TargetClass), ClassName: water.ClassUnknown.String()}
		if r, ok := e.evaluateMeans(c, in); ok {
			st = sectionStanding(c, r, in)
			results = append(results, r)
		}
		res.ytd.Sections = append(res.ytd.Sections, st)
	}
	if s, err := water.Summarize(results); err == nil {
		res.ytdSummary = &s
		res.ytd.District = districtStanding(s)
	}
	return res
}

// sectionSamples groups the observations of the water items by configured
// section and timestamp into samples. A value no measurement can have (a
// negative concentration) is dropped and logged, so that one bad value
// does not make the section unevaluable. It also returns where the
// samples are demo data.
func (e *Engine) sectionSamples(obs map[string][]models.Observation) (map[string][]water.Sample, demoSamples) {
	demo := demoSamples{}
	bodies := map[string]water.WaterBody{}
	for _, c := range e.sections {
		bodies[c.Name] = c.WaterBody
	}
	bySection := map[string]map[int64]*water.Sample{}
	dropped := 0
	for code := range e.waterCodes {
		it, err := water.Lookup(code)
		if err != nil {
			continue
		}
		for _, o := range obs[code] {
			body, ok := bodies[o.Entity]
			if !ok || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
				continue
			}
			if _, err := it.Classify(o.Value, body); errors.Is(err, water.ErrInvalidValue) {
				dropped++
				continue
			}
			if bySection[o.Entity] == nil {
				bySection[o.Entity] = map[int64]*water.Sample{}
			}
			s := bySection[o.Entity][o.Time.Unix()]
			if s == nil {
				s = &water.Sample{Section: o.Entity, Time: o.Time.In(models.Shanghai), Values: map[string]float64{}}
				bySection[o.Entity][o.Time.Unix()] = s
			}
			s.Values[it.Code] = o.Value
			if models.IsDemoProvider(o.Provider) {
				demo.add(o.Entity, o.Time)
			}
		}
	}
	if dropped > 0 {
		e.log.Warn("water values dropped as impossible", "count", dropped)
	}
	out := make(map[string][]water.Sample, len(bySection))
	for name, byTime := range bySection {
		list := make([]water.Sample, 0, len(byTime))
		for _, s := range byTime {
			list = append(list, *s)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Time.Before(list[j].Time) })
		out[name] = list
	}
	return out, demo
}

func samplesBetween(s []water.Sample, from, to time.Time) []water.Sample {
	lo := sort.Search(len(s), func(i int) bool { return !s[i].Time.Before(from) })
	hi := sort.Search(len(s), func(i int) bool { return !s[i].Time.Before(to) })
	if hi < lo {
		return nil
	}
	return s[lo:hi]
}

// evaluateMonth classifies every section with samples in the month starting
// at m and counts the district figures; ok is false when none could be.
func (e *Engine) evaluateMonth(samples map[string][]water.Sample, m time.Time) (monthStanding, bool) {
	ms := monthStanding{start: m}
	var results []water.Result
	period := water.PeriodOf(water.Month, m)
	for _, c := range e.sections {
		in := samplesBetween(samples[c.Name], m, m.AddDate(0, 1, 0))
		if len(in) == 0 {
			continue
		}
		r, err := c.EvaluatePeriod(period, in)
		if err != nil {
			e.log.Warn("water section not evaluated", "section", c.Name, "month", period.String(), "err", err)
			continue
		}
		if !r.Class.Valid() {
			continue
		}
		results = append(results, r)
		ms.sections = append(ms.sections, sectionStanding(c, r, in))
	}
	s, err := water.Summarize(results)
	if err != nil || s.Sections < minSectionsForDistrictFig {
		return ms, false
	}
	ms.summary = &s
	return ms, true
}

// evaluateMeans classifies a section on the mean of each item over the
// samples. A year to date is not one of the periods of 22号 (a year needs 6
// samples), so it goes through EvaluateSamples, which forms the means as
// EvaluatePeriod does.
func (e *Engine) evaluateMeans(c water.SectionConfig, in []water.Sample) (water.Result, bool) {
	if len(in) == 0 {
		return water.Result{}, false
	}
	r, err := c.EvaluateSamples(in)
	if err != nil {
		e.log.Warn("water section not evaluated", "section", c.Name, "period", "year to date", "err", err)
		return water.Result{}, false
	}
	if !r.Class.Valid() {
		return water.Result{}, false
	}
	return r, true
}

func sectionStanding(c water.SectionConfig, r water.Result, in []water.Sample) SectionStanding {
	st := SectionStanding{
		Name: c.Name, WaterBody: c.WaterBody.String(),
		Class: int(r.Class), ClassName: r.Class.String(),
		TargetClass: int(c.TargetClass), Attained: r.MeetsTarget(),
		MainPollutants: []string{}, Samples: r.Samples,
	}
	for _, ir := range r.MainPollutants() {
		st.MainPollutants = append(st.MainPollutants, ir.Code)
	}
	st.Notes = r.Notes()
	if len(in) > 0 {
		st.LastSample = in[len(in)-1].Time
	}
	return st
}

func emptyDistrict() DistrictStanding {
	return DistrictStanding{GoodRatio: math.NaN(), InferiorVRatio: math.NaN(), AttainmentRatio: math.NaN()}
}

func districtStanding(s water.Summary) DistrictStanding {
	d := DistrictStanding{
		Sections: s.Sections, IVOrBetter: s.IVOrBetter, IIIOrBetter: s.IIIOrBetter,
		GoodRatio: s.GoodRatio, InferiorVRatio: s.WorseThanVRatio, AttainmentRatio: math.NaN(),
	}
	if s.Targeted > 0 {
		d.AttainmentRatio = s.AttainmentRatio
	}
	return d
}

// districtFigures are the catalogue figures of a summary; the attainment
// rate only when some section has a target.
func districtFigures(s water.Summary) map[string]float64 {
	f := map[string]float64{
		CodeAssessedSections:    float64(s.Sections),
		CodeSectionsIVOrBetter:  float64(s.IVOrBetter),
		CodeSectionsIIIOrBetter: float64(s.IIIOrBetter),
		CodeWaterGoodRatio:      s.GoodRatio,
		CodeWaterInferiorVRatio: s.WorseThanVRatio,
	}
	if s.Targeted > 0 {
		f[CodeWaterAttainmentRatio] = s.AttainmentRatio
	}
	return f
}

// districtActual is the year-to-date value of a derived district figure.
func (w waterResult) districtActual(code string) (float64, bool) {
	if w.ytdSummary == nil {
		return 0, false
	}
	v, ok := districtFigures(*w.ytdSummary)[code]
	return v, ok
}

// observations are the monthly derived observations of the catalogue's
// water indicators (only those present in set), source "derived", stamped
// at the month start.
func (w waterResult) observations(set map[string]bool) []models.Observation {
	var out []models.Observation
	add := func(code, entity string, t time.Time, v float64) {
		if set[code] {
			out = append(out, models.Observation{Time: t, Indicator: code, Entity: entity, Value: v, Provider: models.DerivedProvider(w.demo.in(entity, t))})
		}
	}
	for _, m := range w.months {
		figs := districtFigures(*m.summary)
		for _, code := range []string{CodeAssessedSections, CodeSectionsIVOrBetter, CodeSectionsIIIOrBetter,
			CodeWaterGoodRatio, CodeWaterInferiorVRatio, CodeWaterAttainmentRatio} {
			if v, ok := figs[code]; ok {
				add(code, "", m.start, v)
			}
		}
		for _, s := range m.sections {
			add(CodeWaterClass, s.Name, m.start, float64(s.Class))
		}
	}
	return out
}
