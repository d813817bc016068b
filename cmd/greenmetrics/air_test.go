package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateAirGolden = flag.Bool("update-air", false, "rewrite the golden files of the air command tests")

// checkAirGolden compares got with testdata/air/name, or rewrites it with -update.
func checkAirGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "air", name)
	if *updateAirGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -run %s -update-air)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file %s:\n%s", t.Name(), path, got)
	}
}

func runAir(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	return runWater(t, stdin, args...)
}

func TestAirGolden(t *testing.T) {
	const dec2016 = "../../testdata/refdata/air/beijing_multisite_hourly_2016-12_4stations_long.csv.gz"
	tests := []struct {
		golden string
		args   []string
	}{
		{"aqi.golden", []string{"air", "aqi", "testdata/air/hourly.csv"}},
		{"aqi_region.golden", []string{"air", "aqi", "--region", "两站", "testdata/air/hourly.csv"}},
		{"assess_region.golden", []string{"air", "assess", "--region", "两站", "testdata/air/hourly.csv"}},
		{"dec2016_aqi_region.golden", []string{"air", "aqi", "--region", "北京4站", dec2016}},
		{"dec2016_assess_region.golden", []string{"air", "assess", "--year", "2016", "--region", "北京4站", dec2016}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			stdout, stderr, err := runAir(t, "", tt.args...)
			if err != nil {
				t.Fatalf("%v: %v", tt.args, err)
			}
			checkAirGolden(t, tt.golden, stdout)
			checkAirGolden(t, strings.TrimSuffix(tt.golden, ".golden")+".stderr.golden", stderr)
			for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				if !json.Valid([]byte(line)) {
					t.Errorf("line %d is not JSON: %s", i+1, line)
				}
			}
		})
	}
}

func TestAirStdinAndErrors(t *testing.T) {
	in, err := os.ReadFile("testdata/air/hourly.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, _, err := runAir(t, "", "air", "aqi", "testdata/air/hourly.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromStdin, _, err := runAir(t, string(in), "air", "aqi", "-")
	if err != nil || fromStdin != fromFile {
		t.Errorf("stdin gave %v\n%s", err, fromStdin)
	}
	for _, args := range [][]string{
		{"air", "aqi", "testdata/air/missing.csv"},
		{"air", "assess", "--year", "0", "testdata/air/hourly.csv"},
		{"air", "aqi", "a.csv", "b.csv"},
	} {
		if _, _, err := runAir(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if _, _, err := runAir(t, "station,value\nA,1\n", "air", "aqi"); err == nil || !strings.Contains(err.Error(), "missing column") {
		t.Errorf("no usable header: %v", err)
	}
}

// yearInput writes one station's full year of hourly rows with a daily
// cycle; in March only the first marchDays days are present.
func yearInput(year, marchDays int) string {
	var b strings.Builder
	b.WriteString("time,indicator,entity,value,unit\n")
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)); d.Year() == year; d = d.Add(time.Hour) {
		if d.Month() == time.March && d.Day() > marchDays {
			continue
		}
		k := float64(d.YearDay()%40) + float64(d.Hour())/4
		ts := d.Format(time.RFC3339)
		fmt.Fprintf(&b, "%s,pm25,A,%g,ug/m3\n%s,pm10,A,%g,ug/m3\n%s,so2,A,%g,ug/m3\n", ts, 10+k, ts, 30+k, ts, 5+k/10)
		fmt.Fprintf(&b, "%s,no2,A,%g,ug/m3\n%s,co,A,%g,mg/m3\n%s,o3,A,%g,ug/m3\n", ts, 20+k/2, ts, 0.4+k/50, ts, 40+k)
	}
	return b.String()
}

func TestAirAssessYear(t *testing.T) {
	stdout, _, err := runAir(t, yearInput(2023, 31), "air", "assess")
	if err != nil {
		t.Fatal(err)
	}
	checkAirGolden(t, "assess_year.golden", stdout)
	var line map[string]any
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatal(err)
	}
	if line["meets_class2"] != true || line["valid_days"] != 365.0 || line["good_ratio"] != 1.0 {
		t.Errorf("full clean year: %s", stdout)
	}
	// 26 days in March: every statistic null, the verdict unknown; the day
	// counts stay.
	stdout, _, err = runAir(t, yearInput(2023, 26), "air", "assess", "--year", "2023")
	if err != nil {
		t.Fatal(err)
	}
	line = nil
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatal(err)
	}
	if line["pm25"] != nil || line["co_p95"] != nil || line["meets_class2"] != nil || line["valid_days"] != 360.0 {
		t.Errorf("26 days in March: %s", stdout)
	}
	if v := line["valid"].(map[string]any); v["pm25"] != false || v["o3_8h_p90"] != false {
		t.Errorf("26 days in March: valid %v", v)
	}
	// --year of another year prints nothing.
	if stdout, _, err := runAir(t, yearInput(2023, 31), "air", "assess", "--year", "2022"); err != nil || stdout != "" {
		t.Errorf("--year 2022: %q %v", stdout, err)
	}
}

func TestAirOutputIsUnrounded(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("time,indicator,entity,value\n")
	for h := 0; h < 24; h++ {
		fmt.Fprintf(&buf, "2024-01-01 %02d:00,pm25,A,%d\n", h, 10+h%3)
	}
	stdout, _, err := runAir(t, buf.String(), "air", "aqi")
	if err != nil {
		t.Fatal(err)
	}
	// (8·10 + 8·11 + 8·12)/24 = 11; the 24-hour mean of 10,11,12,10 … .
	if !strings.Contains(stdout, `"pm25":11,`) || !strings.Contains(stdout, `"aqi":null`) {
		t.Errorf("stdout %s", stdout)
	}
}
