package trend

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

func line(n int, a, b float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = a + b*float64(i)
	}
	return x
}

func TestProjectStraightLine(t *testing.T) {
	tests := []struct {
		name       string
		h          History
		g          Goal
		projected  float64
		reach      time.Time
		method     string
		perYear    float64
		probHigher float64
	}{
		{
			// 3 years of monthly data: the seasonal model; y = 10 + 2i
			// reaches 100 at slot 45, October 2024.
			name:       "monthly, year-end value",
			h:          History{Start: month(2021, time.January), Period: 12, Values: line(36, 10, 2)},
			g:          Goal{Year: 2024, Target: 100, HigherIsBetter: true, Aggregate: AtEnd},
			projected:  10 + 2*47,
			reach:      month(2024, time.October),
			method:     "seasonal-sen",
			perYear:    24,
			probHigher: 1,
		},
		{
			// Two years is too short for seasons: a straight line.
			name:       "monthly, short history",
			h:          History{Start: month(2023, time.January), Period: 12, Values: line(24, 10, 2)},
			g:          Goal{Year: 2024, Target: 100, HigherIsBetter: true, Aggregate: AtEnd},
			projected:  10 + 2*23,
			reach:      month(2026, time.October),
			method:     "ols",
			perYear:    24,
			probHigher: 0,
		},
		{
			name:       "annual, mean of the year",
			h:          History{Start: month(2015, time.January), Period: 1, Values: line(9, 50, -2)},
			g:          Goal{Year: 2025, Target: 35, Aggregate: Mean},
			projected:  50 - 2*10,
			reach:      time.Date(2022, time.July, 2, 12, 0, 0, 0, time.UTC),
			method:     "ols",
			perYear:    -2,
			probHigher: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := Project(tc.h, tc.g, 0.05)
			if err != nil {
				t.Fatalf("Project: %v", err)
			}
			if math.Abs(pr.Projected-tc.projected) > 1e-9 {
				t.Errorf("Projected = %v; want %v", pr.Projected, tc.projected)
			}
			if pr.SD > 1e-9 {
				t.Errorf("SD = %v; want 0 for an exact line", pr.SD)
			}
			if d := pr.ReachDate.Sub(tc.reach); d < -time.Minute || d > time.Minute {
				t.Errorf("ReachDate = %v; want %v", pr.ReachDate, tc.reach)
			}
			if pr.Method != tc.method {
				t.Errorf("Method = %q; want %q", pr.Method, tc.method)
			}
			if math.Abs(pr.SlopePerYear-tc.perYear) > 1e-9 {
				t.Errorf("SlopePerYear = %v; want %v", pr.SlopePerYear, tc.perYear)
			}
			if pr.Probability != tc.probHigher {
				t.Errorf("Probability = %v; want %v", pr.Probability, tc.probHigher)
			}
		})
	}
}

// noisy returns a + b·i plus N(0, sd²) noise.
func noisy(r *rand.Rand, n int, a, b, sd float64) []float64 {
	x := line(n, a, b)
	for i := range x {
		x[i] += sd * r.NormFloat64()
	}
	return x
}

func TestProjectProbability(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	flat := noisy(r, 8, 5, 0, 0.3)
	tests := []struct {
		name     string
		g        Goal
		min, max float64
	}{
		{"flat below a higher-is-better target", Goal{Year: 2026, Target: 10, HigherIsBetter: true}, 0, 1e-6},
		{"flat below a lower-is-better target", Goal{Year: 2026, Target: 10}, 1 - 1e-6, 1},
		{"flat above a higher-is-better target", Goal{Year: 2026, Target: 1, HigherIsBetter: true}, 1 - 1e-6, 1},
		{"target at the flat level", Goal{Year: 2026, Target: 5, HigherIsBetter: true}, 0.2, 0.8},
	}
	h := History{Start: month(2017, time.January), Period: 1, Values: flat}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := Project(h, tc.g, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			if pr.Probability < tc.min || pr.Probability > tc.max {
				t.Errorf("Probability = %v; want in [%v, %v]", pr.Probability, tc.min, tc.max)
			}
			if pr.Lower > pr.Projected || pr.Upper < pr.Projected || pr.SD <= 0 {
				t.Errorf("interval [%v, %v] around %v with SD %v", pr.Lower, pr.Upper, pr.Projected, pr.SD)
			}
		})
	}
}

// TestProjectCumulativeFlow puts the target on the year-to-date sum: 10 a
// month reaches 100 at the end of October and ends the year at 120.
func TestProjectCumulativeFlow(t *testing.T) {
	values := make([]float64, 24+6) // 2022, 2023 and half of 2024
	for i := range values {
		values[i] = 10
	}
	h := History{Start: month(2022, time.January), Period: 12, Values: values}
	higher, err := Project(h, Goal{Year: 2024, Target: 100, HigherIsBetter: true, Aggregate: Sum}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if higher.Projected != 120 || higher.Probability != 1 {
		t.Errorf("Projected, Probability = %v, %v; want 120, 1", higher.Projected, higher.Probability)
	}
	if want := month(2024, time.November); !higher.ReachDate.Equal(want) {
		t.Errorf("ReachDate = %v; want %v", higher.ReachDate, want)
	}
	capped, err := Project(h, Goal{Year: 2024, Target: 100, Aggregate: Sum}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if capped.Probability != 0 {
		t.Errorf("cap of 100 on 120: Probability = %v; want 0", capped.Probability)
	}
}

// TestProjectSeasonalFlow checks a seasonal flow with observed months of
// the target year: observed slots count as they are.
func TestProjectSeasonalFlow(t *testing.T) {
	pattern := []float64{5, 4, 6, 8, 10, 12, 14, 13, 9, 7, 6, 6}
	var values []float64
	for y := range 4 {
		for _, p := range pattern {
			values = append(values, p+float64(y))
		}
	}
	values = values[:12*3+3] // through March of the fourth year
	h := History{Start: month(2021, time.January), Period: 12, Values: values}
	pr, err := Project(h, Goal{Year: 2024, Target: 150, HigherIsBetter: true, Aggregate: Sum}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, p := range pattern {
		want += p + 3
	}
	if math.Abs(pr.Projected-want) > 1e-9 || pr.Method != "seasonal-sen" || math.Abs(pr.SlopePerYear-1) > 1e-12 {
		t.Errorf("Projected %v, method %s, slope %v; want %v, seasonal-sen, 1", pr.Projected, pr.Method, pr.SlopePerYear, want)
	}
}

// TestProjectIntervalCoverage draws many noisy lines and checks that the
// 90 % prediction interval of the year-end value holds the realised value
// about 90 % of the time.
func TestProjectIntervalCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	const trials = 400
	hits := 0
	for range trials {
		full := noisy(r, 12, 3, 0.5, 1)
		h := History{Start: month(2013, time.January), Period: 1, Values: full[:10]}
		pr, err := Project(h, Goal{Year: 2024, Target: 0, Aggregate: AtEnd}, 0.10)
		if err != nil {
			t.Fatal(err)
		}
		if full[11] >= pr.Lower && full[11] <= pr.Upper {
			hits++
		}
	}
	if rate := float64(hits) / trials; rate < 0.85 || rate > 0.95 {
		t.Errorf("coverage = %v; want about 0.90", rate)
	}
}

func TestProjectErrors(t *testing.T) {
	ok := History{Start: month(2020, time.January), Period: 12, Values: line(24, 1, 1)}
	tests := []struct {
		name string
		h    History
		g    Goal
		want error
	}{
		{"period not dividing 12", History{Start: ok.Start, Period: 5, Values: ok.Values}, Goal{Year: 2022}, ErrHistory},
		{"start inside a quarter", History{Start: month(2020, time.February), Period: 4, Values: line(8, 1, 1)}, Goal{Year: 2022}, ErrHistory},
		{"year before the history", ok, Goal{Year: 2019}, ErrHistory},
		{"too few values", History{Start: ok.Start, Period: 12, Values: []float64{1, math.NaN(), 2}}, Goal{Year: 2021}, ErrTooFewValues},
		{"infinite target", ok, Goal{Year: 2022, Target: math.Inf(1)}, ErrValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Project(tc.h, tc.g, 0.05); !errors.Is(err, tc.want) {
				t.Errorf("Project = %v; want %v", err, tc.want)
			}
		})
	}
}

func TestMeets(t *testing.T) {
	tests := []struct {
		v, target float64
		higher    bool
		want      bool
	}{
		{10, 10, true, true}, {10, 10, false, true}, {9.9, 10, true, false}, {9.9, 10, false, true},
	}
	for _, tc := range tests {
		if got := Meets(tc.v, tc.target, tc.higher); got != tc.want {
			t.Errorf("Meets(%v, %v, %v) = %v; want %v", tc.v, tc.target, tc.higher, got, tc.want)
		}
	}
}

// TestProjectSeasonalIntervalCoverage is the coverage check for the
// seasonal Sen model, whose variance is a least-squares approximation.
func TestProjectSeasonalIntervalCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	const trials = 300
	hits := 0
	for range trials {
		full := noisy(r, 7*12, 20, 0.05, 1)
		for i := range full {
			full[i] += 3 * math.Sin(2*math.Pi*float64(i%12)/12)
		}
		h := History{Start: month(2018, time.January), Period: 12, Values: full[:5*12]}
		pr, err := Project(h, Goal{Year: 2024, Aggregate: AtEnd}, 0.10)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Method != "seasonal-sen" {
			t.Fatalf("Method = %q; want seasonal-sen", pr.Method)
		}
		if v := full[len(full)-1]; v >= pr.Lower && v <= pr.Upper {
			hits++
		}
	}
	if rate := float64(hits) / trials; rate < 0.83 || rate > 0.96 {
		t.Errorf("coverage = %v; want about 0.90", rate)
	}
}
