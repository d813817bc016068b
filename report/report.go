package report

import (
	"math"
	"strconv"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Report is one month's report, the single value every format is rendered
// from, so HTML, CSV, JSON and Markdown carry the same numbers. Values are in
// the indicator's base unit (CNY, m2, tCO2, ratio 0–1 …); a figure that
// cannot be computed is NaN, written as null in JSON and empty in CSV.
type Report struct {
	Month       Month     `json:"month"`
	Lang        Lang      `json:"lang"`
	Title       string    `json:"title"`
	GeneratedAt time.Time `json:"generated_at"`
	// AsOf is the end of the month: data up to this instant (exclusive).
	AsOf time.Time `json:"as_of"`
	// Year is the target year the progress figures are for.
	Year int `json:"year"`
	// TimeProgress is 序时进度 of the month, n/12.
	TimeProgress Num `json:"time_progress"`
	// Summary is the opening text, one paragraph per element.
	Summary  []string  `json:"summary"`
	Counts   Counts    `json:"counts"`
	Sections []Section `json:"sections"`
	Water    Water     `json:"water"`
	Stations Stations  `json:"stations"`
	Air      Air       `json:"air"`
	Quality  Quality   `json:"quality"`
	// Final is a closed year's 全年完成情况 (December's own year, or the
	// prior year in the first months of a year); nil in other months.
	Final *FinalResults `json:"final_results,omitempty"`
}

// Counts are the status tallies the summary is written from, one per
// models.Status: Completed counts only annual tasks truly done (amounts
// that reached their target); a level or ratio meeting its target mid-year
// is Met.
type Counts struct {
	Indicators         int `json:"indicators"`
	WithTarget         int `json:"with_target"`
	Completed          int `json:"completed"`
	BasicallyCompleted int `json:"basically_completed"`
	Ahead              int `json:"ahead"`
	Behind             int `json:"behind"`
	PaceUnknown        int `json:"pace_unknown"`
	Met                int `json:"met"`
	BasicallyMet       int `json:"basically_met"`
	NotMet             int `json:"not_met"`
	Missed             int `json:"missed"`
	Municipal          int `json:"municipal"`
	NoData             int `json:"no_data"`
	NoTarget           int `json:"no_target"`
}

// of is the tally of one status.
func (c Counts) of(s models.Status) int {
	switch s {
	case models.StatusCompleted:
		return c.Completed
	case models.StatusBasicallyCompleted:
		return c.BasicallyCompleted
	case models.StatusAhead:
		return c.Ahead
	case models.StatusBehind:
		return c.Behind
	case models.StatusPaceUnknown:
		return c.PaceUnknown
	case models.StatusMet:
		return c.Met
	case models.StatusBasicallyMet:
		return c.BasicallyMet
	case models.StatusNotMet:
		return c.NotMet
	case models.StatusMissed:
		return c.Missed
	case models.StatusMunicipal:
		return c.Municipal
	case models.StatusNoData:
		return c.NoData
	}
	return c.NoTarget
}

// Section is one domain of the report (碳排放与碳减排, 绿色金融 …).
type Section struct {
	// ID is the section's stable identifier, also its HTML element id
	// ("sec-" + ID).
	ID    string `json:"id"`
	Title string `json:"title"`
	// Domains are the catalogue domains the section gathers.
	Domains   []models.Domain `json:"domains"`
	Rows      []Row           `json:"rows"`
	Reference []Row           `json:"reference,omitempty"`
	// Omitted counts reference entities left out to keep the table short.
	Omitted int     `json:"omitted_reference_entities,omitempty"`
	Charts  []Chart `json:"-"`
}

// Row is one indicator (or, in reference tables, one indicator of one
// entity) as the month's table shows it.
type Row struct {
	Code        string      `json:"code"`
	Entity      string      `json:"entity,omitempty"`
	Name        string      `json:"name"`
	Unit        string      `json:"unit"`
	DisplayUnit string      `json:"display_unit"`
	Kind        models.Kind `json:"kind"`
	Direction   string      `json:"direction"`
	Aggregation string      `json:"aggregation"`
	Frequency   string      `json:"frequency"`
	// Period is the reporting period of Value: "2024-05", "2024-Q1", "2023".
	Period string `json:"period"`
	// PriorYearPeriod is set when Period lies before the report's year: the
	// value is last year's figure (the base of this year's target), and
	// the year has none yet.
	PriorYearPeriod bool `json:"prior_year_period,omitempty"`
	// Value is 本期值; Prev is 上期 (the adjacent earlier period, across a
	// year boundary) and YearAgo the same period a year earlier.
	Value   Num `json:"value"`
	Prev    Num `json:"prev"`
	YearAgo Num `json:"year_ago"`
	// MoM and YoY are 环比 and 同比: relative changes, or differences in
	// ratio units when ChangeInPoints (shares and rates: 个百分点 ×100).
	MoM            Num  `json:"mom"`
	YoY            Num  `json:"yoy"`
	ChangeInPoints bool `json:"change_in_points"`
	// YTD is 累计 by the indicator's kind (sum, period-end value or mean);
	// YTDYoY is 累计同比 and SinceYearStart, for stocks and cumulatives,
	// 比年初增加 (both from the analysis engine).
	YTD            Num `json:"ytd"`
	YTDYoY         Num `json:"ytd_yoy"`
	SinceYearStart Num `json:"since_year_start"`
	// Target is the year's target as an amount; TargetText as the work
	// report writes it.
	Target     Num    `json:"target"`
	TargetText string `json:"target_text,omitempty"`
	// TargetLabel is the target as the report prints it: a growth target
	// as its amount with the rate (97.87亿元（增长4%）), an amount the text
	// writes in words (千亿元) as the number (1000亿元).
	TargetLabel string `json:"target_label,omitempty"`
	// TargetPlan names the plan the target comes from; TargetDemo marks an
	// illustrative (demo) plan, whose target text carries 演示.
	TargetPlan string `json:"target_plan,omitempty"`
	TargetDemo bool   `json:"target_demo,omitempty"`
	Completion Num    `json:"completion"`
	// CompletionBasis is models.Progress.CompletionBasis: "increment" and
	// "total" are labelled in the 完成率 column.
	CompletionBasis string `json:"completion_basis,omitempty"`
	// Progress is 序时进度 where the status is a pace against it (flows,
	// cumulatives, stocks): the share of the year the data cover, months/12
	// for monthly data, as the analysis engine compares it; NaN where no
	// pace applies (levels, ratios, rows without data or target).
	Progress   Num           `json:"time_progress"`
	Status     models.Status `json:"status"`
	StatusText string        `json:"status_text"`
	Trend      *Trend        `json:"trend,omitempty"`
	// Projected is the expected year-end figure and ProbabilityMeet the
	// chance that it meets the target.
	Projected       Num       `json:"projected"`
	ProbabilityMeet Num       `json:"probability_meet"`
	LastObservation time.Time `json:"last_observation,omitzero"`
	Stale           bool      `json:"stale"`
	// Demo is set when a figure the row shows (本期值, 上期, 上年同期 or
	// 累计) still comes from the demo's data: the report marks it 演示.
	Demo bool `json:"demo"`
	// Level is a reference row's entity level (全国, 省级 …): context,
	// never summed into the district's figures.
	Level models.Level `json:"level,omitempty"`
}

// Trend is the trend test of an indicator's series.
type Trend struct {
	Method       string `json:"method"`
	Direction    string `json:"direction"`
	SlopePerYear Num    `json:"slope_per_year"`
	P            Num    `json:"p"`
	Significant  bool   `json:"significant"`
	N            int    `json:"n"`
	// Spearman22 is the verdict of 环办〔2011〕22号 on the same values
	// ("increasing", "decreasing", "no trend"; empty below 5 values), from
	// Spearman's Rs against the W_p table (Wp).
	Spearman22 string `json:"spearman_22,omitempty"`
	Rs         Num    `json:"r_s"`
	Wp         Num    `json:"w_p"`
}

// Water is the surface-water part: every assessed section and the district
// figures over them.
type Water struct {
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Sections []WaterSection `json:"sections"`
	District WaterDistrict  `json:"district"`
	// ClassCounts[i] is the number of sections in class i+1 (Ⅰ … 劣Ⅴ);
	// Unknown counts sections that could not be evaluated.
	ClassCounts [6]int `json:"class_counts"`
	Unknown     int    `json:"unknown"`
	Chart       *Chart `json:"-"`
}

// WaterSection is one section's standing.
type WaterSection struct {
	Name           string    `json:"name"`
	WaterBody      string    `json:"water_body"`
	Class          int       `json:"class"`
	ClassName      string    `json:"class_name"`
	TargetClass    int       `json:"target_class"`
	TargetName     string    `json:"target_name"`
	Attained       *bool     `json:"attained"`
	MainPollutants []string  `json:"main_pollutants"`
	Samples        int       `json:"samples"`
	LastSample     time.Time `json:"last_sample,omitzero"`
	// Notes say what the class leaves out (metrics.SectionStanding.Notes).
	Notes []string `json:"notes,omitempty"`
}

// WaterDistrict is 优良比例, 劣Ⅴ比例 and 达标率 over the sections.
type WaterDistrict struct {
	Sections        int `json:"sections"`
	IVOrBetter      int `json:"iv_or_better"`
	IIIOrBetter     int `json:"iii_or_better"`
	GoodRatio       Num `json:"good_ratio"`
	InferiorVRatio  Num `json:"inferior_v_ratio"`
	AttainmentRatio Num `json:"attainment_ratio"`
}

// Stations summarises per-station air series as monthly means, so hourly
// station data does not flood the indicator tables.
type Stations struct {
	// Indicators are the pollutant codes, in column order.
	Indicators []StationColumn `json:"indicators"`
	Rows       []StationRow    `json:"rows"`
}

// StationColumn is one pollutant column of the station table.
type StationColumn struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	DisplayUnit string `json:"display_unit"`
}

// StationRow is one station's monthly means, in the order of
// Stations.Indicators, with the PM2.5 mean of the same month a year earlier.
type StationRow struct {
	Station string `json:"station"`
	Means   []Num  `json:"means"`
	Samples []int  `json:"samples"`
	// Demo is set when a mean comes from the demo's data (演示).
	Demo bool `json:"demo"`
}

// Quality is the data-quality section.
type Quality struct {
	// GraceDays is the grace added to an indicator's reporting period
	// before it counts as stale.
	GraceDays float64 `json:"grace_days"`
	Stale     []Stale `json:"stale"`
	// NoData counts catalogue indicators without any observation up to the
	// end of the month (reference series not yet loaded, for instance).
	NoData         int              `json:"no_data"`
	Rejected       int              `json:"rejected"`
	RejectedByRule []RuleCount      `json:"rejected_by_rule"`
	RejectedBySrc  []RuleCount      `json:"rejected_by_source"`
	Examples       []RejectedSample `json:"rejected_examples"`
	// DamagedLines counts lines of the rejection log that did not decode.
	DamagedLines int    `json:"damaged_log_lines"`
	LogError     string `json:"log_error,omitempty"`
	// Revisions are the figures superseded during the month (修订), oldest
	// first.
	Revisions []Revision `json:"revisions"`
}

// Revision is one superseding write of the revision ledger: a figure
// (indicator, entity, period) whose value or provider was replaced by a
// later accepted write.
type Revision struct {
	// Accepted is when the new value was accepted.
	Accepted time.Time `json:"accepted"`
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	Entity   string    `json:"entity,omitempty"`
	// Period is the figure's period label ("2024-06", "2024-Q2", "2024").
	Period string `json:"period"`
	// Unit and DisplayUnit are the indicator's, for printing the values.
	Unit        string `json:"unit"`
	DisplayUnit string `json:"display_unit,omitempty"`
	OldValue    Num    `json:"old_value"`
	NewValue    Num    `json:"new_value"`
	OldProvider string `json:"old_provider"`
	NewProvider string `json:"new_provider"`
	// Origin is where the new value came from: a file and row, or a push.
	Origin string `json:"origin"`
	// ValueChanged is false for a write of the same value by another
	// provider: the ledger records it as a revision because who vouches for
	// the figure changed, but the figure did not. Build sets it.
	ValueChanged bool `json:"value_changed"`
	// Change says what the revision changed in the report's language:
	// "数值修订", "数值未变，报送方变更（http → tjj）". Build sets it.
	Change string `json:"change"`
}

// Stale is an indicator (of an entity) with no observation within its
// latest complete reporting period plus the grace.
type Stale struct {
	Code            string    `json:"code"`
	Entity          string    `json:"entity,omitempty"`
	Name            string    `json:"name"`
	Frequency       string    `json:"frequency"`
	LastObservation time.Time `json:"last_observation,omitzero"`
	// Due is the start of the reporting period an observation was expected for.
	Due time.Time `json:"due"`
}

// RuleCount is a number of rejected rows for one rule or source.
type RuleCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// RejectedSample is one rejected row shown as an example.
type RejectedSample struct {
	Time    time.Time `json:"time"`
	Source  string    `json:"source"`
	Row     int       `json:"row"`
	Field   string    `json:"field,omitempty"`
	Rule    string    `json:"rule"`
	Message string    `json:"message"`
}

// Num is a float64 whose NaN and infinities are written as JSON null, so a
// figure that cannot be computed is never mistaken for zero.
type Num float64

// NaN is the Num of a figure that cannot be computed.
func NaN() Num { return Num(math.NaN()) }

// Valid reports whether n is a finite number.
func (n Num) Valid() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

// Float returns n as a float64.
func (n Num) Float() float64 { return float64(n) }

// MarshalJSON writes the number to 12 significant digits, or null.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Valid() {
		return []byte("null"), nil
	}
	return []byte(n.digits()), nil
}

// digits writes n to 12 significant digits in plain decimal notation:
// enough for any figure the bureau reports, and it drops the noise of
// binary arithmetic (0.07499999999999996 is 0.075), so CSV, JSON and the
// golden files hold the numbers a person would write.
func (n Num) digits() string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(float64(n), 'g', 12, 64), 64)
	if err != nil {
		r = float64(n)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// UnmarshalJSON reads a number or null (NaN).
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = NaN()
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// csv is the CSV cell: the same digits as JSON, empty for NaN.
func (n Num) csv() string {
	if !n.Valid() {
		return ""
	}
	return n.digits()
}
