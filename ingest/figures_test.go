package ingest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

var (
	june2024 = time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai)
	hour8    = time.Date(2024, 6, 30, 8, 0, 0, 0, models.Shanghai)
)

// TestPeriodStampsAreOneFigure: whatever instant of its period a row is
// stamped with, a figure is stored at the period's start.
func TestPeriodStampsAreOneFigure(t *testing.T) {
	for _, tc := range []struct{ stamp, indicator, entity string }{
		{"2024-06", "prefab_building_started_area", ""},
		{"2024-06-01", "prefab_building_started_area", ""},
		{"2024-06-30", "prefab_building_started_area", ""},
		{"2024-06-30T23:59:59.9+08:00", "prefab_building_started_area", ""},
		{"2024-06-30T15:59:59Z", "prefab_building_started_area", ""},
		{"2024-06-30 08:59:59", "ph", "S"},
		{"2024-06-30T00:30:00Z", "ph", "S"},
	} {
		p, sink := newTestPipeline(t, Options{})
		res, err := process(t, p, "p.csv", canonicalHeader+tc.stamp+","+tc.indicator+","+tc.entity+",7,\n")
		if err != nil || res.Accepted != 1 {
			t.Fatalf("%s: %v, rejected %v", tc.stamp, err, res.Rejected)
		}
		want := june2024
		if tc.indicator == "ph" {
			want = hour8
		}
		if got := sink.all()[0].Time; !got.Equal(want) {
			t.Errorf("%s %s stored at %v, want %v", tc.indicator, tc.stamp, got, want)
		}
	}
}

// TestRowsATenthOfASecondApart: rows of one period are one figure in every
// format and precision; the same value is a duplicate, two values reject
// each row with the period named, and nothing acknowledged is lost.
func TestRowsATenthOfASecondApart(t *testing.T) {
	base := time.Date(2024, 6, 30, 8, 0, 0, 0, models.Shanghai)
	ns := func(d time.Duration) string { return itoa(base.Add(d).UnixNano()) }
	ms := func(d time.Duration) string { return itoa(base.Add(d).UnixMilli()) }
	for _, tc := range []struct {
		name, text string
		accepted   int
		duplicates int
		conflicts  int
	}{
		{"same.csv", "time,indicator,entity,value\n2024-06-30T08:00:00.1+08:00,ph,S,7.5\n2024-06-30T08:00:00.2+08:00,ph,S,7.5\n2024-06-30T08:00:00.3+08:00,ph,S,7.5\n", 1, 2, 0},
		{"differ.csv", "time,indicator,entity,value\n2024-06-30T08:00:00.1+08:00,ph,S,7.5\n2024-06-30T08:00:00.2+08:00,ph,S,7.6\n2024-06-30T08:00:00.3+08:00,ph,S,7.7\n", 0, 0, 3},
		{"differ.ndjson", `{"time":` + ms(100*time.Millisecond) + `,"indicator":"ph","entity":"S","value":7.5}` + "\n" +
			`{"time":` + ms(200*time.Millisecond) + `,"indicator":"ph","entity":"S","value":7.6}` + "\n", 0, 0, 2},
		{"differ.lp", "ph,entity=S value=7.5 " + ns(100*time.Millisecond) + "\nph,entity=S value=7.6 " + ns(200*time.Millisecond) + "\n", 0, 0, 2},
		{"month.lp", "prefab_building_started_area value=125000 " + ns(0) + "\nprefab_building_started_area value=125001 " + ns(100*time.Millisecond) + "\n", 0, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{})
			res, err := process(t, p, tc.name, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, res)
			if res.Accepted != tc.accepted || res.Duplicates != tc.duplicates || res.RejectedByRule[RuleConflictingDuplicate] != tc.conflicts {
				t.Fatalf("accepted %d, duplicates %d, conflicts %d; want %d, %d, %d (%v)", res.Accepted, res.Duplicates,
					res.RejectedByRule[RuleConflictingDuplicate], tc.accepted, tc.duplicates, tc.conflicts, res.Rejected)
			}
			if len(sink.all()) != tc.accepted {
				t.Errorf("delivered %d, accepted %d", len(sink.all()), tc.accepted)
			}
			for _, r := range res.Rejected {
				if !strings.Contains(r.Message, "2024年6月30日8时") && !strings.Contains(r.Message, "2024-06 (2024年6月)") {
					t.Errorf("conflict %q does not name the period", r.Message)
				}
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestUnstorableTimesInEveryFormat: each format reports the time field.
func TestUnstorableTimesInEveryFormat(t *testing.T) {
	for _, tc := range []struct{ name, text, field string }{
		{"y0.csv", canonicalHeader + "0000-06-30,prefab_building_started_area,,1,万平方米\n", "time"},
		{"y1677.csv", canonicalHeader + "1677-09-21,prefab_building_started_area,,1,万平方米\n", "time"},
		{"y1.csv", canonicalHeader + "0001-01-01T00:00:00Z,prefab_building_started_area,,1,万平方米\n", "time"},
		{"y1000.ndjson", `{"time":"1000-06-30","indicator":"ph","entity":"S","value":7}` + "\n", "time"},
		{"y1677.lp", "prefab_building_started_area value=1 -9223372036\n", "timestamp"},
	} {
		p, sink := newTestPipeline(t, Options{})
		res, err := process(t, p, tc.name, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if len(sink.all()) != 0 || len(res.Rejected) != 1 || res.Rejected[0].Rule != RuleBadTime || res.Rejected[0].Field != tc.field {
			t.Errorf("%s: delivered %v, rejected %v; want one bad_time on %s", tc.name, sink.all(), res.Rejected, tc.field)
		}
	}
}

// TestProviders: a mapping's source, else the input's provider; a row's
// source within limits.
func TestProviders(t *testing.T) {
	zjw := config.Mapping{Name: "zjw_long", Source: "zjw", Layout: config.LayoutLong, TimeColumn: "time",
		IndicatorColumn: "indicator", ValueColumn: "value", UnitColumn: "unit"}
	for _, tc := range []struct {
		name     string
		in       Input
		text     string
		provider string
		rule     string
	}{
		{"input's provider", Input{Provider: "drop"}, canonicalHeader + "2024-06,gdp,,1,亿元\n", "drop", ""},
		{"mapping's source wins", Input{Provider: "drop", Mapping: "zjw_long"}, canonicalHeader + "2024-06,gdp,,1,亿元\n", "zjw", ""},
		{"a push keeps its own", Input{Provider: "tjj", FixedProvider: true, Mapping: "zjw_long"}, canonicalHeader + "2024-06,gdp,,1,亿元\n", "tjj", ""},
		{"row names a provider", Input{Provider: "import"}, "time,indicator,value,unit,source\n2024-06,gdp,1,亿元,lab.1\n", "lab.1", ""},
		{"row names the push's own", Input{Provider: "tjj", FixedProvider: true}, "time,indicator,value,unit,source\n2024-06,gdp,1,亿元,tjj\n", "tjj", ""},
		{"push row names another", Input{Provider: "tjj", FixedProvider: true}, "time,indicator,value,unit,source\n2024-06,gdp,1,亿元,lab\n", "", RuleProviderNotAllowed},
		{"token name in a file", Input{Provider: "import"}, "time,indicator,value,unit,source\n2024-06,gdp,1,亿元,tjj\n", "", RuleProviderNotAllowed},
		{"derived in JSON", Input{Provider: "import"}, `{"time":"2024-06","indicator":"gdp","value":1e8,"source":"derived"}` + "\n", "", RuleProviderNotAllowed},
		{"demo in line protocol", Input{Provider: "import"}, "gdp,source=demo value=1e8 1717171200\n", "", RuleProviderNotAllowed},
		{"provider field as store writes it", Input{Provider: "import"}, `figure,indicator=gdp value=1e8,provider="zjw" 1717171200` + "\n", "zjw", ""},
		{"long name", Input{Provider: "import"}, "time,indicator,value,unit,source\n2024-06,gdp,1,亿元," + strings.Repeat("x", 65) + "\n", "", RuleProviderNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{ReservedProviders: []string{"tjj"}}, zjw)
			in := tc.in
			in.Name, in.Reader = "in", strings.NewReader(tc.text)
			switch {
			case strings.HasPrefix(tc.text, "{"):
				in.Format = FormatNDJSON
			case strings.HasPrefix(tc.text, "time"):
				in.Format = FormatCSV
			default:
				in.Format = FormatLP
			}
			res, err := p.Process(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if tc.rule != "" {
				if len(res.Rejected) != 1 || res.Rejected[0].Rule != tc.rule || !strings.Contains("source provider", res.Rejected[0].Field) {
					t.Fatalf("rejected %v, want one %s on the source field", res.Rejected, tc.rule)
				}
				return
			}
			got := sink.all()
			if len(got) != 1 || got[0].Provider != tc.provider {
				t.Fatalf("delivered %+v (rejected %v), want provider %q", got, res.Rejected, tc.provider)
			}
		})
	}
}

// TestPercentagesForRatios: a bare 5 is refused with the hint, 5% and 5
// with unit % are 0.05.
func TestPercentagesForRatios(t *testing.T) {
	p, sink := newTestPipeline(t, Options{})
	res, err := process(t, p, "g.csv", canonicalHeader+"2024-03,gdp_growth,,5,\n2023-12,gdp_growth,,5%,\n2023-09,gdp_growth,,5,%\n2023-06,gdp_growth,,0.05,\n2023-03,gdp_growth,,-1,\n")
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	if len(res.Rejected) != 1 || res.Rejected[0].Rule != RuleLooksLikePercent ||
		!strings.HasPrefix(res.Rejected[0].Message, "5 looks like a percentage: write 5% or 0.05") {
		t.Fatalf("rejected %v", res.Rejected)
	}
	for _, o := range sink.all()[:3] {
		if !close(o.Value, 0.05) {
			t.Errorf("%v stored as %g, want 0.05", o.Time, o.Value)
		}
	}
}

// TestHoldAndConfirm: a monthly flow above its whole year is held with the
// reason, and enters when a row or the input confirms it.
func TestHoldAndConfirm(t *testing.T) {
	row := "2024-07,prefab_building_started_area,,99999,万平方米"
	for _, tc := range []struct {
		name, header, row string
		confirm           bool
		held              bool
	}{
		{"held", canonicalHeader, row, false, true},
		{"confirm column", "time,indicator,entity,value,unit,confirm\n", row + ",是", false, false},
		{"confirm column says no", "time,indicator,entity,value,unit,confirm\n", row + ",no", false, true},
		{"Input.Confirm", canonicalHeader, row, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{})
			res, err := p.Process(context.Background(), Input{Name: "x.csv", Confirm: tc.confirm, Reader: strings.NewReader(tc.header + tc.row + "\n")})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, res)
			if !tc.held {
				if res.Held != 0 || len(sink.all()) != 1 {
					t.Fatalf("held %d, delivered %d; want the confirmed value in", res.Held, len(sink.all()))
				}
				return
			}
			want := "99999万平方米 is more than the whole annual figure 135.1万平方米 (2023) of prefab_building_started_area (新开工装配式建筑面积): a 2024-07 (2024年7月) figure cannot exceed its year; held until confirmed"
			if res.Held != 1 || len(sink.all()) != 0 || len(res.Rejected) != 1 || !strings.HasPrefix(res.Rejected[0].Message, want) {
				t.Fatalf("held %d, delivered %d, rejected %v\nwant the message to start %q", res.Held, len(sink.all()), res.Rejected, want)
			}
		})
	}
}

// ledgerPipeline is a test pipeline with a ledger in a temporary directory.
func ledgerPipeline(t *testing.T, dir string) (*Pipeline, *memSink, *ledger.Ledger) {
	t.Helper()
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p, sink := newTestPipeline(t, Options{Ledger: l})
	return p, sink, l
}

func processAs(t *testing.T, p *Pipeline, name, provider, text string, confirm bool) Result {
	t.Helper()
	res, err := p.Process(context.Background(), Input{Name: name, Provider: provider, Confirm: confirm, Reader: strings.NewReader(text)})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	return res
}

// TestRevisionsDemoAndHistory: corrections are revisions in the ledger,
// demo data never mask real data, and a value far from the figure's
// history is held until confirmed.
func TestRevisionsDemoAndHistory(t *testing.T) {
	dir := t.TempDir()
	p, sink, _ := ledgerPipeline(t, dir)
	csv := func(rows ...string) string { return canonicalHeader + strings.Join(rows, "\n") + "\n" }
	steps := []struct {
		name, provider, text              string
		confirm                           bool
		accepted, revised, held, demoSkip int
	}{
		{"demo first", models.ProviderDemo, csv("2024-05,prefab_building_started_area,,9,万平方米"), false, 1, 0, 0, 0},
		{"real over demo", "zjw", csv("2024-03,prefab_building_started_area,,10,万平方米", "2024-04,prefab_building_started_area,,12,万平方米", "2024-05,prefab_building_started_area,,11,万平方米"), false, 3, 1, 0, 0},
		{"demo under real", models.ProviderDemo, csv("2024-05,prefab_building_started_area,,9,万平方米", "2024-06,prefab_building_started_area,,9,万平方米"), false, 1, 0, 0, 1},
		{"correction", "tjj", csv("2024-05,prefab_building_started_area,,11.5,万平方米"), false, 1, 1, 0, 0},
		{"re-send", "tjj", csv("2024-05,prefab_building_started_area,,11.5,万平方米"), false, 1, 0, 0, 0},
		{"far below history", "zjw", csv("2024-06,prefab_building_started_area,,0.5,万平方米"), false, 0, 0, 1, 0},
		{"confirmed", "zjw", csv("2024-06,prefab_building_started_area,,0.5,万平方米"), true, 1, 1, 0, 0},
		{"re-sent without confirmation", "zjw", csv("2024-06,prefab_building_started_area,,0.5,万平方米"), false, 1, 0, 0, 0},
		{"hourly is not ledgered", "cnemc", csv("2024-06-30 08:00,ph,S,7.5,"), false, 1, 0, 0, 0},
	}
	for _, s := range steps {
		before := len(sink.all())
		res := processAs(t, p, s.name+".csv", s.provider, s.text, s.confirm)
		if res.Accepted != s.accepted || res.Revised != s.revised || res.Held != s.held || res.DemoSkipped != s.demoSkip {
			t.Fatalf("%s: accepted %d, revised %d, held %d, demo skipped %d; want %d, %d, %d, %d (rejected %v)", s.name,
				res.Accepted, res.Revised, res.Held, res.DemoSkipped, s.accepted, s.revised, s.held, s.demoSkip, res.Rejected)
		}
		if got := len(sink.all()) - before; got != s.accepted {
			t.Errorf("%s: delivered %d, accepted %d", s.name, got, s.accepted)
		}
		if s.held > 0 && !strings.Contains(res.Rejected[0].Message, "is less than 1/10 of the median 11.5万平方米 of the 3 figures of prefab_building_started_area (新开工装配式建筑面积) from 2024-03 to 2024-05") {
			t.Errorf("%s: reason %q", s.name, res.Rejected[0].Message)
		}
	}
	all, err := ledger.Read(dir, ledger.Query{Indicator: "prefab_building_started_area", Period: time.Date(2024, 5, 1, 0, 0, 0, 0, models.Shanghai)})
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range all {
		s := e.Provider + "=" + formatValue(e.Value) + "@" + e.Origin
		if e.Previous != nil {
			s += "<" + e.Previous.Provider
		}
		trail = append(trail, s)
	}
	if got, want := strings.Join(trail, " "), "demo=90000@demo zjw=110000@real over demo.csv:4<demo tjj=115000@correction.csv:2<zjw"; got != want {
		t.Errorf("May's ledger trail = %s\nwant %s", got, want)
	}
	june, _ := ledger.Read(dir, ledger.Query{Period: june2024})
	if len(june) != 2 || !june[1].Confirmed || june[1].Previous == nil || june[0].Provider != "demo" {
		t.Errorf("June's entries = %+v, want demo, then the confirmed 0.5万 revising it", june)
	}
	if hourly, _ := ledger.Read(dir, ledger.Query{Indicator: "ph"}); len(hourly) != 0 {
		t.Errorf("hourly data were ledgered: %+v", hourly)
	}
}

func TestAnnualFigure(t *testing.T) {
	for _, tc := range []struct {
		name string
		ind  models.Indicator
		v    float64
		what string
		year int
	}{
		{"target above baseline", models.Indicator{Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 130000},
			Baseline: &models.Figure{Year: 2023, Value: 120000}}, 130000, "target", 2024},
		{"baseline above target", models.Indicator{Target: &models.Target{Year: 2024, Kind: models.TargetAbsolute, Value: 100000},
			Baseline: &models.Figure{Year: 2023, Value: 120000}}, 120000, "figure", 2023},
		{"a growth target is no amount", models.Indicator{Target: &models.Target{Year: 2024, Kind: models.TargetGrowth, Value: 0.05}},
			0, "", 0},
		{"nothing known", models.Indicator{}, 0, "", 0},
	} {
		v, what, year := annualFigure(tc.ind)
		if v != tc.v || what != tc.what || year != tc.year {
			t.Errorf("%s: annualFigure = %g %q %d, want %g %q %d", tc.name, v, what, year, tc.v, tc.what, tc.year)
		}
	}
}
