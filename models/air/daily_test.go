package air

import (
	"math"
	"testing"
)

// hoursFrom returns a day whose hours first … last hold v, the rest invalid.
func hoursFrom(first, last int, v float64) Hours {
	h := NoHours()
	for i := first; i <= last; i++ {
		h.Set(i, v)
	}
	return h
}

func TestMean24ValidHours(t *testing.T) {
	tests := []struct {
		name  string
		hours Hours
		want  Value
	}{
		{"19 valid hours", hoursFrom(0, 18, 10), Value{}},
		{"20 valid hours", hoursFrom(0, 19, 10), Value{V: 10, Valid: true}},
		{"24 valid hours", hoursFrom(0, 23, 7), Value{V: 7, Valid: true}},
	}
	for _, tt := range tests {
		if got := Mean24(tt.hours); got != tt.want {
			t.Errorf("%s: Mean24 = %+v, want %+v", tt.name, got, tt.want)
		}
		if got := MaxO3_1h(tt.hours); got != tt.want {
			t.Errorf("%s: MaxO3_1h = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestNegativeAndNaNAreNotMeasurements(t *testing.T) {
	h := hoursFrom(0, 19, 10)
	h.Set(20, -1)
	h.Set(21, math.NaN())
	h.Set(22, math.Inf(1))
	h[0] = math.NaN() // 19 valid hours left
	if got := Mean24(h); got.Valid {
		t.Errorf("Mean24 with 19 valid hours and 3 non-measurements = %+v, want invalid", got)
	}
}

func TestMovingO3_8hHoursInWindow(t *testing.T) {
	tests := []struct {
		name  string
		hours Hours
		want  Value
	}{
		// The window ending at 07 covers 00 … 07.
		{"5 of 8 hours", hoursFrom(3, 7, 80), Value{}},
		{"6 of 8 hours", hoursFrom(2, 7, 80), Value{V: 80, Valid: true}},
		{"8 of 8 hours", hoursFrom(0, 7, 80), Value{V: 80, Valid: true}},
	}
	for _, tt := range tests {
		if got := MovingO3_8h(tt.hours, 7); got != tt.want {
			t.Errorf("%s: MovingO3_8h = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// The mean is of the valid hours only.
	h := hoursFrom(10, 17, 100)
	h[12], h[13] = math.NaN(), math.NaN()
	h[17] = 160
	if got, want := MovingO3_8h(h, 17), (5*100.0+160)/6; got.V != want || !got.Valid {
		t.Errorf("MovingO3_8h = %+v, want %v", got, want)
	}
}

func TestMaxO3_8hWindows(t *testing.T) {
	// Hours 00 … H valid: the windows ending at 07 … H+2 have ≥ 6 hours,
	// so H = 17 gives 13 windows, H = 18 gives 14.
	tests := []struct {
		name  string
		last  int
		valid bool
	}{
		{"13 valid windows", 17, false},
		{"14 valid windows", 18, true},
	}
	for _, tt := range tests {
		h := hoursFrom(0, tt.last, 50)
		n := 0
		for end := 7; end < 24; end++ {
			if MovingO3_8h(h, end).Valid {
				n++
			}
		}
		if got := MaxO3_8h(h); got.Valid != tt.valid || n != map[bool]int{false: 13, true: 14}[tt.valid] {
			t.Errorf("%s: %d windows, MaxO3_8h = %+v, want valid %v", tt.name, n, got, tt.valid)
		}
	}
	// The maximum: a morning peak outside the 17 windows' ends still counts
	// through the windows that contain it.
	h := hoursFrom(0, 23, 40)
	for i := 12; i < 20; i++ {
		h[i] = 120
	}
	if got := MaxO3_8h(h); !got.Valid || got.V != 120 {
		t.Errorf("MaxO3_8h = %+v, want 120", got)
	}
}

func TestDailyNeedsBothO3Values(t *testing.T) {
	d := Daily(Day{"o3": hoursFrom(0, 18, 60)}) // 19 hours: 8h valid (14 windows), 1h not
	if !d[O3_8h].Valid || d[O3_1h].Valid {
		t.Fatalf("o3 with 19 hours: o3_8h %+v, o3_1h %+v", d[O3_8h], d[O3_1h])
	}
	full := Day{}
	for _, p := range Pollutants {
		full[p] = hoursFrom(0, 23, 1)
	}
	full["o3"] = hoursFrom(0, 18, 60)
	if a := AssessDay(Daily(full)); a.Valid {
		t.Errorf("AQI valid without o3_1h: %+v", a)
	}
	full["o3"] = hoursFrom(0, 19, 60)
	if a := AssessDay(Daily(full)); !a.Valid {
		t.Errorf("AQI invalid with all six: %+v", a)
	}
}
