package water

import (
	"errors"
	"fmt"
)

// ErrNoSections is returned when a summary is asked of no sections.
var ErrNoSections = errors.New("no sections")

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
