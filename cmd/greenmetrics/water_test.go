package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runWater runs the root command with args and stdin, and returns stdout,
// stderr and the error.
func runWater(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errw bytes.Buffer
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errw)
	err := root.Execute()
	return out.String(), errw.String(), err
}

const classifyInput = "\ufeffsection,time,water_body,water_temp,ph,do,codmn,nh3n,tp,tn,cond,chla\r\n" +
	"东店,2021-04-01T08:00:00+08:00,,14.6,7.75,5.70,5.54,0.139,0.084,4.46,731.2,*\r\n" +
	"古北口,2020-05-08T12:05:00+08:00,river,17.8,7.30,8.13,1.17,0.250,0.001,5.94,661.9,--\r\n" +
	"西山,2020-05-10T08:00:00+08:00,lake,20.1,7.65,7.83,4.36,0.160,0.128,1.2,500,0.01\r\n" +
	"谷家营,2021-04-01T08:00:00+08:00,,15.0,9.12,8.0,5.0,0.5,0.1,,800,\r\n" +
	"清河闸,2021-04-01T08:00:00+08:00,,14.0,7.9,9.5,1.5,0.1,0.01,,,\r\n" +
	"沿河城,,,--,--,--,--,--,--,--,--,--\r\n"

func TestWaterClassify(t *testing.T) {
	stdout, stderr, err := runWater(t, classifyInput, "water", "classify")
	if err != nil {
		t.Fatalf("water classify: %v", err)
	}
	want := `{"section":"东店","time":"2021-04-01T08:00:00+08:00","class":3,"class_name":"Ⅲ类","limiting":["do","codmn"],"grade":"良好"}
{"section":"古北口","time":"2020-05-08T12:05:00+08:00","class":2,"class_name":"Ⅱ类","limiting":["nh3n"],"grade":"优"}
{"section":"西山","time":"2020-05-10T08:00:00+08:00","class":5,"class_name":"Ⅴ类","limiting":["tp"],"grade":"中度污染"}
{"section":"谷家营","time":"2021-04-01T08:00:00+08:00","class":6,"class_name":"劣Ⅴ类","limiting":["ph"],"grade":"重度污染"}
{"section":"清河闸","time":"2021-04-01T08:00:00+08:00","class":1,"class_name":"Ⅰ类","limiting":["ph","do","codmn","nh3n","tp"],"grade":"优"}
{"section":"沿河城","time":"","class":0,"class_name":"未知","limiting":[],"grade":"未知"}
`
	if stdout != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout, want)
	}
	if wantErr := "water classify: ignoring columns not used for the class: cond, chla, water_temp, tn\n"; stderr != wantErr {
		t.Errorf("stderr = %q; want %q", stderr, wantErr)
	}
}

func TestWaterClassifyNonDetects(t *testing.T) {
	// A monthly lab report: cadmium and phenol below detection limits that
	// meet class Ⅰ, mercury below one that does not (0.0001 > 0.00005).
	in := "section,time,ph,do,codmn,nh3n,tp,cd,hg,phenol\n" +
		"东店,2024-06-01,7.5,6.2,3.1,0.2,0.08,0.0005L,<0.0001,0.001L\n" +
		"东店,2024-07-01,7.5,6.2,3.1,0.2,0.08,0.0005,0.00004,0.001\n"
	stdout, _, err := runWater(t, in, "water", "classify")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"section":"东店","time":"2024-06-01","class":2,"class_name":"Ⅱ类","limiting":["do","codmn","nh3n","tp"],"grade":"优","non_detects":["cd","phenol"],"not_judged":["hg"],"notes":["汞检出限0.0001高于Ⅱ类限值0.00005，无法判定是否达Ⅱ类"]}
{"section":"东店","time":"2024-07-01","class":2,"class_name":"Ⅱ类","limiting":["do","codmn","nh3n","tp"],"grade":"优"}
`
	if stdout != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout, want)
	}
	_, _, err = runWater(t, "section,cd\ns,ND\n", "water", "classify")
	if err == nil || !strings.Contains(err.Error(), `line 2, column "cd": value "ND" is a non-detect without its detection limit`) {
		t.Errorf("bare ND: err = %v", err)
	}
}

// TestWaterClassifySaysWhatTheClassLeavesOut: petroleum "<0.06" cannot
// be judged against the Ⅰ limit 0.05, and COD 45 mg/L at a section that
// evaluates the five national items would make it 劣Ⅴ; both are said on
// stdout (notes) and on stderr with the line.
func TestWaterClassifySaysWhatTheClassLeavesOut(t *testing.T) {
	in := "section,time,ph,do,codmn,nh3n,tp,cod,petroleum\n" +
		"东店,2024-06-01,7.5,8.0,1.8,0.1,0.01,,<0.06\n" +
		"东店,2024-07-01,7.5,8.0,1.8,0.1,0.01,45,\n"
	stdout, stderr, err := runWater(t, in, "water", "classify", "--items", "ph,do,codmn,nh3n,tp")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"section":"东店","time":"2024-06-01","class":1,"class_name":"Ⅰ类","limiting":["ph","do","codmn","nh3n","tp"],"grade":"优","unevaluated":["petroleum"],"notes":["未纳入本断面评价项目、未参与定类的监测项目：石油类<0.06 mg/L（检出限高于Ⅰ类限值，无法判定类别）"]}
{"section":"东店","time":"2024-07-01","class":1,"class_name":"Ⅰ类","limiting":["ph","do","codmn","nh3n","tp"],"grade":"优","unevaluated":["cod"],"notes":["未纳入本断面评价项目、未参与定类的监测项目：化学需氧量45 mg/L（劣Ⅴ类，纳入评价则断面为劣Ⅴ类）"]}
`
	if stdout != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout, want)
	}
	if !strings.Contains(stderr, "water classify: line 3, 东店 2024-07-01: 未纳入本断面评价项目、未参与定类的监测项目：化学需氧量45 mg/L（劣Ⅴ类，纳入评价则断面为劣Ⅴ类）\n") {
		t.Errorf("stderr lacks the COD note:\n%s", stderr)
	}
	// With the 21 items, petroleum is evaluated and its limit of detection
	// leaves the Ⅰ class open.
	stdout, stderr, err = runWater(t, in, "water", "classify")
	if err != nil {
		t.Fatal(err)
	}
	const note = "石油类检出限0.06高于Ⅰ类限值0.05，无法判定是否达Ⅰ类"
	if first := strings.SplitN(stdout, "\n", 2)[0]; !strings.Contains(first, `"class":1,`) || !strings.Contains(first, `"not_judged":["petroleum"],"notes":["`+note+`"]`) {
		t.Errorf("first row %s, want class Ⅰ with the petroleum note", first)
	}
	if !strings.Contains(stderr, "line 2, 东店 2024-06-01: "+note) {
		t.Errorf("stderr lacks the petroleum note:\n%s", stderr)
	}
}

func TestWaterClassifyFlags(t *testing.T) {
	in := "section,time,tp,codmn\ns,2021-04-01,0.04,5\n"
	tests := []struct {
		name string
		args []string
		want string // class_name and limiting of the one row
	}{
		{"river default", nil, "Ⅲ类 [codmn]"},
		{"lake TP limits", []string{"--water", "lake"}, "Ⅲ类 [codmn tp]"},
		{"reservoir", []string{"--water", "reservoir"}, "Ⅲ类 [codmn tp]"},
		{"items restrict", []string{"--items", "tp"}, "Ⅱ类 [tp]"},
		{"items alias list", []string{"--items", " TP , ph"}, "Ⅱ类 [tp]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "samples.csv")
			if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, _, err := runWater(t, "", append([]string{"water", "classify", path}, tc.args...)...)
			if err != nil {
				t.Fatalf("water classify %v: %v", tc.args, err)
			}
			var row struct {
				ClassName string   `json:"class_name"`
				Limiting  []string `json:"limiting"`
			}
			if err := json.Unmarshal([]byte(stdout), &row); err != nil {
				t.Fatalf("output %q: %v", stdout, err)
			}
			if got := row.ClassName + " [" + strings.Join(row.Limiting, " ") + "]"; got != tc.want {
				t.Errorf("water classify %v = %s; want %s", tc.args, got, tc.want)
			}
		})
	}
}

func TestWaterClassifyErrors(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		wantErr     string
		wantOut     string
	}{
		{"bad value names line and column", "section,time,do\na,2021-04-01,8\nb,2021-04-01,abc\n", []string{"-"},
			`water classify stdin: line 3, column "do": value "abc" is not a number`,
			`{"section":"a","time":"2021-04-01","class":1,"class_name":"Ⅰ类","limiting":["do"],"grade":"优"}` + "\n"},
		{"bad water body cell", "section,water_body,tp\na,sea,0.1\n", nil,
			`water classify stdin: line 2, column "water_body": parse "sea": invalid water body`, ""},
		{"no section column", "site,tp\na,0.1\n", nil,
			`water classify stdin: line 1: no "section" column`, ""},
		{"unknown item flag", "", []string{"--items", "ph,cond"},
			`--items: item "cond": unknown item`, ""},
		{"TN is not a class item", "", []string{"--items", "tn"},
			`--items: item "tn": not a class item`, ""},
		{"bad water flag", "", []string{"--water", "sea"},
			`--water: parse "sea": invalid water body`, ""},
		{"missing file", "", []string{filepath.Join("no", "such.csv")},
			"open " + filepath.Join("no", "such.csv") + ": no such file or directory", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runWater(t, tc.stdin, append([]string{"water", "classify"}, tc.args...)...)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("water classify %v error = %v; want %q", tc.args, err, tc.wantErr)
			}
			if stdout != tc.wantOut {
				t.Errorf("water classify %v stdout = %q; want %q", tc.args, stdout, tc.wantOut)
			}
		})
	}
}
