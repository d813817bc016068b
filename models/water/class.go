// Package water evaluates surface-water quality under GB 3838-2002
// 《地表水环境质量标准》 and the evaluation method of 环办〔2011〕22号
// 《地表水环境质量评价办法（试行）》: the class of each item, the class of a
// sample or of a period (the worst item of the period's mean
// concentrations), main pollutants, attainment of a target class, and the
// figures the district reports over its assessed sections (优良比例, 劣Ⅴ比例,
// 达标率, "Ⅳ类以上").
//
// It holds domain rules only and imports nothing but the standard library.
package water

import (
	"errors"
	"fmt"
	"strings"
)

// A Class is a GB 3838-2002 water-quality class, Ⅰ to Ⅴ, or 劣Ⅴ (worse than
// Ⅴ). Classes are ordered: a larger code is worse water. The zero value is
// ClassUnknown, for a sample in which no item was evaluated.
type Class uint8

// The classes, with the codes CNEMC publishes (1 = Ⅰ … 6 = 劣Ⅴ).
const (
	ClassUnknown    Class = iota
	ClassI                // Ⅰ类
	ClassII               // Ⅱ类
	ClassIII              // Ⅲ类
	ClassIV               // Ⅳ类
	ClassV                // Ⅴ类
	ClassWorseThanV       // 劣Ⅴ类
)

// ErrInvalidClass is returned by ParseClass for text that names no class.
var ErrInvalidClass = errors.New("invalid water class")

var classNames = [...]string{"未知", "Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类"}

// String returns the Chinese name of the class, "Ⅰ类" … "Ⅴ类" or "劣Ⅴ类",
// and "未知" for ClassUnknown.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("Class(%d)", uint8(c))
}

// Valid reports whether c is one of the six classes Ⅰ … 劣Ⅴ.
func (c Class) Valid() bool { return c >= ClassI && c <= ClassWorseThanV }

// Meets reports whether c attains the target class (达标): both are valid and
// the code of c is at most the code of the target. Targets are Ⅰ–Ⅴ, so 劣Ⅴ
// meets none.
func (c Class) Meets(target Class) bool {
	return c.Valid() && target.Valid() && c <= target
}

// Grade returns the qualitative grade of the class (水质状况): Ⅰ–Ⅱ 优,
// Ⅲ 良好, Ⅳ 轻度污染, Ⅴ 中度污染, 劣Ⅴ 重度污染.
func (c Class) Grade() Grade {
	switch c {
	case ClassI, ClassII:
		return GradeExcellent
	case ClassIII:
		return GradeGood
	case ClassIV:
		return GradeLight
	case ClassV:
		return GradeModerate
	case ClassWorseThanV:
		return GradeHeavy
	}
	return GradeUnknown
}

// romanClasses maps the numeral of a class, as written in reports, in ASCII
// and in CNEMC tables, to the class.
var romanClasses = map[string]Class{
	"Ⅰ": ClassI, "Ⅱ": ClassII, "Ⅲ": ClassIII, "Ⅳ": ClassIV, "Ⅴ": ClassV,
	"I": ClassI, "II": ClassII, "III": ClassIII, "IV": ClassIV, "V": ClassV,
	"1": ClassI, "2": ClassII, "3": ClassIII, "4": ClassIV, "5": ClassV,
	"6": ClassWorseThanV,
}

// ParseClass parses a class as reports and data files write it: a Unicode or
// ASCII Roman numeral or a CNEMC code 1–6, optionally followed by "类", and
// "劣Ⅴ"/"劣V" for worse than Ⅴ. Examples: "Ⅲ", "III", "3", "Ⅲ类", "劣Ⅴ类",
// "劣V", "6".
func ParseClass(s string) (Class, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSpace(strings.TrimSuffix(t, "类"))
	worse := strings.HasPrefix(t, "劣")
	t = strings.TrimSpace(strings.TrimPrefix(t, "劣"))
	c, ok := romanClasses[t]
	switch {
	case !ok:
		return ClassUnknown, fmt.Errorf("parse %q: %w", s, ErrInvalidClass)
	case worse && c != ClassV:
		// Only "劣Ⅴ" exists; "劣Ⅲ" is not a class.
		return ClassUnknown, fmt.Errorf("parse %q: %w", s, ErrInvalidClass)
	case worse:
		return ClassWorseThanV, nil
	}
	return c, nil
}

// A Grade is the qualitative water-quality state (水质状况) of a class or of
// a group of sections. The zero value is GradeUnknown.
type Grade uint8

// The grades of 环办〔2011〕22号, best first.
const (
	GradeUnknown   Grade = iota
	GradeExcellent       // 优
	GradeGood            // 良好
	GradeLight           // 轻度污染
	GradeModerate        // 中度污染
	GradeHeavy           // 重度污染
)

var gradeNames = [...]struct{ zh, en string }{
	{"未知", "unknown"},
	{"优", "excellent"},
	{"良好", "good"},
	{"轻度污染", "lightly polluted"},
	{"中度污染", "moderately polluted"},
	{"重度污染", "heavily polluted"},
}

// String returns the Chinese grade, e.g. "良好".
func (g Grade) String() string {
	if int(g) < len(gradeNames) {
		return gradeNames[g].zh
	}
	return fmt.Sprintf("Grade(%d)", uint8(g))
}

// English returns the English grade, e.g. "lightly polluted".
func (g Grade) English() string {
	if int(g) < len(gradeNames) {
		return gradeNames[g].en
	}
	return fmt.Sprintf("Grade(%d)", uint8(g))
}
