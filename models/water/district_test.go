package water

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// synthSection is a synthetic section whose monthly values alternate
// between two levels, so that the annual mean of each item is known exactly.
type synthSection struct {
	name   string
	target Class
	pairs  map[string][2]float64 // odd months, even months
	spike  map[time.Month]map[string]float64
	want   Class // class of the annual means
}

func (s synthSection) samples(year int) []Sample {
	var out []Sample
	for m := time.January; m <= time.December; m++ {
		v := make(map[string]float64, len(s.pairs))
		for code, p := range s.pairs {
			v[code] = p[(int(m)+1)%2]
		}
		for code, x := range s.spike[m] {
			v[code] = x
		}
		out = append(out, Sample{Section: s.name, Time: time.Date(year, m, 12, 10, 0, 0, 0, beijing), Values: v})
	}
	return out
}

// seedSections are eight synthetic 国市控 sections, four at Ⅲ or better and
// four at Ⅳ by their 2023 annual means. They are not Tongzhou's real sections,
// whose data this project does not have.
var seedSections = []synthSection{
	{name: "断面A", target: ClassIII, want: ClassII, pairs: map[string][2]float64{
		"ph": {7.9, 7.5}, "do": {8.9, 7.1}, "codmn": {3.6, 2.8}, "nh3n": {0.42, 0.18}, "tp": {0.09, 0.05}}},
	{name: "断面B", target: ClassIII, want: ClassIII, pairs: map[string][2]float64{
		"ph": {8.1, 7.7}, "do": {7.0, 5.4}, "codmn": {5.9, 4.1}, "nh3n": {0.6, 0.4}, "tp": {0.16, 0.12}}},
	// Months alternate Ⅳ and Ⅱ on CODMn; the mean 5.4 is Ⅲ.
	{name: "断面C", target: ClassIII, want: ClassIII, pairs: map[string][2]float64{
		"ph": {7.6, 7.4}, "do": {6.8, 6.2}, "codmn": {7.2, 3.6}, "nh3n": {0.35, 0.25}, "tp": {0.11, 0.09}}},
	// TP means exactly the Ⅲ limit 0.2: still Ⅲ.
	{name: "断面D", target: ClassIV, want: ClassIII, pairs: map[string][2]float64{
		"ph": {8.0, 7.8}, "do": {7.9, 6.5}, "codmn": {4.4, 3.2}, "nh3n": {0.7, 0.5}, "tp": {0.25, 0.15}}},
	{name: "断面E", target: ClassIV, want: ClassIV, pairs: map[string][2]float64{
		"ph": {7.8, 7.6}, "do": {6.1, 5.3}, "codmn": {9.8, 8.2}, "nh3n": {0.9, 0.7}, "tp": {0.19, 0.17}}},
	// One January spike (劣Ⅴ NH3-N) lifts the annual mean to Ⅳ, although
	// eleven months are Ⅲ: averaging classes would say Ⅲ.
	{name: "断面F", target: ClassIV, want: ClassIV, pairs: map[string][2]float64{
		"ph": {7.5, 7.3}, "do": {6.6, 6.0}, "codmn": {5.0, 4.6}, "nh3n": {0.9, 0.9}, "tp": {0.15, 0.13}},
		spike: map[time.Month]map[string]float64{time.January: {"nh3n": 2.5}}},
	{name: "断面G", target: ClassIV, want: ClassIV, pairs: map[string][2]float64{
		"ph": {7.7, 7.1}, "do": {4.2, 5.6}, "codmn": {5.5, 4.5}, "nh3n": {0.8, 0.6}, "tp": {0.32, 0.26}}},
	// Months alternate Ⅴ and Ⅳ on CODMn; the mean 9.4 is Ⅳ.
	{name: "断面H", target: ClassIV, want: ClassIV, pairs: map[string][2]float64{
		"ph": {7.9, 7.7}, "do": {5.8, 5.2}, "codmn": {11.5, 7.3}, "nh3n": {1.2, 0.8}, "tp": {0.22, 0.18}}},
}

// TestSeedSentence reproduces "8个国市控考核断面水质全部达到Ⅳ类以上，其中4个实现Ⅲ类水质"
// (Tongzhou 2024 work report, on 2023) from monthly data.
func TestSeedSentence(t *testing.T) {
	year := PeriodOf(Year, time.Date(2023, 6, 1, 0, 0, 0, 0, beijing))
	var results []Result
	for _, s := range seedSections {
		cfg := SectionConfig{Name: s.name, TargetClass: s.target, Items: []string{"ph", "do", "codmn", "nh3n", "tp"}}
		r, err := cfg.EvaluatePeriod(year, s.samples(2023))
		if err != nil {
			t.Fatal(err)
		}
		if r.Class != s.want || r.Samples != 12 {
			t.Errorf("%s 2023 = %s from %d samples; want %s from 12", s.name, r.Class, r.Samples, s.want)
		}
		results = append(results, r)
	}
	got, err := Summarize(results)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{
		Sections: 8, ByClass: [7]int{0, 0, 1, 3, 4, 0, 0},
		IIIOrBetter: 4, IVOrBetter: 8, WorseThanV: 0,
		Targeted: 8, Attained: 8,
		GoodRatio: 0.5, WorseThanVRatio: 0, AttainmentRatio: 1,
	}
	if got != want {
		t.Errorf("Summarize() =\n%+v\nwant\n%+v", got, want)
	}
	if got.IVOrBetter == got.Sections {
		sentence := fmt.Sprintf("%d个国市控考核断面水质全部达到Ⅳ类以上，其中%d个实现Ⅲ类水质", got.Sections, got.IIIOrBetter)
		if seed := "8个国市控考核断面水质全部达到Ⅳ类以上，其中4个实现Ⅲ类水质"; sentence != seed {
			t.Errorf("sentence = %q; want %q", sentence, seed)
		}
	} else {
		t.Errorf("IVOrBetter = %d of %d; the seed says all", got.IVOrBetter, got.Sections)
	}
}

// TestSeedSectionFIsNotAnAverageOfClasses shows why classes are never
// averaged: section F's monthly classes average to Ⅲ, its mean values are Ⅳ.
func TestSeedSectionFIsNotAnAverageOfClasses(t *testing.T) {
	f := seedSections[5]
	cfg := SectionConfig{Name: f.name}
	sum := 0
	for _, s := range f.samples(2023) {
		r, err := cfg.Evaluate(s)
		if err != nil {
			t.Fatal(err)
		}
		sum += int(r.Class)
	}
	if avg := float64(sum) / 12; avg >= float64(ClassIV) {
		t.Fatalf("mean of monthly classes = %.2f; the fixture should average below Ⅳ", avg)
	}
	r, err := cfg.EvaluatePeriod(PeriodOf(Year, time.Date(2023, 1, 1, 0, 0, 0, 0, beijing)), f.samples(2023))
	if err != nil || r.Class != ClassIV || strings.Join(r.Limiting(), ",") != "nh3n" {
		t.Errorf("EvaluatePeriod(F) = %s limiting %v, %v; want Ⅳ limiting nh3n", r.Class, r.Limiting(), err)
	}
}

func results(classes ...Class) []Result {
	var out []Result
	for i, c := range classes {
		out = append(out, Result{Section: fmt.Sprint(i), Class: c})
	}
	return out
}

func TestSummarizeAttainmentAndErrors(t *testing.T) {
	rs := results(ClassII, ClassIV, ClassV, ClassWorseThanV)
	rs[0].Target, rs[1].Target, rs[2].Target = ClassIII, ClassIII, ClassV // rs[3] has no target
	got, err := Summarize(rs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Targeted != 3 || got.Attained != 2 || got.AttainmentRatio != 2.0/3 || got.WorseThanVRatio != 0.25 || got.GoodRatio != 0.25 {
		t.Errorf("Summarize() = %+v; want 2 of 3 targets met, 劣Ⅴ 0.25, 优良 0.25", got)
	}
	if _, err := Summarize(nil); !errors.Is(err, ErrNoSections) {
		t.Errorf("Summarize(nil) error = %v; want ErrNoSections", err)
	}
	if _, err := Summarize(results(ClassII, ClassUnknown)); err == nil || err.Error() != `section "1": no class to count: invalid water class` {
		t.Errorf("Summarize(unknown class) error = %v", err)
	}
}
