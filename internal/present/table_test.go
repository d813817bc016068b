package present

import (
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"co2_emissions", 13},
		{"二氧化碳排放量", 14},
		{"能耗强度（万元地区生产总值能耗）", 32}, // fullwidth parentheses
		{"Ⅳ类", 4}, // Roman numerals: two cells in CJK fonts
		{"—", 1},  // ambiguous dash: one cell
		{"1–5月", 5},
		{"ＡＢ", 4}, // fullwidth Latin
		{"ｶﾀ", 2}, // halfwidth katakana
		{"한국", 4}, // Hangul
	}
	for _, tc := range tests {
		if got := DisplayWidth(tc.s); got != tc.want {
			t.Errorf("DisplayWidth(%q) = %d; want %d", tc.s, got, tc.want)
		}
	}
}

func TestWriteAlignedCountsWideCharacters(t *testing.T) {
	var b strings.Builder
	if err := WriteAligned(&b, [][]string{{"指标", "x"}, {"ab", "y"}}); err != nil {
		t.Fatal(err)
	}
	want := "指标  x\nab    y\n"
	if b.String() != want {
		t.Errorf("WriteAligned = %q; want %q (指标 is 4 cells wide)", b.String(), want)
	}
}
