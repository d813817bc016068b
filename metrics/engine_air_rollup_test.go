package metrics

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/internal/influxtest"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/models/air"
	"github.com/greenmetrics/greenmetrics/store"
)

// hoursOnly hides the store's rollups (AirDayReader): the engine then reads
// the stations' hours one by one, as it did before the rollups.
type hoursOnly struct{ HistoryReader }

// beijingHours reads the hours of stations from the Beijing multi-site
// file (testdata/refdata/air, UCI; CO in µg/m³ there as in the catalogue)
// between from and to.
func beijingHours(t *testing.T, stations map[string]bool, from, to time.Time) []models.Observation {
	t.Helper()
	f, err := os.Open("../testdata/refdata/air/beijing_multisite_hourly_12stations_2013-03_2017-02.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	columns := map[string]string{"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3": "O3"}
	var out []models.Observation
	for _, rec := range rows[1:] {
		if !stations[rec[col["station"]]] {
			continue
		}
		num := func(name string) int { n, _ := strconv.Atoi(rec[col[name]]); return n }
		at := time.Date(num("year"), time.Month(num("month")), num("day"), num("hour"), 0, 0, 0, models.Shanghai)
		if at.Before(from) || !at.Before(to) {
			continue
		}
		for code, c := range columns {
			if v, err := strconv.ParseFloat(rec[col[c]], 64); err == nil {
				out = append(out, models.Observation{Time: at, Indicator: code, Entity: rec[col["station"]], Value: v, Provider: "cnemc"})
			}
		}
	}
	return out
}

// TestAirRollupMatchesHours: the stations' daily values, the region's
// daily AQI and the annual statistics computed from InfluxDB's daily
// rollups are those computed from the hours, on two years of real data of
// three Beijing stations with a demo hour and a negative hour added
// (such days are read hour by hour). Daily concentrations agree to 1e-12
// relative (a sum InfluxDB adds across two shards, and CO converted after
// the mean instead of before, round differently in the last bits); AQI,
// levels, primary pollutants, validity and day counts exactly, annual
// statistics at reporting precision.
func TestAirRollupMatchesHours(t *testing.T) {
	srv := influxtest.New(t)
	st, err := store.New(store.Config{URL: srv.URL, Bucket: srv.Bucket(), Org: "greenmetrics", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	ctx := context.Background()
	stations := []string{"Dongsi", "Huairou", "Tiantan"}
	from := time.Date(2015, 1, 1, 0, 0, 0, 0, models.Shanghai)
	asOf := time.Date(2016, 12, 31, 23, 0, 0, 0, models.Shanghai)
	obs := beijingHours(t, map[string]bool{"Dongsi": true, "Huairou": true, "Tiantan": true}, from, asOf.Add(time.Hour))
	obs = append(obs,
		models.Observation{Time: time.Date(2016, 5, 3, 10, 0, 0, 0, models.Shanghai), Indicator: "pm25", Entity: "Huairou", Value: 41, Provider: models.ProviderDemo},
		models.Observation{Time: time.Date(2015, 8, 9, 4, 0, 0, 0, models.Shanghai), Indicator: "no2", Entity: "Tiantan", Value: -1, Provider: "cnemc"},
	)
	lines := make([]string, 0, len(obs))
	for _, o := range obs {
		lines = append(lines, string(store.AppendObservation(nil, o)))
	}
	for i := 0; i < len(lines); i += 20000 {
		if err := st.WriteLines(ctx, lines[i:min(i+20000, len(lines))]...); err != nil {
			t.Fatalf("WriteLines: %v", err)
		}
	}
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	read := func(r HistoryReader) airInput {
		t.Helper()
		e, err := New(Options{Indicators: cat.Indicators(), Analysis: testAnalysis(), Scope: config.Scope{Stations: stations}, Reader: r, Now: func() time.Time { return asOf }})
		if err != nil {
			t.Fatal(err)
		}
		h, err := e.read(ctx, e.indicatorsFor(2016), 2016, asOf)
		if err != nil {
			t.Fatal(err)
		}
		return h.air
	}
	rolled, hourly := read(st), read(hoursOnly{st})

	if len(rolled.demo) != 1 || !rolled.demo[dateOf(time.Date(2016, 5, 3, 0, 0, 0, 0, models.Shanghai))] {
		t.Errorf("demo dates from the rollups = %v; want 2016-05-03 only", rolled.demo)
	}
	if len(hourly.demo) != len(rolled.demo) {
		t.Errorf("demo dates from the hours = %v, from the rollups %v", hourly.demo, rolled.demo)
	}
	days := 0
	for _, s := range stations {
		if len(rolled.stations[s]) != len(hourly.stations[s]) {
			t.Errorf("%s: %d days from the rollups, %d from the hours", s, len(rolled.stations[s]), len(hourly.stations[s]))
		}
		for date, want := range hourly.stations[s] {
			got, ok := rolled.stations[s][date]
			if !ok {
				t.Errorf("%s %s: missing from the rollups", s, date.Format(time.DateOnly))
				continue
			}
			days++
			for f := air.Field(0); f < air.NumFields; f++ {
				if got[f].Valid != want[f].Valid || want[f].Valid && !close12(got[f].V, want[f].V) {
					t.Errorf("%s %s %s: rollup %+v, hours %+v", s, date.Format(time.DateOnly), f, got[f], want[f])
				}
			}
		}
	}
	if days < 3*700 {
		t.Fatalf("compared %d station-days; the data should give about 3×730", days)
	}
	rd, hd := rolled.regionDays(), hourly.regionDays()
	if len(rd) != len(hd) {
		t.Fatalf("%d region days from the rollups, %d from the hours", len(rd), len(hd))
	}
	for i := range hd {
		g, w := rd[i], hd[i]
		if !g.Date.Equal(w.Date) || g.Valid != w.Valid || g.AQI != w.AQI || g.Level != w.Level || !equalStrings(g.Primary, w.Primary) {
			t.Errorf("%s: rollup AQI %d %v %v %v, hours %d %v %v %v", w.Date.Format(time.DateOnly), g.AQI, g.Valid, g.Level, g.Primary, w.AQI, w.Valid, w.Level, w.Primary)
		}
	}
	for _, y := range []int{2015, 2016} {
		var gy, wy []air.DatedDay
		for i := range hd {
			if hd[i].Date.Year() == y {
				gy, wy = append(gy, rd[i]), append(wy, hd[i])
			}
		}
		g, w := air.AssessYear(y, gy), air.AssessYear(y, wy)
		if g.ValidDays != w.ValidDays || g.GoodDays != w.GoodDays || g.HeavyDays != w.HeavyDays {
			t.Errorf("%d: rollup days %d/%d/%d, hours %d/%d/%d", y, g.ValidDays, g.GoodDays, g.HeavyDays, w.ValidDays, w.GoodDays, w.HeavyDays)
		}
		for s := air.Statistic(0); s < air.NumStatistics; s++ {
			if g.Stats[s].Valid != w.Stats[s].Valid || s.Reported(g.Stats[s].V) != s.Reported(w.Stats[s].V) {
				t.Errorf("%d %s: rollup %+v, hours %+v", y, s, g.Stats[s], w.Stats[s])
			}
		}
	}
}

func close12(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
