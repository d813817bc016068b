package models

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestProgressJSONNaNIsNull(t *testing.T) {
	asOf := time.Date(2024, 6, 15, 0, 0, 0, 0, Shanghai)
	p := Progress{
		Indicator: "energy_intensity", Year: 2024, AsOf: asOf, Actual: 0.31, Target: math.NaN(),
		TargetBasis: "municipal", Completion: math.NaN(), TimeProgress: 0.5, Pace: math.NaN(),
		Status: StatusMunicipal, Gap: math.NaN(), MoM: math.Inf(1), YoY: -0.02, YTDYoY: math.NaN(),
		PriorYear: math.NaN(), YearStart: math.NaN(), SinceYearStart: math.NaN(), Latest: 0.31,
		PeriodValue: 0.31, Observations: 1,
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal(Progress with NaN) = %v", err)
	}
	s := string(b)
	for _, want := range []string{`"target":null`, `"completion":null`, `"mom":null`, `"yoy":-0.02`, `"status":"municipal"`, `"actual":0.31`} {
		if !strings.Contains(s, want) {
			t.Errorf("json.Marshal(Progress) = %s; want it to contain %s", s, want)
		}
	}
	var back Progress
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if !math.IsNaN(back.Target) || !math.IsNaN(back.MoM) || back.YoY != -0.02 || back.Actual != 0.31 || !back.AsOf.Equal(asOf) {
		t.Errorf("round trip = %+v; want NaN target and MoM, YoY −0.02, actual 0.31", back)
	}
}

// TestResultJSONCoversEveryField guards the reflective encoder: every
// exported field must appear under its json name, so a field added later
// cannot silently vanish from the report's JSON.
func TestResultJSONCoversEveryField(t *testing.T) {
	for _, v := range []any{Progress{}, Forecast{}, TrendSummary{Entity: "x"}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T) = %v", v, err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := jsonName(rt.Field(i))
			if _, ok := m[name]; !ok {
				t.Errorf("json.Marshal(%T) lacks field %q: %s", v, name, b)
			}
		}
	}
}

func TestForecastAndTrendJSON(t *testing.T) {
	f := Forecast{Indicator: "x", Projected: 1.5, Lower: math.NaN(), Upper: math.NaN(), ProbabilityMeet: math.NaN()}
	b, err := json.Marshal(f)
	if err != nil || !strings.Contains(string(b), `"probability_meet":null`) {
		t.Errorf("json.Marshal(Forecast) = %s, %v; want probability_meet null", b, err)
	}
	tr := TrendSummary{Indicator: "x", P: math.NaN(), SlopePerYear: 0.1}
	b, err = json.Marshal(tr)
	if err != nil || !strings.Contains(string(b), `"p":null`) || strings.Contains(string(b), `"entity"`) {
		t.Errorf("json.Marshal(TrendSummary) = %s, %v; want p null and entity omitted when empty", b, err)
	}
	var back TrendSummary
	if err := json.Unmarshal([]byte(`{"indicator":"x","p":null}`), &back); err != nil || !math.IsNaN(back.P) || !math.IsNaN(back.SlopePerYear) {
		t.Errorf("json.Unmarshal(null p, absent slope) = %+v, %v; want both NaN", back, err)
	}
}
