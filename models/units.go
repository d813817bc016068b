package models

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Unit is a way of writing an amount, tied to the base unit it converts to:
// value_in_base = value × Factor. Base units are ASCII (m2, CNY, tCO2 …) so
// they can appear in metric names and tags; display units are what the
// report writes (万平方米, 亿元, 万吨 …).
type Unit struct {
	Symbol string
	Base   string
	Factor float64
}

// Errors of unit handling.
var (
	ErrUnknownUnit     = errors.New("unknown unit")
	ErrIncompatible    = errors.New("units measure different quantities")
	ErrBadNumber       = errors.New("not a number")
	ErrNonFinite       = errors.New("value is not finite")
	ErrEmptyQuantity   = errors.New("empty quantity")
	ErrTrailingContent = errors.New("unexpected text after the unit")
)

// baseUnits maps every accepted symbol (base or alias) to its definition.
// Sources: GB 3102 units, domain.md §2.3 and §6 (亩 = 10000/15 m², 1 tce …).
var baseUnits = map[string]Unit{}

func defineUnit(base string, factor float64, symbols ...string) {
	for _, s := range symbols {
		baseUnits[s] = Unit{Symbol: s, Base: base, Factor: factor}
	}
}

func init() {
	defineUnit("m2", 1, "m2", "m²", "㎡", "平方米", "sqm")
	defineUnit("m2", 1e6, "km2", "km²", "平方公里", "平方千米")
	defineUnit("m2", 1e4, "ha", "公顷", "hm2")
	defineUnit("m2", 1e4/15, "mu", "亩")
	defineUnit("CNY", 1, "CNY", "元", "yuan", "人民币元")
	defineUnit("USD", 1, "USD", "美元")
	defineUnit("EUR", 1, "EUR", "欧元")
	defineUnit("t", 1, "t", "吨", "tonne", "tonnes")
	defineUnit("t", 1e-3, "kg", "千克", "公斤")
	defineUnit("t", 1e6, "Mt")
	defineUnit("tCO2", 1, "tCO2", "tCO2e", "吨二氧化碳", "吨CO2", "tCO2/yr", "tCO2/day")
	defineUnit("tCO2", 1e6, "MtCO2", "MtCO2/day", "MtCO2/yr")
	defineUnit("tCO2", 1e3, "ktCO2")
	defineUnit("count", 1, "count", "个", "辆", "座", "所", "家", "条", "人", "户", "套", "处",
		"项", "部", "宗", "人次", "户次", "家次", "件", "名", "台", "根", "只", "栋", "天")
	defineUnit("index", 1, "index", "指数") // dimensionless indices (AQI, HJ 633-2012)
	defineUnit("ratio", 1, "ratio")
	defineUnit("ratio", 0.01, "%", "％", "percent", "百分比", "个百分点", "pp")
	defineUnit("mg/L", 1, "mg/L", "mg/l", "毫克/升")
	defineUnit("mg/L", 1e-3, "ug/L", "µg/L", "μg/L", "微克/升")
	defineUnit("ug/m3", 1, "ug/m3", "µg/m3", "μg/m3", "µg/m³", "μg/m³", "ug/m³", "微克/立方米")
	defineUnit("ug/m3", 1e3, "mg/m3", "mg/m³", "毫克/立方米")
	defineUnit("pH", 1, "pH", "无量纲")
	defineUnit("count/L", 1, "count/L", "个/L", "个/升", "MPN/L", "cfu/L")
	defineUnit("count/L", 10, "MPN/100mL", "个/100mL", "cfu/100mL")
	defineUnit("tce", 1, "tce", "吨标准煤", "吨标煤")
	defineUnit("tce", 1e-3, "kgce", "千克标准煤")
	defineUnit("tce/10^4CNY", 1, "tce/10^4CNY", "吨标准煤/万元", "吨标煤/万元")
	defineUnit("tCO2/10^4CNY", 1, "tCO2/10^4CNY", "吨二氧化碳/万元", "吨CO2/万元")
	defineUnit("kWh", 1, "kWh", "千瓦时", "度")
	defineUnit("kWh", 1e3, "MWh", "兆瓦时")
	defineUnit("m3", 1, "m3", "m³", "立方米", "Nm3", "Nm³", "标准立方米")
	defineUnit("CNY/t", 1, "CNY/t", "CNY/tCO2", "元/吨", "元/吨二氧化碳")
	defineUnit("EUR/t", 1, "EUR/t", "EUR/tCO2", "欧元/吨")
	defineUnit("class", 1, "class", "类")
	defineUnit("degC", 1, "degC", "°C", "℃")
	defineUnit("uS/cm", 1, "uS/cm", "µS/cm", "μS/cm")
	defineUnit("NTU", 1, "NTU")
	defineUnit("cells/L", 1, "cells/L", "个/升藻")
	defineUnit("CNY trillion", 1, "CNY trillion")
	baseUnits["CNY trillion"] = Unit{Symbol: "CNY trillion", Base: "CNY", Factor: 1e12}
}

// magnitudes are the Chinese number words that scale a unit (domain.md §6).
// Longer prefixes come first so 万亿 is not read as 万.
var magnitudes = []struct {
	prefix string
	factor float64
}{
	{"万亿", 1e12}, {"千亿", 1e11}, {"百亿", 1e10}, {"亿", 1e8},
	{"千万", 1e7}, {"百万", 1e6}, {"万", 1e4}, {"千", 1e3}, {"百", 1e2},
}

// LookupUnit resolves a unit symbol, with an optional Chinese magnitude
// prefix ("万平方米", "亿元", "万吨", "万千瓦时"), to its definition.
func LookupUnit(symbol string) (Unit, bool) {
	s := strings.TrimSpace(symbol)
	if u, ok := baseUnits[s]; ok {
		return u, true
	}
	for _, m := range magnitudes {
		rest, ok := strings.CutPrefix(s, m.prefix)
		if !ok || rest == "" {
			continue
		}
		if u, ok := baseUnits[rest]; ok && u.Base != "ratio" {
			return Unit{Symbol: s, Base: u.Base, Factor: u.Factor * m.factor}, true
		}
	}
	return Unit{}, false
}

// ConvertibleUnits returns nil when values in unit from can be converted to unit to.
func ConvertibleUnits(from, to string) error {
	f, ok := LookupUnit(from)
	if !ok {
		return fmt.Errorf("%q: %w", from, ErrUnknownUnit)
	}
	t, ok := LookupUnit(to)
	if !ok {
		return fmt.Errorf("%q: %w", to, ErrUnknownUnit)
	}
	if f.Base != t.Base {
		return fmt.Errorf("%q (%s) to %q (%s): %w", from, f.Base, to, t.Base, ErrIncompatible)
	}
	return nil
}

// Convert converts v from one unit to another of the same quantity.
func Convert(v float64, from, to string) (float64, error) {
	if err := ConvertibleUnits(from, to); err != nil {
		return 0, err
	}
	f, _ := LookupUnit(from)
	t, _ := LookupUnit(to)
	if f.Factor == t.Factor {
		return v, nil
	}
	return v * f.Factor / t.Factor, nil
}

// Quantity is an amount parsed from report text, in its base unit.
type Quantity struct {
	Value     float64
	Unit      string // base unit
	Qualifier Qualifier
}

// ParseQuantity reads an amount the way the report writes it — "超300亿元",
// "135.1万平方米", "6000余吨", "1.6万个", "46.06%", "5%以内", "千亿元" — and
// returns it in its base unit with the bound the text implies.
func ParseQuantity(s string) (Quantity, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return Quantity{}, ErrEmptyQuantity
	}
	q := Quantity{Qualifier: QualifierExact}
	text, q.Qualifier = cutQualifierPrefix(text, q.Qualifier)
	num, rest, err := cutNumber(text)
	if err != nil {
		return Quantity{}, fmt.Errorf("%q: %w", s, err)
	}
	rest, q.Qualifier = cutQualifierSuffix(rest, q.Qualifier)
	// "6000余吨", "300多万": the approximation word sits between number and unit.
	for _, w := range []string{"余", "多"} {
		if r, ok := strings.CutPrefix(rest, w); ok {
			rest, q.Qualifier = r, QualifierMoreThan
		}
	}
	if rest == "" {
		rest = "count"
	}
	u, ok := LookupUnit(rest)
	if !ok {
		return Quantity{}, fmt.Errorf("%q: unit %q: %w", s, rest, ErrUnknownUnit)
	}
	q.Value = num * u.Factor
	q.Unit = u.Base
	if math.IsInf(q.Value, 0) || math.IsNaN(q.Value) {
		return Quantity{}, fmt.Errorf("%q: %w", s, ErrNonFinite)
	}
	return q, nil
}

var qualifierPrefixes = []struct {
	word string
	q    Qualifier
}{
	{"超过", QualifierMoreThan}, {"突破", QualifierMoreThan}, {"超", QualifierMoreThan},
	{"不少于", QualifierAtLeast}, {"不低于", QualifierAtLeast}, {"至少", QualifierAtLeast},
	{"不超过", QualifierAtMost}, {"不高于", QualifierAtMost}, {"控制在", QualifierAtMost},
	{"低于", QualifierLessThan}, {"不满", QualifierLessThan},
	{"约", QualifierApprox}, {"近", QualifierApprox},
}

var qualifierSuffixes = []struct {
	word string
	q    Qualifier
}{
	{"以上", QualifierAtLeast}, {"以内", QualifierAtMost}, {"以下", QualifierAtMost},
	{"左右", QualifierApprox},
}

func cutQualifierPrefix(s string, q Qualifier) (string, Qualifier) {
	for _, p := range qualifierPrefixes {
		if rest, ok := strings.CutPrefix(s, p.word); ok {
			return strings.TrimSpace(rest), p.q
		}
	}
	return s, q
}

func cutQualifierSuffix(s string, q Qualifier) (string, Qualifier) {
	for _, p := range qualifierSuffixes {
		if rest, ok := strings.CutSuffix(s, p.word); ok {
			return strings.TrimSpace(rest), p.q
		}
	}
	return s, q
}

// cutNumber splits a leading decimal number (with optional sign, thousands
// separators and exponent) from the unit text after it. A bare magnitude
// word with no digits ("千亿元") counts as one of it.
func cutNumber(s string) (float64, string, error) {
	end := 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !(unicode.IsDigit(r) || strings.ContainsRune("+-.,eE", r)) {
			break
		}
		if (r == 'e' || r == 'E') && !exponentFollows(s[end+size:]) {
			break
		}
		end += size
	}
	digits := strings.ReplaceAll(s[:end], ",", "")
	rest := strings.TrimSpace(s[end:])
	if digits == "" {
		for _, m := range magnitudes {
			if strings.HasPrefix(rest, m.prefix) {
				return 1, rest, nil
			}
		}
		return 0, "", ErrBadNumber
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return 0, "", ErrNonFinite
		}
		return 0, "", ErrBadNumber
	}
	return v, rest, nil
}

func exponentFollows(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// FormatQuantity writes a base-unit value the way the report does. With a
// display unit ("亿元", "万平方米", "%") the value is converted to it;
// without one a magnitude is chosen (≥1亿 → 亿, ≥1万 → 万, domain.md §6).
// Up to two decimals are kept and trailing zeros dropped: 300亿元,
// 135.1万平方米, 46.06%.
func FormatQuantity(v float64, base, display string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	if display == "" {
		display = autoDisplay(v, base)
	}
	d, err := Convert(v, base, display)
	if err != nil {
		return trimDecimal(v, 2) + base
	}
	return trimDecimal(d, 2) + display
}

func autoDisplay(v float64, base string) string {
	word := map[string]string{"CNY": "元", "m2": "平方米", "t": "吨", "tCO2": "吨二氧化碳", "count": "个", "tce": "吨标准煤", "ratio": "%"}[base]
	if word == "" {
		return base
	}
	if base == "ratio" {
		return "%"
	}
	switch a := math.Abs(v); {
	case a >= 1e8:
		return "亿" + word
	case a >= 1e4:
		return "万" + word
	}
	return word
}

// trimDecimal formats v with at most prec decimals, rounding half to even as
// GB/T 8170 asks, and drops trailing zeros.
func trimDecimal(v float64, prec int) string {
	p := math.Pow(10, float64(prec))
	r := RoundUnits(v, 1/p) / p
	s := strconv.FormatFloat(r, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// FormatPoints writes a change of a ratio indicator in 个百分点, the report's
// convention for shares ("上升1.5个百分点"), with one decimal.
func FormatPoints(deltaRatio float64) string {
	return trimDecimal(deltaRatio*100, 1) + "个百分点"
}
