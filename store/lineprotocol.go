package store

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Measurements of the schema (docs/schema.md).
const (
	// MeasurementFigure holds every reported figure: tags indicator and
	// entity (absent for the district's own figures), fields value
	// (float64) and provider (string). One series per indicator and entity,
	// one point per period: a later write of the same period supersedes the
	// earlier one, whichever provider sent it.
	MeasurementFigure = "figure"
	// MeasurementDerived holds the figures the analysis engine derives,
	// with the same tags and fields as MeasurementFigure. They live apart
	// so that a derived figure can never overwrite a reported one: readers
	// take the reported figure of a period when both exist.
	MeasurementDerived = "derived"
	// MeasurementLegacyObservation is the schema-1 measurement (tags
	// indicator, entity, source; field value) that `greenmetrics migrate`
	// copies into MeasurementFigure and MeasurementDerived.
	MeasurementLegacyObservation = "observation"
)

// Measurements of the analysis engine's results besides its derived
// figures (docs/schema.md): written by package metrics through
// WritePoints, read by Grafana panels.
const (
	MeasurementProgress      = "progress"
	MeasurementForecast      = "forecast"
	MeasurementTrend         = "trend"
	MeasurementWaterSection  = "water_section"
	MeasurementWaterDistrict = "water_district"
	// MeasurementCarbon records, per month and activity line, the factor
	// behind each derived co2_emissions figure.
	MeasurementCarbon = "carbon"
)

// Tag and field keys of MeasurementFigure and MeasurementDerived.
const (
	TagIndicator  = "indicator"
	TagEntity     = "entity"
	FieldValue    = "value"
	FieldProvider = "provider"
	// TagLegacySource is schema 1's provider tag.
	TagLegacySource = "source"
)

// Point is one row of any measurement. Field values are float64 or string;
// numbers are always float64 so a field never changes type (a type
// conflict makes InfluxDB drop the point).
type Point struct {
	Measurement string
	Tags        map[string]string
	Fields      map[string]any
	Time        time.Time
}

// MeasurementOf is where a figure is stored: derived figures apart from
// reported ones.
func MeasurementOf(o models.Observation) string {
	if models.IsDerivedProvider(o.Provider) {
		return MeasurementDerived
	}
	return MeasurementFigure
}

// ObservationPoint is the point a figure is stored as.
func ObservationPoint(o models.Observation) Point {
	tags := map[string]string{TagIndicator: o.Indicator}
	if o.Entity != "" {
		tags[TagEntity] = o.Entity
	}
	fields := map[string]any{FieldValue: o.Value, FieldProvider: o.Provider}
	return Point{Measurement: MeasurementOf(o), Tags: tags, Fields: fields, Time: o.Time}
}

// AppendObservation appends the line-protocol line of o to dst, without a
// trailing newline. It is the hot path of ingestion, so it avoids the map
// of Point. The observation must have passed models.Observation.Validate.
// The provider is always written, even when empty, so that a superseding
// write never leaves the previous write's provider in place (InfluxDB
// merges the fields of points with the same series and time).
func AppendObservation(dst []byte, o models.Observation) []byte {
	dst = append(dst, MeasurementOf(o)...)
	// Tag keys in sorted order (entity < indicator), as InfluxDB prefers
	// for its series key.
	if o.Entity != "" {
		dst = append(dst, ",entity="...)
		dst = appendEscaped(dst, o.Entity, tagEscapes)
	}
	dst = append(dst, ",indicator="...)
	dst = appendEscaped(dst, o.Indicator, tagEscapes)
	dst = append(dst, " provider=\""...)
	dst = appendEscaped(dst, o.Provider, fieldStringEscapes)
	dst = append(dst, "\",value="...)
	dst = appendFloat(dst, o.Value)
	dst = append(dst, ' ')
	return strconv.AppendInt(dst, o.Time.Unix(), 10)
}

// EncodePoint returns the line-protocol line of p (second precision).
func EncodePoint(p Point) (string, error) {
	if p.Measurement == "" || len(p.Fields) == 0 {
		return "", fmt.Errorf("point needs a measurement and at least one field")
	}
	var b []byte
	b = appendEscaped(b, p.Measurement, measurementEscapes)
	for _, k := range slices.Sorted(maps.Keys(p.Tags)) {
		if p.Tags[k] == "" {
			continue // InfluxDB has no empty tag values; absence reads back as "".
		}
		b = append(b, ',')
		b = appendEscaped(b, k, tagEscapes)
		b = append(b, '=')
		b = appendEscaped(b, p.Tags[k], tagEscapes)
	}
	b = append(b, ' ')
	for i, k := range slices.Sorted(maps.Keys(p.Fields)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEscaped(b, k, tagEscapes)
		b = append(b, '=')
		switch v := p.Fields[k].(type) {
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return "", fmt.Errorf("field %s: %w", k, models.ErrNonFinite)
			}
			b = appendFloat(b, v)
		case string:
			b = append(b, '"')
			b = appendEscaped(b, v, fieldStringEscapes)
			b = append(b, '"')
		case bool:
			b = strconv.AppendBool(b, v)
		default:
			return "", fmt.Errorf("field %s: unsupported type %T", k, v)
		}
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, p.Time.Unix(), 10)
	return string(b), nil
}

// appendFloat writes a float that InfluxDB reads back as a float: a value
// with no '.' or exponent would still be a float (no 'i' suffix), and 'g'
// keeps 3e10 and 1e-9 short and exact.
func appendFloat(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

// The bytes line protocol escapes with a backslash, per element.
var (
	tagEscapes         = escapeSet(",= ")
	measurementEscapes = escapeSet(", ")
	fieldStringEscapes = escapeSet("\"\\")
)

// escapes marks the bytes an element escapes.
type escapes [256]bool

func escapeSet(chars string) *escapes {
	var e escapes
	for i := 0; i < len(chars); i++ {
		e[chars[i]] = true
	}
	return &e
}

// appendEscaped appends s with a backslash before each byte of esc. It
// runs for every tag of every point the spool encodes, so it allocates
// nothing (a strings.Replacer would, once per escaped value) and looks
// each byte up in a table (strings.ContainsAny builds its set per call).
func appendEscaped(dst []byte, s string, esc *escapes) []byte {
	i := 0
	for i < len(s) && !esc[s[i]] {
		i++
	}
	dst = append(dst, s[:i]...)
	for ; i < len(s); i++ {
		if esc[s[i]] {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return dst
}
