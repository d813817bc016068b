package metrics

import (
	"math"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// SourceDerived is the provider of figures the engine computes itself
// (district water figures, section classes, carbon accounts).
const SourceDerived = models.ProviderDerived

// Scope says which figures make up the district's (docs/progress.md §1):
// the configuration's district, aliases and stations, and the configured
// water sections.
type Scope struct {
	config.Scope
	// Sections are the assessed water sections whose figures the district
	// combines (config water.sections).
	Sections []string
	// sectionSet and stationSet index Sections and Stations (scopeOf), so
	// that a run over thousands of stations does not scan a list per
	// figure.
	sectionSet, stationSet map[string]bool
}

// scopeOf is the engine's scope from its options.
func scopeOf(sc config.Scope, w config.Water) Scope {
	out := Scope{Scope: sc, sectionSet: map[string]bool{}, stationSet: map[string]bool{}}
	for _, s := range w.Sections {
		out.Sections = append(out.Sections, s.Name)
		out.sectionSet[s.Name] = true
	}
	for _, s := range sc.Stations {
		out.stationSet[s] = true
	}
	return out
}

// combines reports whether the district's figure of ind combines several
// entities (configured sections or stations) rather than taking one.
func (sc Scope) combines(ind models.Indicator) bool {
	return ind.Entity == "section" || ind.Entity == "station"
}

// member reports whether entity's figures belong to the district's figure
// of ind: for district-wide indicators the figures without entity (or
// named as the district); for per-section and per-station indicators the
// configured sections and stations; for indicators measured per region,
// country or market only the entity the scope names as the district.
// Overlapping regions (China and its provinces, the world and its
// countries) are therefore never summed.
func (sc Scope) member(ind models.Indicator, entity string) bool {
	switch ind.Entity {
	case "":
		return entity == "" || sc.IsDistrict(entity)
	case "section":
		return in(sc.sectionSet, sc.Sections, entity)
	case "station":
		return in(sc.stationSet, sc.Stations, entity)
	}
	return sc.IsDistrict(entity)
}

// in reports whether s is in list, through its index when there is one.
func in(set map[string]bool, list []string, s string) bool {
	if set != nil {
		return set[s]
	}
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// figureKey identifies a figure of one indicator: entity and time.
type figureKey struct {
	entity string
	t      int64
}

// figureCounts are, for daily aggregates of hourly series, how many hourly
// figures each value stands for.
type figureCounts map[figureKey]int

// DistrictSeries is the district's series of ind from its figures (one per
// entity and period, as the store returns them) under scope sc.
func DistrictSeries(ind models.Indicator, obs []models.Observation, sc Scope) models.Series {
	return districtSeries(ind, obs, sc, nil)
}

func districtSeries(ind models.Indicator, obs []models.Observation, sc Scope, counts figureCounts) models.Series {
	type acc struct {
		t        time.Time
		vs       []float64
		own      bool // a figure without entity, which wins over an alias
		figures  int
		demo     bool
		ownValue float64
	}
	byTime := map[int64]*acc{}
	for _, o := range obs {
		if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) || !sc.member(ind, o.Entity) {
			continue
		}
		k := o.Time.Unix()
		a := byTime[k]
		if a == nil {
			a = &acc{t: o.Time}
			byTime[k] = a
		}
		n := counts[figureKey{o.Entity, k}]
		if n <= 0 {
			n = 1
		}
		if !sc.combines(ind) {
			// One entity holds the district's figure: the figure without
			// entity if there is one, else the one named as the district.
			if a.own || (len(a.vs) > 0 && o.Entity != "") {
				continue
			}
			a.vs, a.figures, a.demo, a.own = []float64{o.Value}, n, models.IsDemoProvider(o.Provider), o.Entity == ""
			continue
		}
		a.vs = append(a.vs, o.Value)
		a.figures += n
		a.demo = a.demo || models.IsDemoProvider(o.Provider)
	}
	pts := make([]models.SeriesPoint, 0, len(byTime))
	for _, a := range byTime {
		pts = append(pts, models.SeriesPoint{Time: a.t, Value: models.CombineEntities(ind.Kind, a.vs), Figures: a.figures, Demo: a.demo})
	}
	return models.NewSeries(ind, pts)
}

// EntitySeries are the series of ind per entity (figures without entity
// left out), for the report's reference rows and station table.
func EntitySeries(ind models.Indicator, obs []models.Observation) map[string]models.Series {
	return entitySeries(ind, obs, nil)
}

func entitySeries(ind models.Indicator, obs []models.Observation, counts figureCounts) map[string]models.Series {
	byEntity := map[string][]models.SeriesPoint{}
	for _, o := range obs {
		if o.Entity == "" {
			continue
		}
		n := counts[figureKey{o.Entity, o.Time.Unix()}]
		byEntity[o.Entity] = append(byEntity[o.Entity], models.SeriesPoint{Time: o.Time, Value: o.Value, Figures: n, Demo: models.IsDemoProvider(o.Provider)})
	}
	out := make(map[string]models.Series, len(byEntity))
	for e, pts := range byEntity {
		out[e] = models.NewSeries(ind, pts)
	}
	return out
}

func yearStart(y int) time.Time { return models.YearStart(y) }

func daysInYear(y int) float64 {
	return math.Round(yearStart(y+1).Sub(yearStart(y)).Hours() / 24)
}
