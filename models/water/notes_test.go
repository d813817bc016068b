package water

import (
	"slices"
	"testing"
)

// TestNotesSayWhatTheClassLeavesOut: a non-detect whose detection limit is
// above the limit of the class reported makes the class uncertain and is
// named (domain.md [K]); a measured item outside the section's evaluation
// set is listed, with its class when it would change the section's.
func TestNotesSayWhatTheClassLeavesOut(t *testing.T) {
	national := nationalItems(t)
	tests := []struct {
		name        string
		cfg         SectionConfig
		values, nd  map[string]float64
		wantClass   Class
		wantNotes   []string
		uncertain   bool
		unevaluated []string
	}{
		{
			name:      "petroleum <0.06 leaves a Ⅰ section uncertain",
			cfg:       SectionConfig{Name: "s"},
			values:    map[string]float64{"codmn": 1.5, "nh3n": 0.1},
			nd:        map[string]float64{"petroleum": 0.06},
			wantClass: ClassI,
			wantNotes: []string{"石油类检出限0.06高于Ⅰ类限值0.05，无法判定是否达Ⅰ类"},
			uncertain: true,
		},
		{
			name:      "and a Ⅰ section with target Ⅲ: the target cannot be judged either",
			cfg:       SectionConfig{Name: "s", TargetClass: ClassIII},
			values:    map[string]float64{"codmn": 1.5},
			nd:        map[string]float64{"petroleum": 0.06},
			wantClass: ClassI,
			wantNotes: []string{"石油类检出限0.06高于Ⅰ类限值0.05，无法判定是否达Ⅰ类，也无法判定是否达到考核目标Ⅲ类"},
			uncertain: true,
		},
		{
			// Hg <0.0001: above the Ⅰ–Ⅱ limit 0.00005, at the Ⅲ limit 0.0001.
			name:      "a detection limit within the class reported says nothing",
			cfg:       SectionConfig{Name: "s"},
			values:    map[string]float64{"tp": 0.15},
			nd:        map[string]float64{"hg": 0.0001},
			wantClass: ClassIII,
		},
		{
			name:      "at the limit of the class reported: still certain",
			cfg:       SectionConfig{Name: "s"},
			values:    map[string]float64{"nh3n": 0.4},
			nd:        map[string]float64{"hg": 0.0001},
			wantClass: ClassII,
			wantNotes: []string{"汞检出限0.0001高于Ⅱ类限值0.00005，无法判定是否达Ⅱ类"},
			uncertain: true,
		},
		{
			name:        "COD 45 at a 5-item national section would make it 劣Ⅴ",
			cfg:         SectionConfig{Name: "s", Items: national},
			values:      map[string]float64{"ph": 7.6, "do": 8, "codmn": 3.5, "nh3n": 0.3, "tp": 0.08, "cod": 45, "bod5": 2, "water_temp": 12},
			wantClass:   ClassII,
			wantNotes:   []string{"未纳入本断面评价项目、未参与定类的监测项目：化学需氧量45 mg/L（劣Ⅴ类，纳入评价则断面为劣Ⅴ类）、五日生化需氧量2 mg/L"},
			unevaluated: []string{"cod", "bod5"},
		},
		{
			name:        "an unevaluated non-detect reads with its limit",
			cfg:         SectionConfig{Name: "s", Items: national},
			values:      map[string]float64{"tp": 0.15},
			nd:          map[string]float64{"cr6": 0.004},
			wantClass:   ClassIII,
			wantNotes:   []string{"未纳入本断面评价项目、未参与定类的监测项目：六价铬<0.004 mg/L"},
			unevaluated: []string{"cr6"},
		},
		{
			name:        "an unevaluated non-detect that cannot be judged says so",
			cfg:         SectionConfig{Name: "s", Items: national},
			values:      map[string]float64{"codmn": 1.5},
			nd:          map[string]float64{"petroleum": 0.06},
			wantClass:   ClassI,
			wantNotes:   []string{"未纳入本断面评价项目、未参与定类的监测项目：石油类<0.06 mg/L（检出限高于Ⅰ类限值，无法判定类别）"},
			unevaluated: []string{"petroleum"},
		},
		{
			name:      "nothing left out: no notes",
			cfg:       SectionConfig{Name: "s"},
			values:    map[string]float64{"codmn": 3.5},
			nd:        map[string]float64{"petroleum": 0.01},
			wantClass: ClassII,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.cfg.Evaluate(Sample{Section: "s", Values: tc.values, NonDetects: tc.nd})
			if err != nil {
				t.Fatal(err)
			}
			if r.Class != tc.wantClass {
				t.Errorf("class %s, want %s", r.Class, tc.wantClass)
			}
			if got := r.Notes(); !slices.Equal(got, tc.wantNotes) {
				t.Errorf("notes\n%q\nwant\n%q", got, tc.wantNotes)
			}
			if r.Uncertain() != tc.uncertain {
				t.Errorf("Uncertain() = %v, want %v", r.Uncertain(), tc.uncertain)
			}
			var codes []string
			for _, ir := range r.Unevaluated {
				codes = append(codes, ir.Code)
			}
			if !slices.Equal(codes, tc.unevaluated) {
				t.Errorf("unevaluated %v, want %v", codes, tc.unevaluated)
			}
		})
	}
}

// TestNotJudgedCarriesItsWorstClass: a non-detect above the Ⅰ limit is at
// worst the best class whose limit its detection limit meets.
func TestNotJudgedCarriesItsWorstClass(t *testing.T) {
	for _, tc := range []struct {
		code string
		dl   float64
		want Class
	}{
		{"petroleum", 0.06, ClassIV}, {"petroleum", 0.5, ClassIV}, {"petroleum", 0.51, ClassV},
		{"petroleum", 1.2, ClassWorseThanV}, {"hg", 0.0001, ClassIII},
	} {
		r, err := SectionConfig{Name: "s"}.Evaluate(Sample{Section: "s", NonDetects: map[string]float64{tc.code: tc.dl}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.NotJudged) != 1 || r.NotJudged[0].AtWorst != tc.want {
			t.Errorf("%s <%v: not judged %+v, want at worst %s", tc.code, tc.dl, r.NotJudged, tc.want)
		}
	}
}

func nationalItems(t *testing.T) []string {
	t.Helper()
	items, err := NationalItems()
	if err != nil {
		t.Fatal(err)
	}
	return items
}
