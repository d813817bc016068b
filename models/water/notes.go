package water

import (
	"fmt"
	"strconv"
	"strings"
)

// Notes are the sentences a section's class needs beside it, in the words
// of a monitoring bulletin: items whose detection limit is above the limit
// of the class reported, so that the class is not certain ("石油类检出限0.06
// 高于Ⅰ类限值0.05，无法判定是否达Ⅰ类"), and items measured but outside the
// section's evaluation set, with the class they would give when it is
// worse than the section's. Nil when there is nothing to say.
func (r Result) Notes() []string {
	var notes []string
	for _, ir := range r.NotJudged {
		if n := r.notJudgedNote(ir); n != "" {
			notes = append(notes, n)
		}
	}
	if n := r.unevaluatedNote(); n != "" {
		notes = append(notes, n)
	}
	return notes
}

// Uncertain reports whether a non-detect could make the section worse than
// the class reported: its detection limit is above that class's limit.
func (r Result) Uncertain() bool {
	for _, ir := range r.NotJudged {
		if r.notJudgedNote(ir) != "" {
			return true
		}
	}
	return false
}

// notJudgedNote is the note of a non-detect that could not be judged, or ""
// when its detection limit meets the limit of the class reported (it
// cannot change the class).
func (r Result) notJudgedNote(ir ItemResult) string {
	it, err := Lookup(ir.Code)
	if err != nil {
		return ""
	}
	lim, ok := it.Limits(r.WaterBody)
	tested := r.Class
	if !tested.Valid() {
		tested = ClassI
	}
	if !ok || tested == ClassWorseThanV || ir.DetectionLimit <= lim[tested-1] {
		return ""
	}
	note := fmt.Sprintf("%s检出限%s高于%s限值%s，无法判定是否达%s", shortName(it), num(ir.DetectionLimit), tested, num(lim[tested-1]), tested)
	if t := r.Target; t.Valid() && t != tested && r.Class.Meets(t) && ir.AtWorst > t {
		note += fmt.Sprintf("，也无法判定是否达到考核目标%s", t)
	}
	return note
}

// unevaluatedNote lists the measured items outside the evaluation set, each
// with its class and the section's class it would give when that is worse.
func (r Result) unevaluatedNote() string {
	if len(r.Unevaluated) == 0 {
		return ""
	}
	parts := make([]string, 0, len(r.Unevaluated))
	for _, ir := range r.Unevaluated {
		it, err := Lookup(ir.Code)
		if err != nil {
			continue
		}
		p := shortName(it) + readingText(ir, it)
		switch {
		case ir.Class.Valid() && ir.Class > r.Class:
			p += fmt.Sprintf("（%s，纳入评价则断面为%s）", ir.Class, ir.Class)
		case ir.NonDetect && !ir.Class.Valid() && ir.AtWorst > r.Class:
			p += "（检出限高于Ⅰ类限值，无法判定类别）"
		}
		parts = append(parts, p)
	}
	return "未纳入本断面评价项目、未参与定类的监测项目：" + strings.Join(parts, "、")
}

// readingText is how a value reads in a note: "45 mg/L", "<0.01 mg/L", "7.6".
func readingText(ir ItemResult, it Item) string {
	v := num(ir.Value)
	if ir.NonDetect {
		v = "<" + num(ir.DetectionLimit)
	}
	if it.Unit == "" {
		return v
	}
	return v + " " + it.Unit
}

// shortName is the item's name without the bracketed symbol of Table 1:
// "化学需氧量" for "化学需氧量（COD）"; 铬（六价） reads 六价铬.
func shortName(it Item) string {
	if it.Code == "cr6" {
		return "六价铬"
	}
	if i := strings.Index(it.Name, "（"); i > 0 {
		return it.Name[:i]
	}
	return it.Name
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
