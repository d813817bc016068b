package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/greenmetrics/greenmetrics/models"
)

// Scope says which figures are the district's own and what level every
// other entity is, so that progress, alerts, dashboards and the report use
// the district's figures only and never sum overlapping regions.
type Scope struct {
	// District is the district's name ("通州区"). Its own figures carry no
	// entity; a row of a district-wide indicator whose entity is District
	// or one of Aliases is read as the district's figure. For indicators
	// measured per region or country, the entity named District (or an
	// alias) is the district's figure among the reference series.
	District string   `yaml:"district"`
	Aliases  []string `yaml:"aliases"`
	// Stations are the air-quality stations whose figures make up the
	// district's (empty: none; reference stations stay context).
	// Sections are configured under water.sections.
	Stations []string `yaml:"stations"`
	// Levels gives the level of reference entities by name (World: world,
	// China: country, Beijing: province …). Entities not listed take the
	// level of their indicator's entity kind (models.DefaultLevel).
	Levels map[string]string `yaml:"levels"`
}

func defaultScope() Scope {
	return Scope{
		District: "通州区",
		Aliases:  []string{"通州", "Tongzhou", "Tongzhou District", "北京城市副中心"},
		Levels: map[string]string{
			"World": "world", "世界": "world", "全球": "world",
			"China": "country", "中国": "country", "全国": "country", "CN": "country",
			"Beijing": "province", "北京": "province", "北京市": "province", "CN-BJ": "province",
		},
	}
}

// IsDistrict reports whether an entity name denotes the district itself.
func (s Scope) IsDistrict(entity string) bool {
	e := strings.TrimSpace(entity)
	if e == "" {
		return false
	}
	if strings.EqualFold(e, s.District) {
		return true
	}
	for _, a := range s.Aliases {
		if strings.EqualFold(e, a) {
			return true
		}
	}
	return false
}

// LevelOf is the level of entity, an entity of an indicator measured per
// entityKind.
func (s Scope) LevelOf(entity, entityKind string) models.Level {
	if s.IsDistrict(entity) {
		return models.LevelDistrict
	}
	if l, ok := s.Levels[entity]; ok {
		if lv, err := models.ParseLevel(l); err == nil {
			return lv
		}
	}
	return models.DefaultLevel(entityKind)
}

func (s Scope) validate() error {
	var errs []error
	if strings.TrimSpace(s.District) == "" {
		errs = append(errs, keyed("district", models.ErrMissingField))
	}
	names := make([]string, 0, len(s.Levels))
	for name := range s.Levels {
		names = append(names, name)
	}
	sort.Strings(names) // the same order every run
	for _, name := range names {
		if _, err := models.ParseLevel(s.Levels[name]); err != nil {
			errs = append(errs, keyed(fmt.Sprintf("levels[%q]", name), err))
		}
	}
	return errors.Join(errs...)
}
