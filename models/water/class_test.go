package water

import (
	"errors"
	"testing"
)

func TestParseClass(t *testing.T) {
	tests := []struct {
		in   string
		want Class
	}{
		{"Ⅰ", ClassI}, {"I", ClassI}, {"1", ClassI}, {"Ⅰ类", ClassI},
		{"Ⅱ", ClassII}, {"ii", ClassII}, {"2", ClassII},
		{"Ⅲ类", ClassIII}, {"III", ClassIII}, {" 3 ", ClassIII}, {"III类", ClassIII},
		{"Ⅳ", ClassIV}, {"IV", ClassIV}, {"4", ClassIV},
		{"Ⅴ类", ClassV}, {"V", ClassV}, {"5", ClassV},
		{"劣Ⅴ", ClassWorseThanV}, {"劣V", ClassWorseThanV}, {"劣Ⅴ类", ClassWorseThanV},
		{"劣v类", ClassWorseThanV}, {"6", ClassWorseThanV},
	}
	for _, tc := range tests {
		got, err := ParseClass(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseClass(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseClassErrors(t *testing.T) {
	for _, in := range []string{"", "0", "7", "VI", "劣Ⅲ", "劣6", "类", "Ⅲ类以上", "good"} {
		got, err := ParseClass(in)
		if !errors.Is(err, ErrInvalidClass) || got != ClassUnknown {
			t.Errorf("ParseClass(%q) = %s, %v; want ErrInvalidClass", in, got, err)
		}
	}
	if _, err := ParseClass("劣Ⅲ"); err.Error() != `parse "劣Ⅲ": invalid water class` {
		t.Errorf(`ParseClass("劣Ⅲ") error = %q`, err)
	}
}

func TestClassNamesAndGrades(t *testing.T) {
	tests := []struct {
		c       Class
		name    string
		grade   string
		english string
	}{
		{ClassUnknown, "未知", "未知", "unknown"},
		{ClassI, "Ⅰ类", "优", "excellent"},
		{ClassII, "Ⅱ类", "优", "excellent"},
		{ClassIII, "Ⅲ类", "良好", "good"},
		{ClassIV, "Ⅳ类", "轻度污染", "lightly polluted"},
		{ClassV, "Ⅴ类", "中度污染", "moderately polluted"},
		{ClassWorseThanV, "劣Ⅴ类", "重度污染", "heavily polluted"},
		{Class(9), "Class(9)", "未知", "unknown"},
	}
	for _, tc := range tests {
		if got := tc.c.String(); got != tc.name {
			t.Errorf("Class(%d).String() = %q; want %q", tc.c, got, tc.name)
		}
		if got := tc.c.Grade().String(); got != tc.grade {
			t.Errorf("Class(%d).Grade() = %q; want %q", tc.c, got, tc.grade)
		}
		if got := tc.c.Grade().English(); got != tc.english {
			t.Errorf("Class(%d).Grade().English() = %q; want %q", tc.c, got, tc.english)
		}
	}
	// Every class round-trips through its name.
	for c := ClassI; c <= ClassWorseThanV; c++ {
		if got, err := ParseClass(c.String()); err != nil || got != c {
			t.Errorf("ParseClass(%q) = %s, %v; want %s", c.String(), got, err, c)
		}
	}
}

func TestMeets(t *testing.T) {
	tests := []struct {
		c, target Class
		want      bool
	}{
		{ClassIII, ClassIV, true},
		{ClassIV, ClassIV, true},
		{ClassV, ClassIV, false},
		{ClassI, ClassI, true},
		{ClassWorseThanV, ClassV, false},
		{ClassIII, ClassUnknown, false}, // no target, nothing to meet
		{ClassUnknown, ClassIV, false},  // no class, cannot meet
	}
	for _, tc := range tests {
		if got := tc.c.Meets(tc.target); got != tc.want {
			t.Errorf("%s.Meets(%s) = %v; want %v", tc.c, tc.target, got, tc.want)
		}
	}
}

func TestParseWaterBody(t *testing.T) {
	tests := []struct {
		in   string
		want WaterBody
	}{
		{"river", River}, {"Lake", Lake}, {" reservoir ", Reservoir},
		{"河流", River}, {"湖泊", Lake}, {"水库", Reservoir}, {"湖库", Lake},
	}
	for _, tc := range tests {
		got, err := ParseWaterBody(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseWaterBody(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseWaterBody("sea"); !errors.Is(err, ErrInvalidWaterBody) || err.Error() != `parse "sea": invalid water body` {
		t.Errorf(`ParseWaterBody("sea") error = %v`, err)
	}
}
