package air

import (
	"math"
	"testing"
	"time"
)

// yearOfDays returns every day of year with the same daily values, except
// that in month skip only keep days are present.
func yearOfDays(year int, v DailyValues, skip time.Month, keep int) []DatedDay {
	var days []DatedDay
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, Local()); d.Year() == year; d = d.AddDate(0, 0, 1) {
		if d.Month() == skip && d.Day() > keep {
			continue
		}
		days = append(days, DatedDay{Date: d, DayAQI: AssessDay(v)})
	}
	return days
}

func TestMonthValidity(t *testing.T) {
	clean := day(20, 40, 5, 20, 0.5, 80, 100)
	tests := []struct {
		name  string
		month time.Month
		keep  int
		valid bool
	}{
		{"26 days in March", time.March, 26, false},
		{"27 days in March", time.March, 27, true},
		{"24 days in February", time.February, 24, false},
		{"25 days in February", time.February, 25, true},
	}
	for _, tt := range tests {
		if got := MonthValid(tt.month, tt.keep); got != tt.valid {
			t.Errorf("%s: MonthValid = %v", tt.name, got)
		}
		s := AssessYear(2015, yearOfDays(2015, clean, tt.month, tt.keep))
		for st := Statistic(0); st < NumStatistics; st++ {
			if s.Stats[st].Valid != tt.valid {
				t.Errorf("%s: %s valid = %v, want %v", tt.name, st, s.Stats[st].Valid, tt.valid)
			}
		}
		if s.Known != tt.valid || (tt.valid && !s.MeetsClass2) {
			t.Errorf("%s: verdict known %v meets %v", tt.name, s.Known, s.MeetsClass2)
		}
	}
}

func TestYearNeeds324Days(t *testing.T) {
	// 27 days in each 31-day month, 25 in February, 27 in 30-day months:
	// 7·27 + 25 + 4·27 = 322 days; adding 2 reaches 324.
	perMonth := [13]int{0, 27, 25, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27}
	if YearValid(perMonth) {
		t.Errorf("322 days valid")
	}
	perMonth[1] = 28 // 323
	if YearValid(perMonth) {
		t.Errorf("323 days valid")
	}
	perMonth[3] = 28 // 324
	if !YearValid(perMonth) {
		t.Errorf("324 days with every month valid is not valid")
	}
}

func TestPercentileHJ663(t *testing.T) {
	x := []float64{4, 1, 3, 2}
	tests := []struct {
		p, want float64
	}{
		{0.9, 3.7}, // k = 1 + 3·0.9 = 3.7: X3 + 0.7(X4 − X3)
		{0.95, 3.85},
		{0, 1},
		{1, 4}, // s = n
		{0.5, 2.5},
	}
	for _, tt := range tests {
		if got := Percentile(x, tt.p); !got.Valid || math.Abs(got.V-tt.want) > 1e-12 {
			t.Errorf("Percentile(%v) = %+v, want %v", tt.p, got, tt.want)
		}
	}
	if Percentile(nil, 0.9).Valid {
		t.Errorf("percentile of nothing is valid")
	}
	if got := Percentile([]float64{7}, 0.95); got.V != 7 {
		t.Errorf("one value: %+v", got)
	}
}

func TestRoundHalfEvenBeforeLimits(t *testing.T) {
	tests := []struct {
		st   Statistic
		v    float64
		want float64
	}{
		{StatPM10, 70.5, 70},
		{StatPM10, 71.5, 72},
		{StatPM10, 70.51, 71},
		{StatPM25, 35.05, 35.0},
		{StatPM25, 35.15, 35.2},
		{StatPM25, 32.04, 32.0},
		{StatCOP95, 4.05, 4.0},
		{StatO3P90, 160.5, 160},
	}
	for _, tt := range tests {
		if got := tt.st.Reported(tt.v); got != tt.want {
			t.Errorf("%s %v reported %v, want %v", tt.st, tt.v, got, tt.want)
		}
	}
	// pm10 70.5 meets 70, 70.51 does not.
	at := day(20, 70.5, 5, 20, 0.5, 80, 100)
	if s := AssessYear(2015, yearOfDays(2015, at, 0, 0)); !s.Known || !s.MeetsClass2 {
		t.Errorf("pm10 70.5: %+v; want 达标", s)
	}
	at[PM10].V = 70.51
	if s := AssessYear(2015, yearOfDays(2015, at, 0, 0)); !s.Known || s.MeetsClass2 {
		t.Errorf("pm10 70.51: %+v; want 未达标", s)
	}
}

func TestSummarizeCounts(t *testing.T) {
	d0 := time.Date(2016, 1, 1, 0, 0, 0, 0, Local())
	days := []DatedDay{
		{d0, AssessDay(day(75, 10, 10, 10, 0.5, 50, 50))},                          // 100 good
		{d0.AddDate(0, 0, 1), AssessDay(day(75.01, 10, 10, 10, 0.5, 50, 50))},      // 101
		{d0.AddDate(0, 0, 2), AssessDay(day(150.01, 10, 10, 10, 0.5, 50, 50))},     // 201 heavy
		{d0.AddDate(0, 0, 3), AssessDay(DailyValues{PM25: {V: 300, Valid: true}})}, // no AQI
	}
	s := Summarize(days)
	if s.ValidDays != 3 || s.GoodDays != 1 || s.HeavyDays != 1 || s.GoodRatio.V != 1.0/3 {
		t.Errorf("Summarize = %+v", s)
	}
	if want := (75 + 75.01 + 150.01 + 300) / 4; math.Abs(s.Stats[StatPM25].V-want) > 1e-9 {
		t.Errorf("pm25 mean %v, want %v (every valid daily value, AQI or not)", s.Stats[StatPM25].V, want)
	}
	if Summarize(days[3:]).GoodRatio.Valid {
		t.Errorf("good ratio without valid days")
	}
}

func TestRegionDaily(t *testing.T) {
	a := day(100, 200, 10, 40, 1, 80, 100)
	b := day(50, 100, 20, 60, 2, 120, 140)
	c := DailyValues{PM25: {V: 150, Valid: true}} // only pm25 valid
	r := RegionDaily([]DailyValues{a, b, c})
	if r[PM25].V != 100 || r[PM10].V != 150 || r[SO2].V != 15 || r[O3_8h].V != 100 || r[O3_1h].V != 120 {
		t.Errorf("RegionDaily = %+v", r)
	}
	if got := RegionDaily([]DailyValues{c}); got[PM10].Valid || !got[PM25].Valid {
		t.Errorf("one valid station: %+v", got)
	}
}
