package water

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tableSpec is a second transcription of GB 3838-2002 Table 1, typed from
// shared/docs/domain.md §1 independently of catalogue. Limits are classes
// Ⅰ…Ⅴ; an empty lake column means the river limits apply to lakes too; an
// empty river column means there are no river limits.
var tableSpec = []struct {
	code, dir, river, lake string
}{
	{"do", ">=", "7.5 6 5 3 2", ""},
	{"codmn", "<=", "2 4 6 10 15", ""},
	{"cod", "<=", "15 15 20 30 40", ""},
	{"bod5", "<=", "3 3 4 6 10", ""},
	{"nh3n", "<=", "0.15 0.5 1.0 1.5 2.0", ""},
	{"tp", "<=", "0.02 0.1 0.2 0.3 0.4", "0.01 0.025 0.05 0.1 0.2"},
	{"tn", "<=", "", "0.2 0.5 1.0 1.5 2.0"},
	{"cu", "<=", "0.01 1.0 1.0 1.0 1.0", ""},
	{"zn", "<=", "0.05 1.0 1.0 2.0 2.0", ""},
	{"f", "<=", "1.0 1.0 1.0 1.5 1.5", ""},
	{"se", "<=", "0.01 0.01 0.01 0.02 0.02", ""},
	{"as", "<=", "0.05 0.05 0.05 0.1 0.1", ""},
	{"hg", "<=", "0.00005 0.00005 0.0001 0.001 0.001", ""},
	{"cd", "<=", "0.001 0.005 0.005 0.005 0.01", ""},
	{"cr6", "<=", "0.01 0.05 0.05 0.05 0.1", ""},
	{"pb", "<=", "0.01 0.01 0.05 0.05 0.1", ""},
	{"cn", "<=", "0.005 0.05 0.2 0.2 0.2", ""},
	{"phenol", "<=", "0.002 0.002 0.005 0.01 0.1", ""},
	{"petroleum", "<=", "0.05 0.05 0.05 0.5 1.0", ""},
	{"las", "<=", "0.2 0.2 0.2 0.3 0.3", ""},
	{"sulfide", "<=", "0.05 0.1 0.2 0.5 1.0", ""},
	{"fecal_coliform", "<=", "200 2000 10000 20000 40000", ""},
}

func parseLimits(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("tableSpec: %v", err)
		}
		out = append(out, v)
	}
	return out
}

type boundaryCase struct {
	name string
	v    float64
	want Class
}

// boundaryCases returns, for every class limit, the value at the limit (the
// best class sharing that limit) and the value one ulp past it (the next
// class with a different limit, or 劣Ⅴ).
func boundaryCases(lims []float64, lower bool) []boundaryCase {
	var cases []boundaryCase
	for k, at := range lims {
		atWant := Class(slices.Index(lims, at) + 1)
		past, pastWant := math.Nextafter(at, math.Inf(1)), ClassWorseThanV
		if lower {
			past = math.Nextafter(at, math.Inf(-1))
		}
		for j := k + 1; j < len(lims); j++ {
			if lims[j] != at {
				pastWant = Class(j + 1)
				break
			}
		}
		cases = append(cases,
			boundaryCase{fmt.Sprintf("%s limit %v", Class(k+1), at), at, atWant},
			boundaryCase{fmt.Sprintf("just past %s limit %v", Class(k+1), at), past, pastWant})
	}
	return cases
}

func TestClassifyBoundaries(t *testing.T) {
	for _, spec := range tableSpec {
		for _, body := range []WaterBody{River, Lake, Reservoir} {
			limText := spec.river
			if body != River && spec.lake != "" {
				limText = spec.lake
			}
			it, err := Lookup(spec.code)
			if err != nil {
				t.Fatal(err)
			}
			if limText == "" {
				t.Run(body.String()+"/"+spec.code+"/no limits", func(t *testing.T) {
					if _, err := it.Classify(1, body); !errors.Is(err, ErrNoLimits) {
						t.Errorf("Classify(%s, 1, %s) error = %v; want ErrNoLimits", spec.code, body, err)
					}
				})
				continue
			}
			for _, tc := range boundaryCases(parseLimits(t, limText), spec.dir == ">=") {
				t.Run(body.String()+"/"+spec.code+"/"+tc.name, func(t *testing.T) {
					got, err := it.Classify(tc.v, body)
					if err != nil || got != tc.want {
						t.Errorf("Classify(%s, %v, %s) = %s, %v; want %s", spec.code, tc.v, body, got, err, tc.want)
					}
				})
			}
		}
	}
}

func TestCatalogueMatchesTable1(t *testing.T) {
	var got []string
	for _, it := range Items() {
		got = append(got, it.Code)
	}
	want := []string{"water_temp", "ph"}
	for _, spec := range tableSpec {
		want = append(want, spec.code)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("catalogue codes = %v; want %v", got, want)
	}
	if len(got) != 24 {
		t.Errorf("catalogue has %d items; Table 1 has 24", len(got))
	}
	for _, spec := range tableSpec {
		it, _ := Lookup(spec.code)
		for body, text := range map[WaterBody]string{River: spec.river, Lake: orElse(spec.lake, spec.river)} {
			lim, ok := it.Limits(body)
			if text == "" {
				if ok {
					t.Errorf("%s.Limits(%s) = %v; want none", spec.code, body, lim)
				}
				continue
			}
			if want := parseLimits(t, text); !ok || !slices.Equal(lim[:], want) {
				t.Errorf("%s.Limits(%s) = %v, %v; want %v", spec.code, body, lim, ok, want)
			}
		}
	}
}

// orElse returns a unless it is empty, then b.
func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestDefaultItemsAre22Hao(t *testing.T) {
	want := []string{"ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "f", "se",
		"as", "hg", "cd", "cr6", "pb", "cn", "phenol", "petroleum", "las", "sulfide"}
	if got := DefaultItems(); !slices.Equal(got, want) {
		t.Errorf("DefaultItems() = %v; want the 21 items %v", got, want)
	}
}

func TestNationalItems(t *testing.T) {
	tests := []struct {
		x       []string
		want    []string
		wantErr error
	}{
		{nil, []string{"ph", "do", "codmn", "nh3n", "tp"}, nil},
		{[]string{"cod", "oil", "TP"}, []string{"ph", "do", "codmn", "nh3n", "tp", "cod", "petroleum"}, nil},
		{[]string{"tn"}, nil, ErrNotClassItem},
		{[]string{"fc"}, nil, ErrNotClassItem},
		{[]string{"water_temp"}, nil, ErrNotClassItem},
		{[]string{"cond"}, nil, ErrUnknownItem},
	}
	for _, tc := range tests {
		got, err := NationalItems(tc.x...)
		if !errors.Is(err, tc.wantErr) || !slices.Equal(got, tc.want) {
			t.Errorf("NationalItems(%q) = %v, %v; want %v, %v", tc.x, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestLookupAliases(t *testing.T) {
	tests := []struct{ in, want string }{
		{"oil", "petroleum"}, {"s2", "sulfide"}, {"fc", "fecal_coliform"},
		{"water_temp", "water_temp"}, {" NH3N ", "nh3n"}, {"CODMn", "codmn"},
	}
	for _, tc := range tests {
		it, err := Lookup(tc.in)
		if err != nil || it.Code != tc.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tc.in, it.Code, err, tc.want)
		}
	}
	if _, err := Lookup("chla"); !errors.Is(err, ErrUnknownItem) || err.Error() != `item "chla": unknown item` {
		t.Errorf(`Lookup("chla") error = %v; want item "chla": unknown item`, err)
	}
}

func TestClassifySpecialItems(t *testing.T) {
	tests := []struct {
		code    string
		v       float64
		body    WaterBody
		want    Class
		wantErr string
	}{
		{"ph", 6, River, ClassI, ""},
		{"ph", 9, River, ClassI, ""},
		{"ph", 7.5, Lake, ClassI, ""},
		{"ph", math.Nextafter(6, 0), River, ClassWorseThanV, ""},
		{"ph", 9.001, River, ClassWorseThanV, ""},
		{"ph", math.Nextafter(9, 10), River, ClassWorseThanV, ""},
		{"ph", 9.12, River, ClassWorseThanV, ""}, // 北京 谷家营, README §1a
		{"do", 0, River, ClassWorseThanV, ""},
		{"do", 20.29, River, ClassI, ""},
		{"cod", 15, River, ClassI, ""}, // classes Ⅰ and Ⅱ share 15: the best wins
		{"cu", 1.0, River, ClassII, ""},
		{"tn", 1.0, Reservoir, ClassIII, ""},
		{"fecal_coliform", 2000, River, ClassII, ""},
		{"water_temp", 14.6, River, ClassUnknown, "water_temp: no class limits"},
		{"tn", 1.0, River, ClassUnknown, "tn in a river: no class limits"},
		{"tp", math.NaN(), River, ClassUnknown, "tp = NaN: invalid value"},
		{"tp", math.Inf(1), River, ClassUnknown, "tp = +Inf: invalid value"},
		{"nh3n", -0.01, River, ClassUnknown, "nh3n = -0.01: invalid value"},
	}
	for _, tc := range tests {
		it, err := Lookup(tc.code)
		if err != nil {
			t.Fatal(err)
		}
		got, err := it.Classify(tc.v, tc.body)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want || gotErr != tc.wantErr {
			t.Errorf("Classify(%s, %v, %s) = %s, %q; want %s, %q", tc.code, tc.v, tc.body, got, gotErr, tc.want, tc.wantErr)
		}
	}
}

// TestReadmeBoundaryFixtures checks the raw CNEMC values of README §1a whose
// displayed (rounded) values sit on a limit: the raw value decides.
func TestReadmeBoundaryFixtures(t *testing.T) {
	tests := []struct {
		section string
		code    string
		raw     float64
		body    WaterBody
		want    Class
	}{
		{"辽宁 北太子河入观音阁水库口", "tp", 0.0205, River, ClassII},
		{"福建 隘头潭", "do", 4.995, River, ClassIV},
		{"贵州 坝草", "ph", 9.001, River, ClassWorseThanV},
		{"河北 岳城水库出口", "codmn", 2.0036, River, ClassII},
		{"重庆 北渡", "nh3n", 0.5002, River, ClassIII},
		{"陕西 泾河桥", "codmn", 2.0046, River, ClassII},
		{"江苏 碾砣港闸", "tp", 0.1002, River, ClassIII},
		{"贵州 三都桥", "tp", 0.0201, River, ClassII},
		{"湖北 湖心A(洪湖湖心A)", "tp", 0.0979, Lake, ClassIV},
		{"湖北 湖心B(洪湖湖心B)", "tp", 0.2909, Lake, ClassWorseThanV},
		{"湖南 南嘴", "tp", 0.09018, Lake, ClassIV},
		{"四川 礼板湾(王妃岛)", "tp", 0.013, Lake, ClassII},
	}
	for _, tc := range tests {
		t.Run(tc.section, func(t *testing.T) {
			cfg := SectionConfig{Name: tc.section, WaterBody: tc.body}
			r, err := cfg.Evaluate(Sample{Section: tc.section, Values: map[string]float64{tc.code: tc.raw}})
			if err != nil || r.Class != tc.want {
				t.Errorf("Evaluate(%s %s=%v) class = %s, %v; want %s", tc.body, tc.code, tc.raw, r.Class, err, tc.want)
			}
		})
	}
}

func TestExceedance(t *testing.T) {
	tests := []struct {
		code string
		v    float64
		body WaterBody
		want float64
	}{
		{"codmn", 9, River, 0.5},     // (9 − 6)/6
		{"tp", 0.3, River, 0.5},      // (0.3 − 0.2)/0.2
		{"tp", 0.1, Lake, 1},         // lake Ⅲ limit 0.05
		{"nh3n", 1.0, River, 0},      // at the Ⅲ limit: not exceeded
		{"do", 1, River, 0},          // DO has no 超标倍数
		{"ph", 10, River, 0},         // nor pH
		{"water_temp", 30, River, 0}, // nor water temperature
	}
	for _, tc := range tests {
		it, _ := Lookup(tc.code)
		if got := it.Exceedance(tc.v, tc.body); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Exceedance(%s, %v, %s) = %v; want %v", tc.code, tc.v, tc.body, got, tc.want)
		}
	}
}
