package ingest

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// refdataNow is after the newest reference figure (PBoC 2025Q3).
var refdataNow = Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, models.Shanghai) }}

// processFile runs one reference file through p.
func processFile(t *testing.T, p *Pipeline, path string) (Result, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return p.Process(context.Background(), Input{Name: filepath.Base(path), Reader: f})
}

// TestRefdataFilesImport reads every real reference file through the
// mappings of deploy/mappings/refdata.yaml and checks what becomes of it.
func TestRefdataFilesImport(t *testing.T) {
	dir := refdataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.csv*"))
	if err != nil || len(files) < 20 {
		t.Fatalf("found %d reference files: %v", len(files), err)
	}
	sort.Strings(files)
	// Files no column mapping can describe (docs/ingest.md): their long
	// slices are imported instead.
	unmapped := map[string]bool{
		"beijing_multisite_daily_12stations_2013-03_2017-02.csv": true,
		"cui2021_china_provincial_daily_co2_2019_2020.csv":       true,
		"owid_co2_data_2020ed_selected.csv":                      true,
	}
	// Rejections the real data is known to earn; anything else fails.
	expected := map[string]map[string]int{
		"cnemc_water_4h_haihe_2021-04-01_05.csv":                 {RuleStatusNotAccepted: 373, RuleConflictingDuplicate: 589},
		"cnemc_water_daily_96sections_2020-05-08_2021-04-05.csv": {RuleStatusNotAccepted: 11432},
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".gz")
		t.Run(name, func(t *testing.T) {
			if testing.Short() && name == "beijing_multisite_hourly_12stations_2013-03_2017-02.csv" {
				t.Skip("4.5 M values; skipped in -short")
			}
			p, _ := newTestPipeline(t, refdataNow, refdataMappings(t)...)
			res, err := processFile(t, p, path)
			if unmapped[name] {
				if ie, ok := err.(*InputError); !ok || ie.Rule != RuleMalformedHeader {
					t.Errorf("unmapped file: err = %v, want malformed_header", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			checkCounts(t, res)
			if res.Mapping == "" || res.Accepted == 0 {
				t.Errorf("mapping %q accepted %d", res.Mapping, res.Accepted)
			}
			want := expected[name]
			for rule, n := range res.RejectedByRule {
				if want[rule] != n {
					t.Errorf("rejected %d by %s, want %d (first: %v)", n, rule, want[rule], res.Rejected[:min(3, len(res.Rejected))])
				}
			}
			for rule, n := range want {
				if res.RejectedByRule[rule] != n {
					t.Errorf("rejected %d by %s, want %d", res.RejectedByRule[rule], rule, n)
				}
			}
		})
	}
}

func TestRefdataCNEMC4hConflicts(t *testing.T) {
	p, sink := newTestPipeline(t, refdataNow, refdataMappings(t)...)
	res, err := processFile(t, p, filepath.Join(refdataDir(t), "water", "cnemc_water_4h_haihe_2021-04-01_05.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4154 || res.Provider != "cnemc" {
		t.Errorf("rows %d source %q, want 4154 cnemc", res.Rows, res.Provider)
	}
	// README: 新八里桥 2021-04-02 08:00 has CODMn 6.03 and 6.43, rows 260
	// and 261 of the file. Both are rejected, naming each other.
	var got []Rejection
	for _, r := range res.Rejected {
		if (r.Row == 260 || r.Row == 261) && r.Field == "codmn" {
			got = append(got, r)
		}
	}
	if len(got) != 2 || got[0].Rule != RuleConflictingDuplicate || !strings.Contains(got[0].Message, "value 6.03 mg/L conflicts with value 6.43 mg/L in row 261") ||
		!strings.Contains(got[1].Message, "value 6.43 mg/L conflicts with value 6.03 mg/L in row 260") {
		t.Errorf("新八里桥 codmn rejections = %v", got)
	}
	at := time.Date(2021, 4, 2, 8, 0, 0, 0, models.Shanghai)
	for _, o := range sink.all() {
		if o.Entity == "北京市/新八里桥" && o.Indicator == "codmn" && o.Time.Equal(at) {
			t.Errorf("a conflicting CODMn of 新八里桥 was delivered: %+v", o)
		}
	}
}

func TestRefdataUnitsAndRenames(t *testing.T) {
	dir := refdataDir(t)
	p, sink := newTestPipeline(t, refdataNow, refdataMappings(t)...)
	for _, f := range []string{"finance/carbon_prices_long.csv.gz", "finance/pboc_green_loans_long.csv.gz", "carbon/cui2021_china_provincial_daily_co2_long.csv.gz"} {
		if _, err := processFile(t, p, filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	count := map[string]int{}
	find := map[string]models.Observation{}
	for _, o := range sink.all() {
		count[o.Indicator+"|"+o.Entity]++
		find[o.Indicator+"|"+o.Entity+"|"+o.Time.UTC().Format(time.RFC3339)] = o
	}
	if count["carbon_price_eua|EU-ETS/EUA"] != 844 || count["carbon_price|EU-ETS/EUA"] != 0 || count["carbon_price|CN-GD/GDEA"] != 516 {
		t.Errorf("carbon price counts = %v", count)
	}
	for key, want := range map[string]float64{
		// Figures are stored at the start of their period in Beijing time.
		"carbon_price_eua|EU-ETS/EUA|2021-01-03T16:00:00Z": 33.56,    // EUR/t, Berlin midnight of 01-04 is 01-04 in Beijing
		"green_loan_balance|CN|2021-06-30T16:00:00Z":       14.78e12, // 2021-09-30: Q3; CNY trillion → CNY
		"green_loan_growth_yoy|CN|2021-06-30T16:00:00Z":    0.279,    // percent → ratio
		"co2_power|CN-BJ|2018-12-31T16:00:00Z":             150361,   // MtCO2/day → tCO2
	} {
		o, ok := find[key]
		if !ok || !close(o.Value, want) {
			t.Errorf("%s = %+v (found %v), want %g", key, o, ok, want)
		}
	}
}
