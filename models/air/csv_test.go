package air

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestReadLong(t *testing.T) {
	in := "\ufefftime,indicator,entity,value,unit\n" +
		"2016-12-01T00:00:00+08:00,pm25,东四,9,ug/m3\n" +
		"2016-12-01 01:00,pm25,东四,11,\n" + // local time, catalogue unit
		"2016-11-30T17:00:00Z,co,东四,1600,ug/m3\n" + // 01:00 local
		"2016-12-01T03:00:00+08:00,co,东四,1.2,\n" +
		"2016-12-01T04:00:00+08:00,pm25,东四,-3,ug/m3\n" + // not a measurement
		"2016-12-01T05:00:00+08:00,pm25,东四,NA,ug/m3\n" +
		"2016-12-01T06:00:00+08:00,pm25,东四,,\n" +
		"2016-12-01T00:00:00+08:00,pm25,东四,9,ug/m3\n" + // same again: ignored
		"2016-12-01T00:00:00+08:00,pm25,东四,10,ug/m3\n" + // conflicting
		"2016-12-01T07:30:00+08:00,pm25,东四,10,ug/m3\n" +
		"yesterday,pm25,东四,10,ug/m3\n" +
		"2016-12-01T08:00:00+08:00,temp,东四,10,degC\n" +
		"2016-12-01T08:00:00+08:00,pm25,东四,10,mg/L\n" +
		"2016-12-01T08:00:00+08:00,pm25,,10,ug/m3\n" +
		"2016-12-02T00:00:00+08:00,o3,天坛,30,ug/m3\n"
	h, rowErrs, err := ReadLong(strings.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []struct {
		line  int
		field string
		is    error
	}{
		{10, "value", ErrConflictingRow},
		{11, "time", ErrNotOnTheHour},
		{12, "time", ErrBadTime},
		{13, "indicator", ErrNotPollutant},
		{14, "unit", nil},
		{15, "entity", ErrEmptyEntity},
	}
	if len(rowErrs) != len(wantErrs) {
		t.Fatalf("row errors %v, want %d", rowErrs, len(wantErrs))
	}
	for i, w := range wantErrs {
		e := rowErrs[i]
		if e.Line != w.line || e.Field != w.field || (w.is != nil && !errors.Is(e, w.is)) {
			t.Errorf("error %d = %v, want line %d field %s %v", i, e, w.line, w.field, w.is)
		}
	}
	dec1 := time.Date(2016, 12, 1, 0, 0, 0, 0, Local())
	d := h["东四"][dec1]
	pm := d["pm25"]
	if pm[0] != 9 || pm[1] != 11 || !math.IsNaN(pm[4]) || !math.IsNaN(pm[5]) || !math.IsNaN(pm[6]) {
		t.Errorf("pm25 hours %v", pm)
	}
	co := d["co"]
	if co[1] != 1.6 || co[3] != 1.2 {
		t.Errorf("co hours %v; want 1.6 mg/m³ at 01 and 1.2 at 03", co)
	}
	if got := h.Stations(); len(got) != 2 || got[0] != "东四" {
		t.Errorf("stations %v", got)
	}
	if got := h.Dates("天坛"); len(got) != 1 || !got[0].Equal(dec1.AddDate(0, 0, 1)) {
		t.Errorf("dates %v", got)
	}
}

func TestReadLongHeader(t *testing.T) {
	for _, in := range []string{"", "time,indicator,value\n", "a,b\n1,2\n"} {
		if _, _, err := ReadLong(strings.NewReader(in), nil); err == nil {
			t.Errorf("ReadLong(%q) read a file without a usable header", in)
		}
	}
	// Column order and the aliases of the reference files.
	h, errs, err := ReadLong(strings.NewReader("timestamp,entity,indicator,value\n2016-12-01T00:00:00+08:00,BJ-Dongsi,so2,5\n"), nil)
	if err != nil || len(errs) != 0 || h["BJ-Dongsi"][time.Date(2016, 12, 1, 0, 0, 0, 0, Local())]["so2"][0] != 5 {
		t.Errorf("reordered columns: %v %v %v", h, errs, err)
	}
}

func TestParseHour(t *testing.T) {
	want := time.Date(2024, 6, 1, 13, 0, 0, 0, Local())
	for _, s := range []string{"2024-06-01T13:00:00+08:00", "2024-06-01 13:00:00+08:00", "2024-06-01T05:00:00Z",
		"2024-06-01T13:00+08:00", "2024-06-01 13:00", "2024-06-01 13:00:00", "2024-06-01T13:00"} {
		if got, err := ParseHour(s); err != nil || !got.Equal(want) || got.Location() != Local() {
			t.Errorf("ParseHour(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2024-06-01", "13:00", "2024-06-01 13:00:01", "2024-06-01T13:30:00+08:00", "2024-06-01T13:00:00+05:30"} {
		if _, err := ParseHour(s); err == nil {
			t.Errorf("ParseHour(%q) accepted", s)
		}
	}
}

func FuzzReadLong(f *testing.F) {
	f.Add("time,indicator,entity,value,unit\n2016-12-01T00:00:00+08:00,pm25,A,9,ug/m3\n")
	f.Add("time,indicator,entity,value\n2016-12-01 23:00,co,A,1.5\n2016-12-01 23:00,co,A,\"x\n")
	f.Add("timestamp,entity,indicator,value,unit\n2016-12-01T00:00:00+08:00,A,o3,1e400,mg/m3\n,,,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		h, rowErrs, err := ReadLong(strings.NewReader(in), nil)
		if err != nil {
			return
		}
		for _, e := range rowErrs {
			if e.Line < 1 || e.Error() == "" {
				t.Fatalf("row error without a line: %v", e)
			}
		}
		for _, station := range h.Stations() {
			for _, date := range h.Dates(station) {
				if date.Hour() != 0 || date.Location() != Local() {
					t.Fatalf("date %v is not local midnight", date)
				}
				for p, hours := range h[station][date] {
					for _, v := range hours {
						if !math.IsNaN(v) && !Measured(v) {
							t.Fatalf("%s %s: stored %v, not a measurement", station, p, v)
						}
					}
				}
				a := AssessDay(Daily(h[station][date]))
				if a.Valid && (a.AQI < 0 || a.AQI > MaxIAQI || a.Level < 1) {
					t.Fatalf("AQI %d level %d", a.AQI, a.Level)
				}
			}
		}
	})
}
