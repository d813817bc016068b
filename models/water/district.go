package water

import (
	"errors"
	"fmt"
)

// ErrNoSections is returned when a summary or state is asked of no sections.
var ErrNoSections = errors.New("no sections")

// stateProportionMin is the number of sections from which the state of a
// river, basin or district is judged by class proportions; below it the
// items are averaged over the sections instead.
const stateProportionMin = 5

// A Summary holds the figures a district reports over its assessed sections
// (e.g. "8个国市控考核断面水质全部达到Ⅳ类以上，其中4个实现Ⅲ类水质"). Counts are
// section counts; ratios are shares from 0 to 1 (49.7% is 0.497), ready to be
// stored as derived indicators.
type Summary struct {
	Sections int
	// ByClass counts sections per class, indexed by Class (index 0 unused).
	ByClass     [ClassWorseThanV + 1]int
	IIIOrBetter int // Ⅰ–Ⅲ: "实现Ⅲ类水质" and better, the 优良 sections
	IVOrBetter  int // "Ⅳ类以上": 以上 includes the bound
	WorseThanV  int
	// Targeted counts sections with a target class; Attained those of them
	// that meet it.
	Targeted int
	Attained int
	// GoodRatio is the 优良比例: sections in Ⅰ–Ⅲ over all sections.
	GoodRatio float64
	// WorseThanVRatio is the 劣Ⅴ比例: sections in 劣Ⅴ over all sections.
	WorseThanVRatio float64
	// AttainmentRatio is the 达标率, Attained over Targeted. It is 0 when no
	// section has a target; check Targeted before reporting it.
	AttainmentRatio float64
}

// Summarize counts the section results. Every result must have a class: a
// section without one cannot be counted in a share.
func Summarize(results []Result) (Summary, error) {
	if len(results) == 0 {
		return Summary{}, ErrNoSections
	}
	var s Summary
	for _, r := range results {
		if !r.Class.Valid() {
			return Summary{}, fmt.Errorf("section %q: no class to count: %w", r.Section, ErrInvalidClass)
		}
		s.Sections++
		s.ByClass[r.Class]++
		if r.Class <= ClassIII {
			s.IIIOrBetter++
		}
		if r.Class <= ClassIV {
			s.IVOrBetter++
		}
		if r.Class == ClassWorseThanV {
			s.WorseThanV++
		}
		if r.Target.Valid() {
			s.Targeted++
			if r.MeetsTarget() {
				s.Attained++
			}
		}
	}
	n := float64(s.Sections)
	s.GoodRatio = float64(s.IIIOrBetter) / n
	s.WorseThanVRatio = float64(s.WorseThanV) / n
	if s.Targeted > 0 {
		s.AttainmentRatio = float64(s.Attained) / float64(s.Targeted)
	}
	return s, nil
}

// A State is the water-quality state (水质状况) of a river, basin or district
// made of several sections.
type State struct {
	Grade Grade
	// ByProportion is true when the grade comes from class proportions (5
	// sections or more).
	ByProportion bool
	// Mean is the single-factor evaluation of the items averaged over the
	// sections, used when there are fewer than 5; its Class gives the grade.
	// It is the zero Result when ByProportion is true.
	Mean Result
}

// AssessState returns the state of a group of sections, per 环办〔2011〕22号:
//   - 5 sections or more, by the share of Ⅰ–Ⅲ and of 劣Ⅴ sections: Ⅰ–Ⅲ ≥ 90%
//     优; 75–90% 良好; below 75%, 劣Ⅴ < 20% 轻度污染, 20–40% 中度污染,
//     ≥ 40% 重度污染;
//   - fewer than 5, each item is averaged over the sections that evaluated
//     it and the means are classified by the single-factor rule. The
//     sections must then share one water body, whose limits are used.
func AssessState(results []Result) (State, error) {
	if len(results) == 0 {
		return State{}, ErrNoSections
	}
	if len(results) < stateProportionMin {
		return stateByMean(results)
	}
	s, err := Summarize(results)
	if err != nil {
		return State{}, err
	}
	return State{Grade: proportionGrade(s), ByProportion: true}, nil
}

// proportionGrade applies the class-proportion table in integer arithmetic,
// so that a share exactly on a threshold (9 of 10 = 90%) lands on the side
// the table puts it.
func proportionGrade(s Summary) Grade {
	good, worst, n := s.IIIOrBetter, s.WorseThanV, s.Sections
	switch {
	case 10*good >= 9*n:
		return GradeExcellent
	case 4*good >= 3*n:
		return GradeGood
	case 5*worst < n:
		return GradeLight
	case 5*worst < 2*n:
		return GradeModerate
	}
	return GradeHeavy
}

// stateByMean averages every evaluated item over the sections and classifies
// the means with the single-factor rule.
func stateByMean(results []Result) (State, error) {
	body := results[0].WaterBody
	byItem := make(map[string][]reading)
	var codes []string
	for _, r := range results {
		if r.WaterBody != body {
			return State{}, fmt.Errorf("section %q is a %s, section %q a %s: one water body is needed to average items",
				r.Section, r.WaterBody, results[0].Section, body)
		}
		for _, ir := range r.Items {
			if _, seen := byItem[ir.Code]; !seen {
				codes = append(codes, ir.Code)
			}
			byItem[ir.Code] = append(byItem[ir.Code], reading{value: ir.Value, nd: ir.NonDetect, dl: ir.DetectionLimit})
		}
	}
	if len(codes) == 0 {
		return State{}, fmt.Errorf("%d sections with no evaluated item: %w", len(results), ErrNoSections)
	}
	means := make(map[string]reading, len(byItem))
	for code, rds := range byItem {
		means[code] = meanReading(rds)
	}
	cfg := SectionConfig{WaterBody: body, Items: codes}
	set, err := cfg.evaluated()
	if err != nil {
		return State{}, err
	}
	r, err := cfg.classify(set, means)
	if err != nil {
		return State{}, err
	}
	r.Samples = len(results)
	return State{Grade: r.Class.Grade(), Mean: r}, nil
}
