package water

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Errors about items and their values.
var (
	// ErrUnknownItem is returned for an item code that is not in the catalogue.
	ErrUnknownItem = errors.New("unknown item")
	// ErrNoLimits is returned when an item has no class limits for the water
	// body: water temperature never has, total nitrogen has none for rivers.
	ErrNoLimits = errors.New("no class limits")
	// ErrNotClassItem is returned when an item that does not count towards the
	// class (water temperature, total nitrogen, faecal coliform) is configured
	// as an evaluated item.
	ErrNotClassItem = errors.New("not a class item")
	// ErrInvalidValue is returned for a value that no measurement can have:
	// NaN, ±Inf, or a negative concentration.
	ErrInvalidValue = errors.New("invalid value")
	// ErrInvalidNonDetect is returned for a non-detect of an item that has
	// no detection limit (pH, dissolved oxygen, water temperature) or with a
	// detection limit that is not positive.
	ErrInvalidNonDetect = errors.New("invalid non-detect")
)

// bound is how a value is compared with an item's limits.
type bound uint8

const (
	boundNone  bound = iota // no limits (water temperature)
	boundUpper              // class k if value ≤ limit k
	boundLower              // class k if value ≥ limit k (dissolved oxygen)
	boundRange              // pH: 6–9 passes (class Ⅰ), outside is 劣Ⅴ
)

// role is the part an item plays in the evaluation of 环办〔2011〕22号.
type role uint8

const (
	roleNone     role = iota // measured, never classified (water temperature)
	roleClass                // one of the 21 items that decide the class
	roleReported             // classified and reported on its own, never in the class
)

// pHMin and pHMax bound the pH range of every class of Table 1.
const (
	pHMin = 6.0
	pHMax = 9.0
)

// An Item is one basic item of GB 3838-2002 Table 1 with its class limits.
type Item struct {
	Code string // catalogue code, e.g. "nh3n"
	Name string // Chinese name as in Table 1, e.g. "氨氮（NH3-N）"
	Unit string // "mg/L", "个/L", "℃", or "" for pH

	bound bound
	role  role
	// river holds the limits of classes Ⅰ…Ⅴ for rivers; nil when Table 1
	// gives none (total nitrogen applies to lakes and reservoirs only).
	river *[5]float64
	// lake holds the lake-and-reservoir limits where Table 1 gives separate
	// ones (total phosphorus) or only those (total nitrogen). nil means the
	// river limits apply to every water body.
	lake *[5]float64
}

func limits(i, ii, iii, iv, v float64) *[5]float64 {
	return &[5]float64{i, ii, iii, iv, v}
}

// catalogue is GB 3838-2002 《地表水环境质量标准》 Table 1 (地表水环境质量标准基本项目
// 标准限值), items 1–24, in the order of the table. Every limit is inclusive:
// a value equal to the class k limit is class k (≥ for dissolved oxygen, ≤
// for the rest). Source: the standard as published by the MEE (mee.gov.cn,
// 2002-06-01); transcriptions cross-checked in shared/docs/domain.md §1.
// Which items decide the class follows 环办〔2011〕22号: the 21 items other
// than water temperature, total nitrogen and faecal coliform.
var catalogue = []Item{
	{Code: "water_temp", Name: "水温", Unit: "℃", bound: boundNone, role: roleNone},
	{Code: "ph", Name: "pH值", Unit: "", bound: boundRange, role: roleClass},
	// Class Ⅰ is "饱和率90%（或7.5）"; the 7.5 mg/L form is used, as CNEMC does.
	{Code: "do", Name: "溶解氧", Unit: "mg/L", bound: boundLower, role: roleClass, river: limits(7.5, 6, 5, 3, 2)},
	{Code: "codmn", Name: "高锰酸盐指数", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(2, 4, 6, 10, 15)},
	{Code: "cod", Name: "化学需氧量（COD）", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(15, 15, 20, 30, 40)},
	{Code: "bod5", Name: "五日生化需氧量（BOD5）", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(3, 3, 4, 6, 10)},
	{Code: "nh3n", Name: "氨氮（NH3-N）", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.15, 0.5, 1.0, 1.5, 2.0)},
	{Code: "tp", Name: "总磷（以P计）", Unit: "mg/L", bound: boundUpper, role: roleClass,
		river: limits(0.02, 0.1, 0.2, 0.3, 0.4), lake: limits(0.01, 0.025, 0.05, 0.1, 0.2)},
	// TN is "湖、库，以N计": no river limits, and 22号 keeps it out of the class.
	{Code: "tn", Name: "总氮（湖、库，以N计）", Unit: "mg/L", bound: boundUpper, role: roleReported,
		lake: limits(0.2, 0.5, 1.0, 1.5, 2.0)},
	{Code: "cu", Name: "铜", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.01, 1.0, 1.0, 1.0, 1.0)},
	{Code: "zn", Name: "锌", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.05, 1.0, 1.0, 2.0, 2.0)},
	{Code: "f", Name: "氟化物（以F⁻计）", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(1.0, 1.0, 1.0, 1.5, 1.5)},
	{Code: "se", Name: "硒", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.01, 0.01, 0.01, 0.02, 0.02)},
	{Code: "as", Name: "砷", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.05, 0.05, 0.05, 0.1, 0.1)},
	{Code: "hg", Name: "汞", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.00005, 0.00005, 0.0001, 0.001, 0.001)},
	{Code: "cd", Name: "镉", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.001, 0.005, 0.005, 0.005, 0.01)},
	{Code: "cr6", Name: "铬（六价）", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.01, 0.05, 0.05, 0.05, 0.1)},
	{Code: "pb", Name: "铅", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.01, 0.01, 0.05, 0.05, 0.1)},
	{Code: "cn", Name: "氰化物", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.005, 0.05, 0.2, 0.2, 0.2)},
	{Code: "phenol", Name: "挥发酚", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.002, 0.002, 0.005, 0.01, 0.1)},
	{Code: "petroleum", Name: "石油类", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.05, 0.05, 0.05, 0.5, 1.0)},
	{Code: "las", Name: "阴离子表面活性剂", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.2, 0.2, 0.2, 0.3, 0.3)},
	{Code: "sulfide", Name: "硫化物", Unit: "mg/L", bound: boundUpper, role: roleClass, river: limits(0.05, 0.1, 0.2, 0.5, 1.0)},
	// Faecal coliform is in Table 1 but outside the class (22号).
	{Code: "fecal_coliform", Name: "粪大肠菌群", Unit: "个/L", bound: boundUpper, role: roleReported,
		river: limits(200, 2000, 10000, 20000, 40000)},
}

// aliases maps other spellings of item codes, as used by older data files
// and domain.md, to catalogue codes.
var aliases = map[string]string{
	"oil": "petroleum",
	"s2":  "sulfide",
	"fc":  "fecal_coliform",
}

// catalogueIndex maps a catalogue code to its position in catalogue.
var catalogueIndex = func() map[string]int {
	m := make(map[string]int, len(catalogue))
	for i, it := range catalogue {
		m[it.Code] = i
	}
	return m
}()

// nationalCore is the fixed "5" of the "5+X" evaluation of national sections
// in the 14th Five-Year Plan (环办监测函〔2020〕714号).
var nationalCore = []string{"ph", "do", "codmn", "nh3n", "tp"}

// Lookup returns the catalogue item for a code or one of its aliases
// (oil, s2, fc). Codes are matched without regard to case or surrounding
// space.
func Lookup(code string) (Item, error) {
	c := strings.ToLower(strings.TrimSpace(code))
	if a, ok := aliases[c]; ok {
		c = a
	}
	i, ok := catalogueIndex[c]
	if !ok {
		return Item{}, fmt.Errorf("item %q: %w", code, ErrUnknownItem)
	}
	return catalogue[i], nil
}

// Items returns the 24 items of Table 1 in the order of the table.
func Items() []Item {
	return append([]Item(nil), catalogue...)
}

// DefaultItems returns the codes of the 21 items 环办〔2011〕22号 evaluates:
// Table 1 without water temperature, total nitrogen and faecal coliform.
func DefaultItems() []string {
	var codes []string
	for _, it := range catalogue {
		if it.role == roleClass {
			codes = append(codes, it.Code)
		}
	}
	return codes
}

// NationalItems returns the "5+X" items of a national section: pH, DO,
// CODMn, NH3-N and TP, plus the section's X, the other items that exceeded
// their limit in the previous or current year. Codes in x are canonicalised
// and duplicates dropped.
func NationalItems(x ...string) ([]string, error) {
	return canonicalItems(append(append([]string(nil), nationalCore...), x...))
}

// canonicalItems resolves aliases, drops duplicates and checks that every
// code names an item that decides the class.
func canonicalItems(codes []string) ([]string, error) {
	out := make([]string, 0, len(codes))
	seen := make(map[string]bool, len(codes))
	for _, code := range codes {
		it, err := Lookup(code)
		if err != nil {
			return nil, err
		}
		if !it.InClass() {
			return nil, fmt.Errorf("item %q: %w", code, ErrNotClassItem)
		}
		if !seen[it.Code] {
			seen[it.Code] = true
			out = append(out, it.Code)
		}
	}
	return out, nil
}

// InClass reports whether the item is one of the 21 that decide the class.
func (it Item) InClass() bool { return it.role == roleClass }

// ReportedSeparately reports whether the item is classified but reported on
// its own, outside the class: total nitrogen and faecal coliform.
func (it Item) ReportedSeparately() bool { return it.role == roleReported }

// HasExceedance reports whether a 超标倍数 is defined for the item. It is not
// for pH, dissolved oxygen and water temperature (环办〔2011〕22号).
func (it Item) HasExceedance() bool { return it.bound == boundUpper }

// CanBeNonDetect reports whether the item can be reported below a detection
// limit: the concentrations, not pH, dissolved oxygen or water temperature.
func (it Item) CanBeNonDetect() bool { return it.bound == boundUpper }

// Limits returns the limits of classes Ⅰ…Ⅴ for the water body, and false
// when Table 1 gives none (water temperature; pH, whose range is 6–9 for
// every class; total nitrogen in a river).
func (it Item) Limits(body WaterBody) ([5]float64, bool) {
	lim := it.river
	if body.usesLakeLimits() && it.lake != nil {
		lim = it.lake
	}
	if lim == nil {
		return [5]float64{}, false
	}
	return *lim, true
}

// Classify returns the class of one value of the item in the water body: the
// best class whose limit the value meets, or 劣Ⅴ when it meets none. Where
// several classes share a limit the value gets the best of them (COD 15 is
// Ⅰ). pH in 6–9 is Ⅰ and outside it 劣Ⅴ. The value is compared as given;
// rounding it first would move boundary values (README §1a: raw CNEMC
// values reproduce the published classes, displayed ones do not).
func (it Item) Classify(v float64, body WaterBody) (Class, error) {
	if err := it.check(v); err != nil {
		return ClassUnknown, err
	}
	if it.bound == boundRange {
		if v < pHMin || v > pHMax {
			return ClassWorseThanV, nil
		}
		return ClassI, nil
	}
	lim, ok := it.Limits(body)
	switch {
	case it.bound == boundNone:
		return ClassUnknown, fmt.Errorf("%s: %w", it.Code, ErrNoLimits)
	case !ok:
		return ClassUnknown, fmt.Errorf("%s in a %s: %w", it.Code, body, ErrNoLimits)
	}
	for k, l := range lim {
		if (it.bound == boundUpper && v <= l) || (it.bound == boundLower && v >= l) {
			return Class(k + 1), nil
		}
	}
	return ClassWorseThanV, nil
}

// Exceedance returns the 超标倍数 of a value, (C − C_Ⅲ)/C_Ⅲ against the class
// Ⅲ limit of the water body, when the value exceeds that limit; otherwise,
// and for items without a 超标倍数, it returns 0.
func (it Item) Exceedance(v float64, body WaterBody) float64 {
	lim, ok := it.Limits(body)
	if !ok || !it.HasExceedance() || v <= lim[2] {
		return 0
	}
	return (v - lim[2]) / lim[2]
}

// check rejects values no measurement can have. Water temperature may be
// below zero; concentrations and pH may not.
func (it Item) check(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || (v < 0 && it.Code != "water_temp") {
		return fmt.Errorf("%s = %v: %w", it.Code, v, ErrInvalidValue)
	}
	return nil
}
