package water

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name         string
		cfg          SectionConfig
		values       map[string]float64
		want         Class
		wantLimiting []string
		wantReported []string
	}{
		{
			name:         "worst item decides",
			cfg:          SectionConfig{Name: "东店"},
			values:       map[string]float64{"ph": 7.75, "do": 5.70, "codmn": 5.54, "nh3n": 0.139, "tp": 0.084},
			want:         ClassIII,
			wantLimiting: []string{"do", "codmn"},
		},
		{
			name:         "class Ⅰ lists every item",
			cfg:          SectionConfig{Name: "s"},
			values:       map[string]float64{"ph": 7.3, "do": 8.13, "codmn": 1.17, "nh3n": 0.1},
			want:         ClassI,
			wantLimiting: []string{"ph", "do", "codmn", "nh3n"},
		},
		{
			name:         "pH outside 6–9 is 劣Ⅴ",
			cfg:          SectionConfig{Name: "谷家营"},
			values:       map[string]float64{"ph": 9.12, "do": 9, "codmn": 3},
			want:         ClassWorseThanV,
			wantLimiting: []string{"ph"},
		},
		{
			name:         "aliases accepted; petroleum decides",
			cfg:          SectionConfig{Name: "s"},
			values:       map[string]float64{"oil": 0.3, "s2": 0.1, "codmn": 3},
			want:         ClassIV,
			wantLimiting: []string{"petroleum"},
		},
		{
			name:         "lake: TP on lake limits, TN reported but not in the class",
			cfg:          SectionConfig{Name: "西山", WaterBody: Lake},
			values:       map[string]float64{"tp": 0.128, "tn": 2.5, "codmn": 4.36},
			want:         ClassV,
			wantLimiting: []string{"tp"},
			wantReported: []string{"tn"},
		},
		{
			name:         "river: TN has no limits and is dropped",
			cfg:          SectionConfig{Name: "s"},
			values:       map[string]float64{"tp": 0.128, "tn": 2.5},
			want:         ClassIII,
			wantLimiting: []string{"tp"},
		},
		{
			name:         "faecal coliform reported, not in the class",
			cfg:          SectionConfig{Name: "s"},
			values:       map[string]float64{"codmn": 1, "fc": 50000},
			want:         ClassI,
			wantLimiting: []string{"codmn"},
			wantReported: []string{"fecal_coliform"},
		},
		{
			name:         "items outside the 5+X are skipped",
			cfg:          SectionConfig{Name: "s", Items: []string{"ph", "do", "codmn", "nh3n", "tp"}},
			values:       map[string]float64{"codmn": 3, "cod": 45, "water_temp": -0.5},
			want:         ClassII,
			wantLimiting: []string{"codmn"},
		},
		{
			name:   "nothing measured: no class",
			cfg:    SectionConfig{Name: "s"},
			values: map[string]float64{"water_temp": 12},
			want:   ClassUnknown,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.cfg.Evaluate(Sample{Section: tc.cfg.Name, Values: tc.values})
			if err != nil {
				t.Fatalf("Evaluate() error = %v", err)
			}
			if r.Class != tc.want || !slices.Equal(r.Limiting(), tc.wantLimiting) {
				t.Errorf("Evaluate() = %s limiting %v; want %s limiting %v", r.Class, r.Limiting(), tc.want, tc.wantLimiting)
			}
			var reported []string
			for _, ir := range r.Reported {
				reported = append(reported, ir.Code)
			}
			if !slices.Equal(reported, tc.wantReported) {
				t.Errorf("Evaluate().Reported = %v; want %v", reported, tc.wantReported)
			}
			if r.Samples != 1 || r.Section != tc.cfg.Name {
				t.Errorf("Evaluate() section %q samples %d; want %q, 1", r.Section, r.Samples, tc.cfg.Name)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     SectionConfig
		values  map[string]float64
		wantErr string
	}{
		{"unknown item", SectionConfig{Name: "s"}, map[string]float64{"cond": 700},
			`section "s": item "cond": unknown item`},
		{"item twice", SectionConfig{Name: "s"}, map[string]float64{"oil": 0.1, "petroleum": 0.1},
			`section "s": item "petroleum" given as both`},
		{"negative", SectionConfig{Name: "s"}, map[string]float64{"tp": -1},
			`section "s": tp = -1: invalid value`},
		{"target 劣Ⅴ", SectionConfig{Name: "s", TargetClass: ClassWorseThanV}, nil,
			`section "s": target 劣Ⅴ类: a target must be Ⅰ–Ⅴ: invalid water class`},
		{"TN evaluated", SectionConfig{Name: "s", Items: []string{"tn"}}, nil,
			`section "s": item "tn": not a class item`},
		{"bad water body", SectionConfig{Name: "s", WaterBody: 7}, nil,
			`section "s": invalid water body: 7`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.cfg.Evaluate(Sample{Section: "s", Values: tc.values})
			if err == nil || len(err.Error()) < len(tc.wantErr) || err.Error()[:len(tc.wantErr)] != tc.wantErr {
				t.Errorf("Evaluate() error = %v; want prefix %q", err, tc.wantErr)
			}
		})
	}
}

func TestMainPollutants(t *testing.T) {
	cfg := SectionConfig{Name: "s"}
	r, err := cfg.Evaluate(Sample{Values: map[string]float64{
		"do":    2.5,  // Ⅴ, no 超标倍数
		"codmn": 12,   // Ⅴ, (12−6)/6 = 1.0
		"nh3n":  1.9,  // Ⅴ, (1.9−1)/1 = 0.9
		"tp":    0.25, // Ⅳ, 0.25
		"cod":   50,   // 劣Ⅴ, 1.5
		"bod5":  4,    // Ⅲ: not a pollutant
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.MainPollutants() {
		got = append(got, p.Code)
	}
	if want := []string{"cod", "codmn", "nh3n"}; !slices.Equal(got, want) {
		t.Errorf("MainPollutants() = %v; want %v", got, want)
	}

	r, err = cfg.Evaluate(Sample{Values: map[string]float64{"do": 3.5, "ph": 7}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.MainPollutants(); len(got) != 1 || got[0].Code != "do" || got[0].Exceedance != 0 {
		t.Errorf("MainPollutants() = %+v; want DO alone, without 超标倍数", got)
	}

	r, err = cfg.Evaluate(Sample{Values: map[string]float64{"codmn": 6}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.MainPollutants(); got != nil {
		t.Errorf("MainPollutants() of a Ⅲ section = %+v; want none", got)
	}
}

func monthly(section string, year int, values ...map[string]float64) []Sample {
	var out []Sample
	for i, v := range values {
		out = append(out, Sample{Section: section, Time: time.Date(year, time.Month(i+1), 10, 8, 0, 0, 0, beijing), Values: v})
	}
	return out
}

func TestEvaluatePeriodUsesMeanConcentration(t *testing.T) {
	// Classes Ⅰ and Ⅴ would "average" to Ⅲ; the mean concentration 8.5 is Ⅳ.
	samples := monthly("s", 2023, map[string]float64{"codmn": 2}, map[string]float64{"codmn": 15})
	cfg := SectionConfig{Name: "s"}
	r, err := cfg.EvaluatePeriod(PeriodOf(Quarter, samples[0].Time), samples)
	if err != nil {
		t.Fatal(err)
	}
	if r.Class != ClassIV || r.Items[0].Value != 8.5 || r.Samples != 2 || r.Period.String() != "2023-Q1" {
		t.Errorf("EvaluatePeriod() = %s, codmn %v, %d samples, %s; want Ⅳ, 8.5, 2, 2023-Q1", r.Class, r.Items[0].Value, r.Samples, r.Period)
	}
}

func TestEvaluatePeriodExactMeanAtLimit(t *testing.T) {
	// A float64 running sum of three monthly TP 0.1 is 0.30000000000000004,
	// whose third, 0.10000000000000002, is past the Ⅱ limit; the decimal mean
	// stays on it.
	samples := monthly("s", 2023,
		map[string]float64{"tp": 0.1, "nh3n": 0.05},
		map[string]float64{"tp": 0.1, "nh3n": 0.05},
		map[string]float64{"tp": 0.1, "nh3n": 0.05})
	r, err := SectionConfig{Name: "s"}.EvaluatePeriod(PeriodOf(Quarter, samples[0].Time), samples)
	if err != nil {
		t.Fatal(err)
	}
	if r.Class != ClassII || r.Items[1].Value != 0.1 {
		t.Errorf("EvaluatePeriod() = %s (tp mean %v); want Ⅱ (0.1)", r.Class, r.Items[1].Value)
	}
}

func TestEvaluatePeriodSelectsSamples(t *testing.T) {
	samples := []Sample{
		{Section: "a", Time: time.Date(2023, 3, 31, 23, 59, 0, 0, beijing), Values: map[string]float64{"tp": 0.05}},
		{Section: "a", Time: time.Date(2023, 4, 1, 0, 0, 0, 0, beijing), Values: map[string]float64{"tp": 0.5}},  // next quarter
		{Section: "b", Time: time.Date(2023, 2, 1, 0, 0, 0, 0, beijing), Values: map[string]float64{"tp": 0.5}},  // other section
		{Section: "a", Time: time.Date(2023, 1, 1, 0, 0, 0, 0, beijing), Values: map[string]float64{"tp": 0.15}}, // first instant
		{Section: "a", Time: time.Date(2023, 2, 1, 0, 0, 0, 0, beijing), Values: map[string]float64{"do": 6.5}},  // tp not measured
	}
	r, err := SectionConfig{Name: "a"}.EvaluatePeriod(PeriodOf(Quarter, samples[0].Time), samples)
	if err != nil {
		t.Fatal(err)
	}
	// TP mean over the two samples that measured it: (0.05 + 0.15)/2 = 0.1, Ⅱ.
	if r.Samples != 3 || r.Class != ClassII || !slices.Equal(r.Limiting(), []string{"do", "tp"}) {
		t.Errorf("EvaluatePeriod() = %d samples, %s, limiting %v; want 3, Ⅱ, [do tp]", r.Samples, r.Class, r.Limiting())
	}
}

func TestEvaluatePeriodErrors(t *testing.T) {
	one := monthly("s", 2023, map[string]float64{"tp": 0.1})
	_, err := SectionConfig{Name: "s"}.EvaluatePeriod(PeriodOf(Quarter, one[0].Time), one)
	if !errors.Is(err, ErrTooFewSamples) || err.Error() != `section "s", 2023-Q1: 1 samples, need 2: too few samples` {
		t.Errorf("EvaluatePeriod(quarter, 1 sample) error = %v", err)
	}
	bad := monthly("s", 2023, map[string]float64{"tp": math.NaN()})
	_, err = SectionConfig{Name: "s"}.EvaluatePeriod(PeriodOf(Month, bad[0].Time), bad)
	if !errors.Is(err, ErrInvalidValue) {
		t.Errorf("EvaluatePeriod(NaN) error = %v; want ErrInvalidValue", err)
	}
	if _, err := (SectionConfig{Name: "s"}).EvaluatePeriod(Period{}, one); err == nil {
		t.Error("EvaluatePeriod(zero period) error = nil; want an error")
	}
}

func TestMean(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{0.1, 0.1, 0.1}, 0.1}, // a running sum gives 0.10000000000000002
		{[]float64{0.4, 0.4, 0.4}, 0.4},
		{[]float64{0.05, 0.15}, 0.1},
		{[]float64{1e-5, 3e-5}, 2e-5},
		{[]float64{-1.5, 2.5}, 0.5},
		{[]float64{7.5}, 7.5},
		{[]float64{0.2, 0.2, 0.2, 0.2, 0.2, 0.2}, 0.2},
		{[]float64{0.8, 1.2}, 1.0},
	}
	for _, tc := range tests {
		if got := mean(tc.in); got != tc.want {
			t.Errorf("mean(%v) = %v; want %v", tc.in, got, tc.want)
		}
	}
}
