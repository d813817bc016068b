package air

import (
	"reflect"
	"testing"
)

func TestIAQIAtAndJustAboveBreakpoints(t *testing.T) {
	for f := Field(0); f < NumFields; f++ {
		bp := breakpoints[f]
		for i := 1; i < len(bp); i++ {
			if got, ok := IAQI(f, bp[i]); !ok || got != int(iaqiSteps[i]) {
				t.Errorf("IAQI(%s, %v) = %d, %v; want %v", f, bp[i], got, ok, iaqiSteps[i])
			}
			// Just above a breakpoint the index is the next integer (进位取整),
			// except above the last row.
			above := bp[i] + (bp[i]-bp[i-1])*1e-4
			want := int(iaqiSteps[i]) + 1
			wantOK := true
			if i == len(bp)-1 {
				want = MaxIAQI
				if f == O3_8h {
					want, wantOK = 0, false
				}
			}
			if got, ok := IAQI(f, above); ok != wantOK || got != want {
				t.Errorf("IAQI(%s, %v) = %d, %v; want %d, %v", f, above, got, ok, want, wantOK)
			}
		}
	}
}

func TestIAQIRounding(t *testing.T) {
	tests := []struct {
		f    Field
		c    float64
		want int
	}{
		{CO, 2.2, 55},     // exact 55: float noise must not give 56
		{PM25, 35.01, 51}, // 50.0125 → 51
		{PM25, 0, 0},      // zero stays zero
		{PM25, 92.4, 122}, // 121.75
		{PM10, 130.1, 91}, // 90.05
		{NO2, 60.5, 76},   // 75.625
		{SO2, 12, 12},     // exact
		{O3_8h, 40.2, 21}, // 20.1
		{PM25, 600, 500},  // above the last breakpoint
		{SO2, 1e6, 500},   // far above
		{O3_1h, 1200.5, 500},
	}
	for _, tt := range tests {
		if got, ok := IAQI(tt.f, tt.c); !ok || got != tt.want {
			t.Errorf("IAQI(%s, %v) = %d, %v; want %d", tt.f, tt.c, got, ok, tt.want)
		}
	}
}

// day returns daily values with every field valid at the given
// concentrations (pm25, pm10, so2, no2, co, o3_8h, o3_1h).
func day(c ...float64) DailyValues {
	var v DailyValues
	for i, x := range c {
		v[i] = Value{V: x, Valid: true}
	}
	return v
}

func TestO3EightHourAbove800UsesOneHourIndex(t *testing.T) {
	at := AssessDay(day(10, 10, 10, 10, 0.5, 800, 850))
	if at.IAQI[O3_8h] != 300 || at.AQI != 325 {
		t.Errorf("o3_8h 800: IAQI %d, AQI %d; want 300 and the 1h 325", at.IAQI[O3_8h], at.AQI)
	}
	above := AssessDay(day(10, 10, 10, 10, 0.5, 800.5, 850))
	if !above.IAQIValid[O3_8h] || above.IAQI[O3_8h] != 325 || above.AQI != 325 {
		t.Errorf("o3_8h 800.5: IAQI %d (valid %v), AQI %d; want the 1h IAQI 325", above.IAQI[O3_8h], above.IAQIValid[O3_8h], above.AQI)
	}
	if !reflect.DeepEqual(above.Primary, []string{"o3"}) || above.Level != 6 {
		t.Errorf("primary %v level %d; want [o3] once and 6", above.Primary, above.Level)
	}
}

func TestAQIFiftyFiftyOne(t *testing.T) {
	fifty := AssessDay(day(35, 10, 10, 10, 0.5, 50, 50))
	if fifty.AQI != 50 || fifty.Level != 1 || len(fifty.Primary) != 0 || !fifty.Good() {
		t.Errorf("AQI 50: %+v; want level 1 (优) and no primary pollutant", fifty)
	}
	fiftyOne := AssessDay(day(35.01, 10, 10, 10, 0.5, 50, 50))
	if fiftyOne.AQI != 51 || fiftyOne.Level != 2 || !reflect.DeepEqual(fiftyOne.Primary, []string{"pm25"}) {
		t.Errorf("AQI 51: %+v; want level 2 (良), primary [pm25]", fiftyOne)
	}
}

func TestLevels(t *testing.T) {
	for aqi, want := range map[int]Level{0: 1, 50: 1, 51: 2, 100: 2, 101: 3, 150: 3, 151: 4, 200: 4, 201: 5, 300: 5, 301: 6, 500: 6} {
		if got := LevelOf(aqi); got != want {
			t.Errorf("LevelOf(%d) = %d, want %d", aqi, got, want)
		}
	}
	if Level(5).String() != "重度污染" {
		t.Errorf("level 5 = %s", Level(5))
	}
	heavy := AssessDay(day(150.01, 10, 10, 10, 0.5, 50, 50))
	if heavy.AQI != 201 || !heavy.Heavy() || heavy.Good() {
		t.Errorf("AQI 201: %+v; want heavy", heavy)
	}
	if AssessDay(day(150, 10, 10, 10, 0.5, 50, 50)).Heavy() {
		t.Errorf("AQI 200 counted as heavy")
	}
}

func TestPrimaryPollutantTies(t *testing.T) {
	tests := []struct {
		name string
		v    DailyValues
		want []string
	}{
		// pm25 75 and pm10 150 are both IAQI 100.
		{"pm25 and pm10", day(75, 150, 10, 10, 0.5, 50, 50), []string{"pm25", "pm10"}},
		// o3_8h 160 and o3_1h 200 are both IAQI 100: o3 once.
		{"both O3 values", day(10, 10, 10, 10, 0.5, 160, 200), []string{"o3"}},
		// no2 80 (100) ties with o3_1h 200 (100).
		{"no2 and o3", day(10, 10, 10, 80, 0.5, 100, 200), []string{"no2", "o3"}},
		{"all but so2", day(75, 150, 10, 80, 4, 160, 200), []string{"pm25", "pm10", "no2", "co", "o3"}},
	}
	for _, tt := range tests {
		got := AssessDay(tt.v)
		if got.AQI != 100 || !reflect.DeepEqual(got.Primary, tt.want) {
			t.Errorf("%s: AQI %d primary %v; want 100 %v", tt.name, got.AQI, got.Primary, tt.want)
		}
	}
}

func TestAQIInvalidWithAnyPollutantMissing(t *testing.T) {
	for f := Field(0); f < NumFields; f++ {
		v := day(200, 10, 10, 10, 0.5, 50, 50)
		v[f] = Value{}
		got := AssessDay(v)
		if got.Valid || got.Level != 0 || got.Primary != nil {
			t.Errorf("without %s: %+v; want no AQI", f, got)
		}
		if f != PM25 && got.IAQI[PM25] != 250 {
			t.Errorf("without %s: the valid values keep their IAQI, pm25 %d", f, got.IAQI[PM25])
		}
	}
}
