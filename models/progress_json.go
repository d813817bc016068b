package models

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
)

// encoding/json refuses NaN and ±Inf, and "cannot compute" is NaN in these
// result types, so they encode such a number as null and decode null back
// to NaN. Every other field encodes as encoding/json would.

// MarshalJSON encodes p with null for a NaN or infinite number.
func (p Progress) MarshalJSON() ([]byte, error) {
	type plain Progress
	return marshalNullNaN(plain(p))
}

// UnmarshalJSON decodes p, reading null or an absent number as NaN.
func (p *Progress) UnmarshalJSON(b []byte) error {
	type plain Progress
	v := plain{}
	return unmarshalNullNaN(b, &v, func() { *p = Progress(v) })
}

// MarshalJSON encodes f with null for a NaN or infinite number.
func (f Forecast) MarshalJSON() ([]byte, error) {
	type plain Forecast
	return marshalNullNaN(plain(f))
}

// UnmarshalJSON decodes f, reading null or an absent number as NaN.
func (f *Forecast) UnmarshalJSON(b []byte) error {
	type plain Forecast
	v := plain{}
	return unmarshalNullNaN(b, &v, func() { *f = Forecast(v) })
}

// MarshalJSON encodes t with null for a NaN or infinite number.
func (t TrendSummary) MarshalJSON() ([]byte, error) {
	type plain TrendSummary
	return marshalNullNaN(plain(t))
}

// UnmarshalJSON decodes t, reading null or an absent number as NaN.
func (t *TrendSummary) UnmarshalJSON(b []byte) error {
	type plain TrendSummary
	v := plain{}
	return unmarshalNullNaN(b, &v, func() { *t = TrendSummary(v) })
}

// marshalNullNaN writes the exported fields of struct v in order, under
// their json names, honouring "-" and omitempty, with null for non-finite
// float64 fields.
func marshalNullNaN(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	rt := rv.Type()
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	for i := range rt.NumField() {
		sf := rt.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, omitEmpty, skip := jsonName(sf)
		fv := rv.Field(i)
		if skip || (omitEmpty && fv.IsZero()) {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		buf.Write(key)
		buf.WriteByte(':')
		if fv.Kind() == reflect.Float64 && (math.IsNaN(fv.Float()) || math.IsInf(fv.Float(), 0)) {
			buf.WriteString("null")
			continue
		}
		enc, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, err
		}
		buf.Write(enc)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// unmarshalNullNaN presets every float64 field of *ptr to NaN, so that null
// (which encoding/json leaves untouched) and absent numbers read as NaN,
// decodes b into it and calls done on success.
func unmarshalNullNaN(b []byte, ptr any, done func()) error {
	rv := reflect.ValueOf(ptr).Elem()
	for i := range rv.NumField() {
		if f := rv.Field(i); f.Kind() == reflect.Float64 && f.CanSet() {
			f.SetFloat(math.NaN())
		}
	}
	if err := json.Unmarshal(b, ptr); err != nil {
		return err
	}
	done()
	return nil
}

func jsonName(sf reflect.StructField) (name string, omitEmpty, skip bool) {
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "", false, true
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = sf.Name
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" {
			omitEmpty = true
		}
	}
	return name, omitEmpty, false
}
