package water

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEvaluateNonDetects(t *testing.T) {
	tests := []struct {
		name          string
		cfg           SectionConfig
		values, nd    map[string]float64
		want          Class
		wantLimiting  []string
		wantNotJudged []string
	}{
		{
			name:         "detection limit within class Ⅰ: the item is Ⅰ",
			cfg:          SectionConfig{Name: "s"},
			values:       map[string]float64{"codmn": 3.2},
			nd:           map[string]float64{"cd": 0.0005, "petroleum": 0.01},
			want:         ClassII,
			wantLimiting: []string{"codmn"},
		},
		{
			name:         "detection limit at the class Ⅰ limit is still Ⅰ",
			cfg:          SectionConfig{Name: "s"},
			nd:           map[string]float64{"hg": 0.00005},
			want:         ClassI,
			wantLimiting: []string{"hg"},
		},
		{
			// Hg DL 0.0001 is above the Ⅰ limit 0.00005: the value could be Ⅰ
			// or Ⅲ, so Hg says nothing; the class is the other items'.
			name:          "detection limit above class Ⅰ: not judged",
			cfg:           SectionConfig{Name: "s"},
			values:        map[string]float64{"nh3n": 0.4},
			nd:            map[string]float64{"hg": 0.0001},
			want:          ClassII,
			wantLimiting:  []string{"nh3n"},
			wantNotJudged: []string{"hg"},
		},
		{
			name:          "only a non-judged item: no class",
			cfg:           SectionConfig{Name: "s"},
			nd:            map[string]float64{"phenol": 0.003},
			want:          ClassUnknown,
			wantNotJudged: []string{"phenol"},
		},
		{
			name:   "a non-detect of an item the section does not evaluate is ignored",
			cfg:    SectionConfig{Name: "s", Items: []string{"ph", "do", "codmn", "nh3n", "tp"}},
			values: map[string]float64{"tp": 0.15},
			nd:     map[string]float64{"cd": 0.0005},
			want:   ClassIII, wantLimiting: []string{"tp"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.values == nil {
				tc.values = map[string]float64{}
			}
			r, err := tc.cfg.Evaluate(Sample{Section: "s", Values: tc.values, NonDetects: tc.nd})
			if err != nil {
				t.Fatal(err)
			}
			var notJudged []string
			for _, ir := range r.NotJudged {
				if !ir.NonDetect || ir.Class != ClassUnknown || ir.Value != ir.DetectionLimit/2 {
					t.Errorf("not judged %+v: want a non-detect at half its limit, no class", ir)
				}
				notJudged = append(notJudged, ir.Code)
			}
			if r.Class != tc.want || !slices.Equal(r.Limiting(), tc.wantLimiting) || !slices.Equal(notJudged, tc.wantNotJudged) {
				t.Errorf("Evaluate = %s, limiting %v, not judged %v; want %s, %v, %v", r.Class, r.Limiting(), notJudged, tc.want, tc.wantLimiting, tc.wantNotJudged)
			}
			for _, ir := range r.Items {
				if _, nd := tc.nd[ir.Code]; nd != ir.NonDetect || (nd && (ir.Class != ClassI || ir.Exceedance != 0)) {
					t.Errorf("item %+v: non-detect flag or class wrong", ir)
				}
			}
		})
	}
}

func TestEvaluateNonDetectErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		values, nd map[string]float64
		want       error
		wantText   string
	}{
		{name: "pH has no detection limit", nd: map[string]float64{"ph": 0.1}, want: ErrInvalidNonDetect},
		{name: "nor has DO", nd: map[string]float64{"do": 0.2}, want: ErrInvalidNonDetect},
		{name: "zero limit", nd: map[string]float64{"cd": 0}, want: ErrInvalidNonDetect},
		{name: "negative limit", nd: map[string]float64{"cd": -1}, want: ErrInvalidValue},
		{name: "value and non-detect", values: map[string]float64{"petroleum": 0.02}, nd: map[string]float64{"oil": 0.01}, wantText: `item "petroleum" given as both`},
	} {
		_, err := SectionConfig{Name: "s"}.Evaluate(Sample{Section: "s", Values: tc.values, NonDetects: tc.nd})
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.wantText) {
			t.Errorf("%s: err = %v, want %v %q", tc.name, err, tc.want, tc.wantText)
		}
	}
}

func TestEvaluatePeriodNonDetects(t *testing.T) {
	beijing := time.FixedZone("CST", 8*3600)
	at := func(month int) time.Time { return time.Date(2024, time.Month(month), 10, 0, 0, 0, 0, beijing) }
	samples := []Sample{
		// Cd: two non-detects (0.001 → 0.0005 each) and one 0.0023: the mean
		// (0.0005 + 0.0005 + 0.0023) / 3 = 0.0011 is past the Ⅰ limit 0.001,
		// so Ⅱ (≤ 0.005), not a non-detect.
		{Section: "s", Time: at(1), Values: map[string]float64{"nh3n": 0.1}, NonDetects: map[string]float64{"cd": 0.001, "cn": 0.004}},
		{Section: "s", Time: at(2), Values: map[string]float64{"nh3n": 0.1}, NonDetects: map[string]float64{"cd": 0.001, "cn": 0.001}},
		{Section: "s", Time: at(3), Values: map[string]float64{"nh3n": 0.1, "cd": 0.0023}, NonDetects: map[string]float64{"cn": 0.004}},
	}
	r, err := SectionConfig{Name: "s"}.EvaluatePeriod(PeriodOf(Quarter, at(1)), samples)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]ItemResult{}
	for _, ir := range r.Items {
		byCode[ir.Code] = ir
	}
	if cd := byCode["cd"]; cd.NonDetect || cd.Value != 0.0011 || cd.Class != ClassII {
		t.Errorf("cd = %+v; want a mean of 0.0011 with non-detects at half their limit, class Ⅱ, not a non-detect", cd)
	}
	// Cyanide was never detected: a non-detect with the largest limit,
	// 0.004 ≤ the Ⅰ limit 0.005.
	if cn := byCode["cn"]; !cn.NonDetect || cn.DetectionLimit != 0.004 || cn.Class != ClassI || cn.Value != 0.0015 {
		t.Errorf("cn = %+v; want a non-detect, limit 0.004, class Ⅰ, mean 0.0015", cn)
	}
	if r.Class != ClassII {
		t.Errorf("class = %s, want Ⅱ (cadmium)", r.Class)
	}
}

func TestCSVReaderNonDetects(t *testing.T) {
	in := "section,time,cd,hg,petroleum,codmn\n" +
		"s,2024-06-01,0.0005L,<0.00004,＜0.01,3.2\n" +
		"s,2024-06-02,0.0005 L,0.00003,--,3.1\n"
	_, recs, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]float64{{"cd": 0.0005, "hg": 0.00004, "petroleum": 0.01}, {"cd": 0.0005}}
	for i, rec := range recs {
		if len(rec.Sample.NonDetects) != len(want[i]) {
			t.Errorf("row %d non-detects = %v, want %v", i+1, rec.Sample.NonDetects, want[i])
		}
		for code, dl := range want[i] {
			if rec.Sample.NonDetects[code] != dl {
				t.Errorf("row %d %s = %v, want non-detect below %v", i+1, code, rec.Sample.NonDetects[code], dl)
			}
			if _, both := rec.Sample.Values[code]; both {
				t.Errorf("row %d %s is both a value and a non-detect", i+1, code)
			}
		}
	}
	for _, tc := range []struct{ column, cell, want string }{
		{"cd", "ND", `value "ND" is a non-detect without its detection limit: write the limit, e.g. 0.01L or <0.01`},
		{"cd", "未检出", `value "未检出" is a non-detect without its detection limit`},
		{"cd", "0L", `value "0L": a detection limit must be positive`},
		{"cd", "<abc", `value "<abc" is not a number`},
		{"ph", "0.1L", `value "0.1L": ph has no detection limit: invalid non-detect`},
	} {
		_, _, err := readAll(t, "section,"+tc.column+"\ns,"+tc.cell+"\n")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("cell %q: err = %v, want %q", tc.cell, err, tc.want)
		}
	}
}
