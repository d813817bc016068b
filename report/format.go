package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/greenmetrics/greenmetrics/models"
)

// Lang is the language the report is written in.
type Lang string

// Report languages.
const (
	LangZh Lang = "zh"
	LangEn Lang = "en"
)

// ErrBadLang reports a language other than zh and en.
var ErrBadLang = errors.New("lang must be zh or en")

// ParseLang reads "zh" or "en"; empty means zh.
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "zh":
		return LangZh, nil
	case "en":
		return LangEn, nil
	}
	return "", fmt.Errorf("%q: %w", s, ErrBadLang)
}

// fixed formats v with exactly prec decimals, rounding half to even as
// GB/T 8170 asks for environmental data.
func fixed(v float64, prec int) string {
	p := math.Pow(10, float64(prec))
	s := strconv.FormatFloat(math.RoundToEven(v*p)/p, 'f', prec, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// trimmed formats v with up to prec decimals and no trailing zeros.
func trimmed(v float64, prec int) string {
	s := fixed(v, prec)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

const dash = "—"

// percent writes a share or rate 0–1 as a percentage with one decimal,
// the report's convention for shares: 41.7%.
func percent(v Num) string {
	if !v.Valid() {
		return dash
	}
	s := fixed(float64(v)*100, 1)
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:] // U+2212, as sign() writes it
	}
	return s + "%"
}

// signedPercent writes a relative change: +5.2%, −3.1%, 0.0%.
func signedPercent(v Num) string {
	if !v.Valid() {
		return dash
	}
	s := fixed(float64(v)*100, 1)
	return sign(s) + "%"
}

// signedPoints writes a change of a share in percentage points:
// +1.5个百分点 (zh) or +1.5 pp (en).
func signedPoints(v Num, lang Lang) string {
	if !v.Valid() {
		return dash
	}
	s := sign(fixed(float64(v)*100, 1))
	if lang == LangEn {
		return s + " pp"
	}
	return s + "个百分点"
}

// sign puts an explicit + on positive numbers and writes minus as U+2212,
// the typographic minus that does not break from its digits.
func sign(s string) string {
	switch {
	case strings.HasPrefix(s, "-"):
		return "−" + s[1:]
	case strings.Trim(s, "0.") == "":
		return s
	}
	return "+" + s
}

// formatChange writes 环比 or 同比 of a row.
func formatChange(v Num, inPoints bool, lang Lang) string {
	if inPoints {
		return signedPoints(v, lang)
	}
	return signedPercent(v)
}

// formatValue writes an amount of an indicator in the report's units: the
// catalogue's display unit in Chinese (300亿元, 135.1万平方米), shares with
// one decimal (41.7%), English magnitudes for --lang en.
func formatValue(v Num, base, display string, kind models.Kind, lang Lang) string {
	if !v.Valid() {
		return dash
	}
	if base == "ratio" || kind == models.KindRatio {
		return percent(v)
	}
	if lang == LangEn {
		return formatEn(float64(v), base)
	}
	return models.FormatQuantity(float64(v), base, display)
}

// enDisplayUnits are display units whose English name is not a magnitude
// word plus the base unit.
var enDisplayUnits = map[string]string{
	"毫克/立方米": "mg/m³", "微克/立方米": "µg/m³", "吨标准煤/万元": "tce per 10k yuan",
	"吨二氧化碳/万元": "t CO2 per 10k yuan", "亩": "mu", "万亩": "10k mu", "公顷": "ha",
}

// enUnits names base units in English reports.
var enUnits = map[string]string{
	"m2": "m²", "CNY": "yuan", "USD": "USD", "EUR": "EUR", "t": "t", "tCO2": "t CO2",
	"count": "", "mg/L": "mg/L", "ug/m3": "µg/m³", "pH": "", "count/L": "/L",
	"tce": "tce", "tce/10^4CNY": "tce per 10k yuan", "tCO2/10^4CNY": "t CO2 per 10k yuan",
	"kWh": "kWh", "m3": "m³", "CNY/t": "yuan/t", "EUR/t": "EUR/t", "class": "",
	"degC": "°C", "uS/cm": "µS/cm", "NTU": "NTU", "cells/L": "cells/L",
}

// formatEn writes a base-unit value with English magnitude words:
// 30 billion yuan, 1.35 million m², 6,000 t CO2.
func formatEn(v float64, base string) string {
	unit, ok := enUnits[base]
	if !ok {
		unit = base
	}
	a := math.Abs(v)
	var num string
	switch {
	case a >= 1e12:
		num = trimmed(v/1e12, 2) + " trillion"
	case a >= 1e9:
		num = trimmed(v/1e9, 2) + " billion"
	case a >= 1e6:
		num = trimmed(v/1e6, 2) + " million"
	case a >= 1e3:
		num = thousands(v)
	default:
		num = trimmed(v, 2)
	}
	if unit == "" {
		return num
	}
	return num + " " + unit
}

// thousands writes v rounded to an integer with comma separators.
func thousands(v float64) string {
	s := fixed(v, 0)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// displayValue converts a base-unit value to the display unit for charts;
// shares become percentages.
func displayValue(v float64, base, display string) float64 {
	if math.IsNaN(v) {
		return v
	}
	if display == "" {
		return v
	}
	d, err := models.Convert(v, base, display)
	if err != nil {
		return v
	}
	return d
}

// chartUnit is the unit a chart's axis is labelled in: the display unit in
// Chinese, its English reading ("100m yuan" for 亿元) in English.
func chartUnit(base, display string, lang Lang) string {
	if base == "ratio" {
		return "%"
	}
	if display == "" {
		display = base
	}
	if lang != LangEn {
		return display
	}
	if en, ok := enDisplayUnits[display]; ok {
		return en
	}
	u, ok := models.LookupUnit(display)
	name, known := enUnits[base]
	if !ok || !known {
		return display
	}
	b, _ := models.LookupUnit(base)
	factor := u.Factor / b.Factor
	words := map[float64]string{1: "", 1e3: "k ", 1e4: "10k ", 1e6: "million ", 1e8: "100m ", 1e12: "trillion "}
	w, ok := words[factor]
	if !ok {
		return display
	}
	return strings.TrimSpace(w + name)
}
