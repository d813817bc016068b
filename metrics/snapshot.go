package metrics

import (
	"sync/atomic"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/analysis"
)

// Snapshot is one consistent computation of everything derived from the
// stored observations. It is immutable once published.
type Snapshot struct {
	GeneratedAt time.Time `json:"generated_at"`
	Year        int       `json:"year"`
	// Indicators is the catalogue the snapshot was computed against.
	Indicators []models.Indicator `json:"indicators"`
	// Progress and Forecasts are keyed by indicator code; only indicators
	// with observations or a target appear.
	Progress  map[string]models.Progress `json:"progress"`
	Forecasts map[string]models.Forecast `json:"forecasts"`
	Trends    []models.TrendSummary      `json:"trends"`
	// Latest is the newest figure per indicator and entity.
	Latest []models.Observation `json:"latest"`
	Water  WaterStanding        `json:"water"`
	// Derived are the observations this run derived (monthly district
	// water figures, section classes, carbon accounts). The engine writes
	// them back when it has a Writer; a report reads them in place of the
	// stored ones, so it agrees with its snapshot even before the daemon
	// has written them.
	Derived []models.Observation `json:"-"`
	// Series are, per indicator code, the district's period series the
	// progress was computed from (the district's figures only, derived
	// figures of the run included), as of the snapshot: what the monthly
	// report reads its 本期值, 环比, 同比 and charts from (models.Series has
	// the period rules). Indicators without a district figure are absent.
	Series map[string]models.Series `json:"-"`
	// EntitySeries are, per indicator measured per station, region,
	// country or market, the period series of each entity (periods only):
	// the report's station table and labelled reference rows.
	EntitySeries map[string]map[string]models.Series `json:"-"`
	// Scope is the entity scope the snapshot was computed under; its
	// LevelOf labels reference entities.
	Scope config.Scope `json:"-"`
}

// WaterStanding is the surface-water picture of the snapshot's period.
type WaterStanding struct {
	// Period is the evaluation period (year to date) the classes are for.
	From     time.Time         `json:"from"`
	To       time.Time         `json:"to"`
	Sections []SectionStanding `json:"sections"`
	District DistrictStanding  `json:"district"`
}

// SectionStanding is one section's class over the period: the domain's
// record (analysis.SectionStanding), which the snapshot publishes and the
// engine writes.
type SectionStanding = analysis.SectionStanding

// DistrictStanding is the district figures computed from the sections.
type DistrictStanding struct {
	Sections        int     `json:"sections"`
	IVOrBetter      int     `json:"iv_or_better"`
	IIIOrBetter     int     `json:"iii_or_better"`
	GoodRatio       float64 `json:"good_ratio"`       // 优良比例, Ⅰ–Ⅲ share
	InferiorVRatio  float64 `json:"inferior_v_ratio"` // 劣Ⅴ比例
	AttainmentRatio float64 `json:"attainment_ratio"` // 达标率; NaN without targets
}

// State holds the latest published Snapshot for concurrent readers.
type State struct {
	current atomic.Pointer[Snapshot]
}

// Publish makes s the snapshot readers see.
func (st *State) Publish(s *Snapshot) { st.current.Store(s) }

// Current returns the latest snapshot, or nil before the first computation.
func (st *State) Current() *Snapshot { return st.current.Load() }
