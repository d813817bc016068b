package models

import "fmt"

// Level is the administrative or monitoring level of an entity. Figures of
// different levels overlap (a province holds its cities, the world its
// countries), so they are never summed together.
type Level string

// Entity levels, from the widest.
const (
	LevelWorld    Level = "world"
	LevelCountry  Level = "country"
	LevelProvince Level = "province"
	LevelCity     Level = "city"
	LevelDistrict Level = "district"
	LevelMarket   Level = "market"
	LevelStation  Level = "station"
	LevelSection  Level = "section"
)

// Levels lists every level, widest first.
var Levels = []Level{LevelWorld, LevelCountry, LevelProvince, LevelCity, LevelDistrict, LevelMarket, LevelStation, LevelSection}

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("level %q: %w (world, country, province, city, district, market, station, section)", s, ErrBadEnum)
}

// NameZh is the Chinese name of the level.
func (l Level) NameZh() string {
	switch l {
	case LevelWorld:
		return "全球"
	case LevelCountry:
		return "国家"
	case LevelProvince:
		return "省级"
	case LevelCity:
		return "市级"
	case LevelDistrict:
		return "区级"
	case LevelMarket:
		return "市场"
	case LevelStation:
		return "监测站"
	case LevelSection:
		return "断面"
	}
	return string(l)
}

// DefaultLevel is the level of an entity of an indicator measured per
// entityKind (the catalogue's `entity`) when the configuration names none:
// "region" series are provincial, "country" series national.
func DefaultLevel(entityKind string) Level {
	switch entityKind {
	case "country":
		return LevelCountry
	case "region", "province":
		return LevelProvince
	case "city":
		return LevelCity
	case "market":
		return LevelMarket
	case "station":
		return LevelStation
	case "section":
		return LevelSection
	}
	return LevelDistrict
}
