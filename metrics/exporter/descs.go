package exporter

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "greenmetrics"

// snapshotNote ends the HELP of every family read from the snapshot, as the
// exporter guide asks of cached values.
const snapshotNote = " From the latest analysis snapshot (recomputed every analysis interval, not per scrape)."

// valueDescs are the four per-unit families of one unit suffix.
type valueDescs struct {
	value, actual, target, projected *prometheus.Desc
}

// descs holds every Desc of the exporter. They are built once by newDescs;
// Describe sends them all and Collect emits metrics only through them.
type descs struct {
	byUnit map[string]valueDescs

	info             *prometheus.Desc
	interval         *prometheus.Desc
	displayScale     *prometheus.Desc
	analysisInterval *prometheus.Desc
	snapshotTime     *prometheus.Desc
	snapshotYear     *prometheus.Desc

	lastObservation *prometheus.Desc
	nextDue         *prometheus.Desc
	entitiesOmitted *prometheus.Desc
	completion      *prometheus.Desc
	timeProgress    *prometheus.Desc
	projectedRatio  *prometheus.Desc
	meetProbability *prometheus.Desc
	status          *prometheus.Desc
	planInfo        *prometheus.Desc
	trendDirection  *prometheus.Desc
	trendP          *prometheus.Desc

	sectionClass      *prometheus.Desc
	sectionTarget     *prometheus.Desc
	sectionAttained   *prometheus.Desc
	sectionPollutant  *prometheus.Desc
	sectionLastSample *prometheus.Desc
	sectionInfo       *prometheus.Desc
	waterSections     *prometheus.Desc
	waterGood         *prometheus.Desc
	waterInferiorV    *prometheus.Desc
	waterAttainment   *prometheus.Desc
	sectionsOmitted   *prometheus.Desc
	waterPeriodStart  *prometheus.Desc
	waterPeriodEnd    *prometheus.Desc
	sectionSamples    *prometheus.Desc
}

func gauge(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

// Label names. "indicator" is the catalogue code everywhere, so families
// join on it (… * on(indicator) group_left(name_zh) greenmetrics_indicator_info).
const (
	lIndicator = "indicator"
	lEntity    = "entity"
	lLevel     = "level"
	lStatus    = "status"
	lSection   = "section"
	lPollutant = "pollutant"
	lProvider  = "provider"
)

func newDescs() descs {
	d := descs{byUnit: map[string]valueDescs{}}
	for suffix, words := range familySuffixes() {
		d.byUnit[suffix] = valueDescs{
			value: gauge("indicator_value_"+suffix,
				"Newest observation of each indicator measured in "+words+", per entity (water section, station; empty for district-wide figures), with the entity's level (district for the district's own figures; reference series such as country or province are context and must not be summed with them)."+snapshotNote,
				lIndicator, lEntity, lLevel),
			actual: gauge("indicator_actual_"+suffix,
				"Year-to-date figure (完成值) of each indicator measured in "+words+": flows summed, stocks and cumulatives latest, levels averaged."+snapshotNote,
				lIndicator),
			target: gauge("indicator_target_"+suffix,
				"Target of the tracked year for each indicator measured in "+words+", resolved to an amount (a growth target becomes prior year × (1+g))."+snapshotNote,
				lIndicator),
			projected: gauge("indicator_projected_"+suffix,
				"Forecast year-end figure of each indicator measured in "+words+"."+snapshotNote,
				lIndicator),
		}
	}
	d.info = gauge("indicator_info",
		"Catalogue entry of each indicator, value 1; join on indicator to get its Chinese name, unit, domain and reporting frequency.",
		lIndicator, "name_zh", "name_en", "unit", "display_unit", "domain", "kind", "direction", "frequency")
	d.interval = gauge("indicator_reporting_interval_seconds",
		"Nominal reporting period of each indicator (hourly 3600 … annual 366 days), for display; due dates are in greenmetrics_indicator_next_due_timestamp_seconds.",
		lIndicator)
	d.displayScale = gauge("indicator_display_unit_scale",
		"Base units per display unit of each indicator (1e8 for 亿元 over CNY, 1e4 for 万平方米 over m2, 1 when the display unit is the base unit or not a convertible unit): dashboards divide a value by it to show the catalogue's display_unit.",
		lIndicator)
	d.analysisInterval = gauge("analysis_interval_seconds",
		"How often the analysis snapshot is recomputed (config analysis.interval).")
	d.snapshotTime = gauge("snapshot_timestamp_seconds",
		"Unix time the latest analysis snapshot was computed.")
	d.snapshotYear = gauge("snapshot_target_year",
		"Calendar year whose targets the latest snapshot tracks.")

	d.lastObservation = gauge("indicator_last_observation_timestamp_seconds",
		"Unix time of the newest stored observation of each indicator (over all entities and sources), stamped at the start of its period."+snapshotNote,
		lIndicator)
	d.nextDue = gauge("indicator_next_due_timestamp_seconds",
		"Unix time the figure of the period after the newest stored one is due: the end of that period plus the publication lag (catalogue due_lag, config analysis.due_lag, default monthly 15 days, quarterly 30 days, annual 3 months). Overdue when time() reaches it. Label provider: who delivered the newest figure and is expected to deliver the next."+snapshotNote,
		lIndicator, lProvider)
	d.entitiesOmitted = gauge("indicator_entities_omitted",
		"Entities of each indicator whose values are not exported because the per-indicator cap was reached (only present when above 0)."+snapshotNote,
		lIndicator)
	d.completion = gauge("indicator_completion_ratio",
		"完成率: year-to-date figure over target (target over figure for lower-is-better indicators), so 1 or more means met."+snapshotNote,
		lIndicator)
	d.timeProgress = gauge("indicator_time_progress_ratio",
		"序时进度: share of the target year elapsed for each indicator (n/12 for monthly data)."+snapshotNote,
		lIndicator)
	d.projectedRatio = gauge("indicator_projected_completion_ratio",
		"Forecast year-end figure measured against the target like completion: below 1 means the target is projected to be missed."+snapshotNote,
		lIndicator)
	d.meetProbability = gauge("indicator_meet_probability_ratio",
		"Probability (0–1) that the year-end figure meets the target, from the forecast's prediction interval."+snapshotNote,
		lIndicator)
	d.planInfo = gauge("indicator_plan_info",
		"Plan the year's target of each indicator comes from, value 1 (plan = its id; demo=\"true\" for the demo's illustrative 演示 plans, which dashboards and alert texts must mark)."+snapshotNote,
		lIndicator, "plan", "plan_name", "demo")
	d.status = gauge("indicator_status",
		"Target status of each indicator as a state set: 1 for the current status, 0 for the others (amounts: ahead 超序时, behind 落后序时, pace_unknown 无法判断序时, completed 已完成, basically_completed 基本完成; levels and ratios: met 达标, basically_met 基本达标, not_met 未达标; missed 未完成 once the year closed short or a cap is exceeded; no_target, municipal 市级下达, no_data)."+snapshotNote,
		lIndicator, lStatus)
	d.trendDirection = gauge("indicator_trend_direction",
		"Mann–Kendall trend of each indicator and entity: 1 increasing, 0 no significant trend, -1 decreasing (not better/worse: see the indicator's direction)."+snapshotNote,
		lIndicator, lEntity)
	d.trendP = gauge("indicator_trend_p_value",
		"Two-sided p-value of the trend test of each indicator and entity."+snapshotNote,
		lIndicator, lEntity)

	d.sectionInfo = gauge("water_section_info",
		"Each configured surface-water section (考核断面), value 1, with its water body type.", lSection, "water_body")
	d.sectionClass = gauge("water_section_class",
		"GB 3838-2002 class of each section over the evaluation period from mean concentrations: 1 = Ⅰ … 5 = Ⅴ, 6 = 劣Ⅴ (absent when not evaluable)."+snapshotNote,
		lSection)
	d.sectionTarget = gauge("water_section_target_class",
		"Target class (考核目标) of each section, 1 = Ⅰ … 5 = Ⅴ (absent when no target is configured).", lSection)
	d.sectionAttained = gauge("water_section_attained",
		"1 when the section's class meets its target class (达标), 0 when not; absent without a target or a class."+snapshotNote,
		lSection)
	d.sectionPollutant = gauge("water_section_main_pollutant",
		"Main pollutants (主要污染项目) of each section worse than Ⅲ, at most three per section; the value is the rank, 1 = worst."+snapshotNote,
		lSection, lPollutant)
	d.sectionLastSample = gauge("water_section_last_sample_timestamp_seconds",
		"Unix time of the newest sample of each section."+snapshotNote, lSection)
	d.sectionSamples = gauge("water_section_samples",
		"Samples behind each section's class in the evaluation period."+snapshotNote, lSection)
	d.sectionsOmitted = gauge("water_sections_omitted",
		"Sections not exported because the section cap was reached (only present when above 0)."+snapshotNote)
	d.waterSections = gauge("water_district_sections",
		"Sections with a class in the evaluation period."+snapshotNote)
	d.waterGood = gauge("water_district_good_ratio",
		"优良比例: share of sections in class Ⅰ–Ⅲ."+snapshotNote)
	d.waterInferiorV = gauge("water_district_inferior_v_ratio",
		"劣Ⅴ比例: share of sections worse than class Ⅴ."+snapshotNote)
	d.waterAttainment = gauge("water_district_attainment_ratio",
		"达标率: share of sections with a target class that meet it (absent when no section has a target)."+snapshotNote)
	d.waterPeriodStart = gauge("water_period_start_timestamp_seconds",
		"Start of the water evaluation period (year to date)."+snapshotNote)
	d.waterPeriodEnd = gauge("water_period_end_timestamp_seconds",
		"End of the water evaluation period."+snapshotNote)
	return d
}

// all lists every Desc in a fixed order.
func (d descs) all() []*prometheus.Desc {
	out := []*prometheus.Desc{
		d.info, d.interval, d.displayScale, d.analysisInterval, d.snapshotTime, d.snapshotYear,
		d.lastObservation, d.nextDue, d.entitiesOmitted, d.completion, d.timeProgress, d.projectedRatio,
		d.meetProbability, d.status, d.planInfo, d.trendDirection, d.trendP,
		d.sectionInfo, d.sectionClass, d.sectionTarget, d.sectionAttained, d.sectionPollutant,
		d.sectionLastSample, d.sectionSamples, d.sectionsOmitted,
		d.waterSections, d.waterGood, d.waterInferiorV, d.waterAttainment,
		d.waterPeriodStart, d.waterPeriodEnd,
	}
	suffixes := make([]string, 0, len(d.byUnit))
	for s := range d.byUnit {
		suffixes = append(suffixes, s)
	}
	sort.Strings(suffixes)
	for _, s := range suffixes {
		v := d.byUnit[s]
		out = append(out, v.value, v.actual, v.target, v.projected)
	}
	return out
}
