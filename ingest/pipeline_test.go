package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

const canonicalHeader = "time,indicator,entity,value,unit\n"

func TestRulesOfOneRow(t *testing.T) {
	tests := []struct {
		name, row        string
		rule, field, msg string
	}{
		{"unknown indicator", "2024-06,no_such,,1,", RuleUnknownIndicator, "indicator",
			`unknown indicator "no_such": not in the catalogue`},
		{"empty indicator", "2024-06,,,1,", RuleUnknownIndicator, "indicator", "indicator is empty"},
		{"unit of another quantity", "2024-06,green_credit_balance,,300,EUR", RuleUnitNotConvertible, "unit",
			`unit "EUR" cannot be converted to CNY, the unit of green_credit_balance (绿色信贷余额)`},
		{"unknown unit", "2024-06,green_credit_balance,,300,furlongs", RuleUnitNotConvertible, "unit",
			`unknown unit "furlongs" for green_credit_balance (绿色信贷余额) (unit CNY)`},
		{"not a number", "2024-06,green_credit_balance,,abc,亿元", RuleNonNumeric, "value", `value "abc" is not a number`},
		{"hex float", "2024-06,green_credit_balance,,0x1p3,亿元", RuleNonNumeric, "value", `value "0x1p3" is not a decimal number`},
		{"overflow", "2024-06,green_credit_balance,,1e309,亿元", RuleNonFinite, "value", `value "1e309" overflows a 64-bit float`},
		{"NaN", "2024-06,green_credit_balance,,NaN,亿元", RuleNonFinite, "value", `value "NaN" is not finite`},
		{"infinity", "2024-06,green_credit_balance,,-Inf,亿元", RuleNonFinite, "value", `value "-Inf" is not finite`},
		{"overflow on conversion", "2024-06,green_credit_balance,,1e300,万亿元", RuleNonFinite, "value",
			"value 1e+300 万亿元 of green_credit_balance (绿色信贷余额) is not finite in CNY"},
		{"negative area", "2024-06,prefab_building_started_area,,-5,万平方米", RuleOutOfRange, "value",
			"value -5万平方米 is outside the physical range ≥ 0万平方米 of prefab_building_started_area (新开工装配式建筑面积)"},
		{"pH above 14", "2024-06-01 08:00,ph,北京市/新八里桥,15,", RuleOutOfRange, "value",
			"value 15 pH is outside the physical range [0 pH, 14 pH] of ph (pH值)"},
		{"ratio above 1", "2024-06,water_good_ratio,,150,%", RuleOutOfRange, "value",
			"value 150% is outside the physical range [0%, 100%] of water_good_ratio (地表水优良（Ⅰ–Ⅲ类）断面比例)"},
		{"growth beyond the default ratio bounds", "2024-06,gdp_growth,,1.5,ratio", RuleOutOfRange, "value",
			"value 150% is outside the physical range [-100%, 100%] of gdp_growth (地区生产总值同比增长)"},
		{"bare number for a ratio", "2024-06,gdp_growth,,5,", RuleLooksLikePercent, "value",
			"5 looks like a percentage: write 5% or 0.05; gdp_growth (地区生产总值同比增长) is a ratio (0.05 = 5%)"},
		{"year 0", "0000-06-30,prefab_building_started_area,,1,万平方米", RuleBadTime, "time",
			"time 0000-06-30 00:00:00 cannot be stored: InfluxDB keeps times from 1677-09-22 to 2262-04-11 only (prefab_building_started_area (新开工装配式建筑面积) is monthly)"},
		{"year 1677", "1677-09-21,prefab_building_started_area,,1,万平方米", RuleBadTime, "time",
			"time 1677-09-21 00:00:00 cannot be stored: InfluxDB keeps times from 1677-09-22 to 2262-04-11 only (prefab_building_started_area (新开工装配式建筑面积) is monthly)"},
		{"year 1000 of an hourly section", "1000-01-01 08:00,ph,S,7,", RuleBadTime, "time",
			"time 1000-01-01 08:00:00 cannot be stored: InfluxDB keeps times from 1677-09-22 to 2262-04-11 only (ph (pH值) is hourly)"},
		{"derived provider", "2024-06,gdp,,1,亿元,derived", RuleProviderNotAllowed, "source",
			`source "derived" is reserved: derived marks the engine's derived figures and demo the demo's; give your own provider name or none`},
		{"demo provider", "2024-06,gdp,,1,亿元,demo", RuleProviderNotAllowed, "source",
			`source "demo" is reserved: derived marks the engine's derived figures and demo the demo's; give your own provider name or none`},
		{"token's name", "2024-06,gdp,,1,亿元,zjw", RuleProviderNotAllowed, "source",
			`source "zjw" is the name of a push token: only that token's pushes are "zjw"'s`},
		{"malformed provider", "2024-06,gdp,,1,亿元,a b", RuleProviderNotAllowed, "source",
			`source "a b" is not a provider name: 1 to 64 letters, digits, '_', '.', ':' or '-'`},
		{"malformed confirm", "2024-06,gdp,,1,亿元,,maybe", RuleMalformedRow, "confirm",
			`confirm "maybe" is not a yes (true, 1, yes, y, 是, 确认) or a no (false, 0, no, n, 否, empty)`},
		{"bad time", "2024-13-45,gdp,,1,亿元", RuleBadTime, "time",
			`time "2024-13-45" is not in an accepted form (RFC 3339, 2024-06, 2024-06-30, 2024-06-30 08:00)`},
		{"empty time", ",gdp,,1,亿元", RuleBadTime, "time", "time is empty"},
		{"future time", "2030-01,gdp,,1,亿元", RuleFutureTime, "time",
			"time 2030-01-01T00:00:00+08:00 is in the future: at most 48h0m0s after now is accepted"},
		{"missing entity", "2024-06-01,ph,,7,", RuleMissingEntity, "entity", "ph (pH值) is measured per section: the entity is missing"},
		{"entity on a district figure", "2024-06,gdp,通州区,1,亿元", RuleUnexpectedEntity, "entity",
			`gdp (地区生产总值) is a district-wide figure: entity "通州区" must be empty`},
		{"missing value", "2024-06,gdp,,,亿元", RuleMissingValue, "value", "value is empty; a long row must carry a value"},
		{"not-measured token", "2024-06,gdp,,--,亿元", RuleMissingValue, "value", `value "--" means not measured; a long row must carry a value`},
		{"backslash in entity", `2024-06-01,ph,a\b,7,`, RuleBadTag, "entity",
			`entity "a\\b": tag value has a control character or a backslash (line protocol cannot carry them portably), or is longer than 256 bytes`},
		{"cells past the header", "2024-06,gdp,,1,亿元,,,extra", RuleMalformedRow, "", "row has 8 cells, the header 7"},
		{"bare quote", `2024-06,gdp,,1"2,亿元`, RuleMalformedRow, "", `CSV: bare " in non-quoted-field (column 15)`},
		{"percent with another unit", "2024-06,gdp,,5%,亿元", RuleNonNumeric, "value", `value "5%" is a percentage but the unit is "亿元"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{ReservedProviders: []string{"zjw"}})
			res, err := process(t, p, "one.csv", "time,indicator,entity,value,unit,source,confirm\n"+tc.row+"\n")
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			checkCounts(t, res)
			if len(res.Rejected) != 1 || len(sink.all()) != 0 {
				t.Fatalf("rejected %v, accepted %v; want one rejection", res.Rejected, sink.all())
			}
			got := res.Rejected[0]
			if got.Rule != tc.rule || got.Field != tc.field || got.Message != tc.msg || got.Row != 2 || got.Source != "one.csv" {
				t.Errorf("rejection = %+v\nwant row 2, rule %s, field %q, message %q", got, tc.rule, tc.field, tc.msg)
			}
			if got.Raw == "" {
				t.Error("rejection has no raw row")
			}
		})
	}
}

func TestCanonicalCSVConvertsUnitsAndTimes(t *testing.T) {
	in := canonicalHeader +
		"2023-12,green_credit_balance,,300,亿元\n" +
		"2024-06-30,prefab_building_started_area,,12.5,万平方米\n" +
		"2024-06-30 08:00,codmn,北京市/新八里桥,6.03,mg/L\n" +
		"2024-06-30T08:00:00Z,tp,北京市/新八里桥,84,ug/L\n" +
		"2024-06,gdp_growth,,5.2,%\n" +
		"2024-05,prefab_building_started_area,,\"1,351,000\",m2\n"
	p, sink := newTestPipeline(t, Options{})
	res, err := process(t, p, "ok.csv", in)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	want := []models.Observation{
		{Time: time.Date(2023, 10, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "green_credit_balance", Value: 3e10}, // quarterly: Q4
		{Time: time.Date(2024, 6, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "prefab_building_started_area", Value: 125000},
		{Time: time.Date(2024, 6, 30, 8, 0, 0, 0, models.Shanghai), Indicator: "codmn", Entity: "北京市/新八里桥", Value: 6.03},
		{Time: time.Date(2024, 6, 30, 8, 0, 0, 0, time.UTC), Indicator: "tp", Entity: "北京市/新八里桥", Value: 0.084},
		{Time: time.Date(2024, 4, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "gdp_growth", Value: 0.052},
		{Time: time.Date(2024, 5, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "prefab_building_started_area", Value: 1351000},
	}
	got := sink.all()
	if len(got) != len(want) {
		t.Fatalf("accepted %d observations, want %d: %v (rejected %v)", len(got), len(want), got, res.Rejected)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Indicator != w.Indicator || g.Entity != w.Entity || !close(g.Value, w.Value) {
			t.Errorf("observation %d = %+v, want %+v", i, g, w)
		}
	}
	if res.Rows != 6 || res.Accepted != 6 || res.Header != "time,indicator,entity,value,unit" {
		t.Errorf("result = %+v", res)
	}
}

func close(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-12*max(1, b, -b)
}

func TestDuplicates(t *testing.T) {
	in := "time,indicator,entity,value\n" +
		"2021-04-02 08:00,codmn,北京市/新八里桥,6.03\n" +
		"2021-04-02 08:00,codmn,北京市/新八里桥,6.43\n" +
		"2021-04-02 08:00,codmn,北京市/新八里桥,6.03\n" +
		"2021-04-02 08:00,ph,北京市/新八里桥,7.1\n" +
		"2021-04-02 08:00,ph,北京市/新八里桥,7.1\n" +
		"2021-04-02 08:00,ph,北京市/东店,7.1\n"
	p, sink := newTestPipeline(t, Options{})
	res, err := process(t, p, "dup.csv", in)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	if res.Accepted != 2 || res.Duplicates != 1 || res.RejectedByRule[RuleConflictingDuplicate] != 3 {
		t.Fatalf("accepted %d, duplicates %d, rejected %v; want 2, 1, 3 conflicting", res.Accepted, res.Duplicates, res.RejectedByRule)
	}
	for _, o := range sink.all() {
		if o.Indicator != "ph" {
			t.Errorf("a conflicting value was delivered: %+v", o)
		}
	}
	wantMsgs := []string{
		"value 6.03 mg/L conflicts with value 6.43 mg/L in row 3 for codmn (高锰酸盐指数) of 北京市/新八里桥 for 2021-04-02 08:00 (2021年4月2日8时); both rejected: send one value per period",
		"value 6.43 mg/L conflicts with value 6.03 mg/L in row 2 for codmn (高锰酸盐指数) of 北京市/新八里桥 for 2021-04-02 08:00 (2021年4月2日8时); both rejected: send one value per period",
		"value 6.03 mg/L conflicts with value 6.03 mg/L in row 2 for codmn (高锰酸盐指数) of 北京市/新八里桥 for 2021-04-02 08:00 (2021年4月2日8时); that figure already has conflicting values",
	}
	for i, rej := range res.Rejected {
		if rej.Row != i+2 || rej.Message != wantMsgs[i] {
			t.Errorf("rejection %d = row %d %q\nwant row %d %q", i, rej.Row, rej.Message, i+2, wantMsgs[i])
		}
	}
}

func TestConflictAcrossBatchesKeepsTheDeliveredValue(t *testing.T) {
	in := "time,indicator,entity,value\n" +
		"2021-04-02 08:00,codmn,S,6.03\n" +
		"2021-04-02 12:00,codmn,S,6.10\n" +
		"2021-04-02 08:00,codmn,S,6.43\n"
	p, sink := newTestPipeline(t, Options{BatchSize: 2})
	res, err := process(t, p, "dup.csv", in)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	if got := len(sink.all()); got != 2 || len(res.Rejected) != 1 {
		t.Fatalf("delivered %d, rejected %v; want 2 delivered, 1 rejected", got, res.Rejected)
	}
	want := "value 6.43 mg/L conflicts with value 6.03 mg/L in row 2 for codmn (高锰酸盐指数) of S for 2021-04-02 08:00 (2021年4月2日8时); row 2 was already delivered in an earlier batch and stays"
	if res.Rejected[0].Message != want || res.Rejected[0].Row != 4 {
		t.Errorf("rejection = %+v, want row 4 %q", res.Rejected[0], want)
	}
}

// spoolFull is an error like the spool's: it says Backpressure() without
// wrapping ErrBackpressure.
type spoolFull struct{}

func (spoolFull) Error() string      { return "spool full" }
func (spoolFull) Backpressure() bool { return true }

func TestSinkErrorStopsAndKeepsWhatWasDelivered(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		pressure bool
	}{
		{"ErrBackpressure", fmt.Errorf("spool: %w", ErrBackpressure), true},
		{"Backpressure method", fmt.Errorf("append: %w", spoolFull{}), true},
		{"disk error", errors.New("write: no space left on device"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{BatchSize: 2})
			sink.fail = func(n int) error {
				if n == 1 {
					return tc.err
				}
				return nil
			}
			var b strings.Builder
			b.WriteString(canonicalHeader)
			for d := 1; d <= 9; d++ {
				fmt.Fprintf(&b, "2022-%02d,prefab_building_started_area,,%d,万平方米\n", d, d)
			}
			res, err := process(t, p, "big.csv", b.String())
			var se *SinkError
			if !errors.As(err, &se) || !errors.Is(err, tc.err) {
				t.Fatalf("Process error = %v, want a *SinkError wrapping %v", err, tc.err)
			}
			if IsBackpressure(err) != tc.pressure {
				t.Errorf("IsBackpressure(%v) = %v, want %v", err, !tc.pressure, tc.pressure)
			}
			if res.Accepted != 2 || len(sink.all()) != 2 {
				t.Errorf("accepted %d (sink %d), want the first batch of 2", res.Accepted, len(sink.all()))
			}
			if res.Rows >= 9 {
				t.Errorf("read %d rows after the sink failed, want processing to stop", res.Rows)
			}
		})
	}
}

func TestStatsBySourceAndRule(t *testing.T) {
	p, _ := newTestPipeline(t, Options{})
	for _, in := range []Input{
		{Name: "a.csv", Provider: "finance", Reader: strings.NewReader(canonicalHeader + "2024-06,gdp,,1,亿元\n2024-06,gdp,,x,亿元\n")},
		{Name: "b.csv", Provider: "finance", Reader: strings.NewReader(canonicalHeader + "2024-07,gdp,,1,亿元\n2024-07,nope,,1,\n")},
		{Name: "c.csv", Reader: strings.NewReader(canonicalHeader + "2024-05,gdp,,1,亿元\n")},
	} {
		if _, err := p.Process(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	fin := st.Sources["finance"]
	if fin.Inputs != 2 || fin.Rows != 4 || fin.Accepted != 2 || fin.Rejected[RuleNonNumeric] != 1 || fin.Rejected[RuleUnknownIndicator] != 1 {
		t.Errorf("finance stats = %+v", fin)
	}
	if u := st.Sources["unknown"]; u.Accepted != 1 || u.Inputs != 1 {
		t.Errorf("unknown-source stats = %+v", u)
	}
	// The copy is the caller's.
	fin.Rejected[RuleNonNumeric] = 99
	if p.Stats().Sources["finance"].Rejected[RuleNonNumeric] != 1 {
		t.Error("Stats returned shared maps")
	}
}

func TestSourceTagPrecedence(t *testing.T) {
	p, sink := newTestPipeline(t, Options{})
	in := "time,indicator,value,source\n2024-06,gdp,1,row_src\n2024-07,gdp,2,\n"
	if _, err := p.Process(context.Background(), Input{Name: "s.csv", Provider: "cli", Reader: strings.NewReader(in)}); err != nil {
		t.Fatal(err)
	}
	got := sink.all()
	if len(got) != 2 || got[0].Provider != "row_src" || got[1].Provider != "cli" {
		t.Errorf("sources = %+v, want row_src then cli", got)
	}
}

func TestOnRejectSeesEveryRejectionInOrder(t *testing.T) {
	p, _ := newTestPipeline(t, Options{MaxRejections: 2, BatchSize: 3})
	var b strings.Builder
	b.WriteString(canonicalHeader)
	for i := 0; i < 10; i++ {
		b.WriteString("2024-06,gdp,,bad,亿元\n")
	}
	var rows []int
	res, err := p.Process(context.Background(), Input{Name: "r.csv", Reader: strings.NewReader(b.String()),
		OnReject: func(r Rejection) error { rows = append(rows, r.Row); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 || len(res.Rejected) != 2 || res.RejectedCount() != 10 {
		t.Fatalf("OnReject saw %d, Result keeps %d, counts %d; want 10, 2, 10", len(rows), len(res.Rejected), res.RejectedCount())
	}
	for i, r := range rows {
		if r != i+2 {
			t.Errorf("rejection %d at row %d, want %d", i, r, i+2)
		}
	}
	stop := errors.New("disk full")
	_, err = p.Process(context.Background(), Input{Name: "r.csv", Reader: strings.NewReader(b.String()),
		OnReject: func(Rejection) error { return stop }})
	if !errors.Is(err, stop) {
		t.Errorf("Process with a failing OnReject = %v, want %v", err, stop)
	}
}

func TestCancelledContextStops(t *testing.T) {
	p, _ := newTestPipeline(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var b strings.Builder
	b.WriteString(canonicalHeader)
	for i := 0; i < 5000; i++ {
		b.WriteString("2024-06,gdp,,x,亿元\n")
	}
	_, err := p.Process(ctx, Input{Name: "c.csv", Reader: strings.NewReader(b.String())})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Process on a cancelled context = %v, want context.Canceled", err)
	}
}
