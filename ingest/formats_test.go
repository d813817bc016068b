package ingest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

func TestJSONArrayAndNDJSON(t *testing.T) {
	array := `[
  {"time": "2024-06", "indicator": "green_credit_balance", "value": 300, "unit": "亿元"},
  {"time": "2024-06-30 08:00", "indicator": "ph", "entity": "S1", "value": "7.2", "source": "lab"},
  {"time": 1719705600, "indicator": "ph", "entity": "S2", "value": 7.3},
  {"time": "2024-06", "indicator": "gdp", "value": true},
  {"time": "2024-06", "indicator": "gdp", "value": 1, "colour": "red"},
  {"time": "2024-06", "indicator": "gdp", "value": {"v": 1}},
  42
]`
	ndjson := strings.Join([]string{
		`{"time": "2024-06", "indicator": "green_credit_balance", "value": 300, "unit": "亿元"}`,
		`{"time": "2024-06-30 08:00", "indicator": "ph", "entity": "S1", "value": "7.2", "source": "lab"}`,
		`{"time": 1719705600, "indicator": "ph", "entity": "S2", "value": 7.3}`,
		`{"time": "2024-06", "indicator": "gdp", "value": true}`,
		`{"time": "2024-06", "indicator": "gdp", "value": 1, "colour": "red"}`,
		`{"time": "2024-06", "indicator": "gdp", "value": {"v": 1}}`,
		`{"time": "2024-06", "indicator": "gdp", "value": 1`,
		``,
	}, "\n")
	wantRejected := map[string][]Rejection{
		// A JSON array's rows are its elements, not its lines.
		"rows.json": {
			{Row: 4, Field: "value", Rule: RuleNonNumeric, Message: "value is a boolean, not a number"},
			{Row: 5, Field: "colour", Rule: RuleMalformedRow, Message: `unknown field "colour" (allowed: time, indicator, entity, value, unit, source, confirm)`},
			{Row: 6, Rule: RuleMalformedRow, Message: `field "value" holds an object; a row is a flat object`},
			{Row: 7, Rule: RuleMalformedRow, Message: "array element is a number, not a row object"},
		},
		"rows.ndjson": {
			{Row: 4, Field: "value", Rule: RuleNonNumeric, Message: "value is a boolean, not a number"},
			{Row: 5, Field: "colour", Rule: RuleMalformedRow, Message: `unknown field "colour" (allowed: time, indicator, entity, value, unit, source, confirm)`},
			{Row: 6, Rule: RuleMalformedRow, Message: `field "value" holds an object; a row is a flat object`},
			{Row: 7, Rule: RuleMalformedRow, Message: "JSON: the object does not end on its line"},
		},
	}
	for name, text := range map[string]string{"rows.json": array, "rows.ndjson": ndjson} {
		t.Run(name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{})
			res, err := process(t, p, name, text)
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, res)
			got := sink.all()
			if len(got) != 3 {
				t.Fatalf("accepted %v, want 3 (rejected %v)", got, res.Rejected)
			}
			if got[0].Value != 3e10 || got[1].Provider != "lab" || got[1].Value != 7.2 ||
				!got[2].Time.Equal(time.Unix(1719705600, 0)) || got[2].Value != 7.3 {
				t.Errorf("accepted %+v", got)
			}
			want := wantRejected[name]
			if len(res.Rejected) != len(want) {
				t.Fatalf("rejected %v, want %v", res.Rejected, want)
			}
			for i, w := range want {
				g := res.Rejected[i]
				if g.Row != w.Row || g.Field != w.Field || g.Rule != w.Rule || g.Message != w.Message {
					t.Errorf("rejection %d = %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestJSONInputErrors(t *testing.T) {
	tests := []struct{ name, text, rule, msg string }{
		{"syntax", "[{\"time\": \"2024-06\",\n \"indicator\" \"gdp\"}]", RuleMalformedInput, "JSON syntax: invalid character '\"' after object key (line 2)"},
		{"truncated", `[{"time": "2024-06", "indicator": "gdp", "value": 1}, {"time"`, RuleMalformedInput, "the JSON ends in the middle of a value (truncated?)"},
		{"scalar", `17`, RuleMalformedInput, "JSON input must be an array of row objects, or row objects one after another (NDJSON)"},
		{"empty array", `[]`, RuleNoDataRows, "the JSON array is empty"},
		{"whitespace", "  \n", RuleEmptyInput, "no JSON value in the input"},
		{"trailing", `[{"time": "2024-06", "indicator": "gdp", "value": 1}] x`, RuleMalformedInput, "content after the end of the JSON array (line 1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestPipeline(t, Options{})
			_, err := process(t, p, "in.json", tc.text)
			ie, ok := err.(*InputError)
			if !ok || ie.Rule != tc.rule || ie.Message != tc.msg {
				t.Errorf("Process = %v, want rule %s message %q", err, tc.rule, tc.msg)
			}
		})
	}
}

func TestLineProtocol(t *testing.T) {
	in := strings.Join([]string{
		"# comment",
		"ph,entity=北京市/新八里桥 value=7.5 1719705600",
		"observation,indicator=codmn,entity=S\\ 1,source=lab value=6.03 1719705600000",
		"green_credit_balance,unit=亿元 value=300i 1719705600000000",
		"gdp value=1 1719705600000000000",
		"gdp,host=a value=1 1719705600",
		"gdp value=1",
		"gdp other=1 1719705600",
		"gdp value=\"1\" 1719705600",
		"gdp value=t 1719705600",
		"gdp",
		"observation value=1 1719705600",
		"",
	}, "\n")
	p, sink := newTestPipeline(t, Options{})
	res, err := process(t, p, "in.lp", in)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	// 2024-06-30 08:00 Beijing time, stored at the start of its period.
	at := time.Unix(1719705600, 0)
	q2 := time.Date(2024, 4, 1, 0, 0, 0, 0, models.Shanghai)
	want := []models.Observation{
		{Time: at, Indicator: "ph", Entity: "北京市/新八里桥", Value: 7.5},
		{Time: at, Indicator: "codmn", Entity: "S 1", Value: 6.03, Provider: "lab"},
		{Time: q2, Indicator: "green_credit_balance", Value: 3e10},
		{Time: q2, Indicator: "gdp", Value: 1},
	}
	got := sink.all()
	if len(got) != len(want) {
		t.Fatalf("accepted %+v\nrejected %v", got, res.Rejected)
	}
	for i := range want {
		if !got[i].Time.Equal(want[i].Time) || got[i].Indicator != want[i].Indicator || got[i].Entity != want[i].Entity ||
			got[i].Value != want[i].Value || got[i].Provider != want[i].Provider {
			t.Errorf("observation %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	wantRej := []struct {
		row         int
		rule, field string
		msg         string
	}{
		{6, RuleMalformedRow, "host", `unknown tag "host" (allowed: entity, indicator, source, unit, confirm)`},
		{7, RuleBadTime, "timestamp", "the line has no timestamp"},
		{8, RuleMalformedRow, "other", `unknown field "other": the number goes in the field "value"`},
		{9, RuleNonNumeric, "value", `value "1" is a string field, not a number`},
		{10, RuleNonNumeric, "value", "value t is a boolean, not a number"},
		{11, RuleMalformedRow, "", "line protocol: no fields"},
		{12, RuleMalformedRow, "measurement", `the measurement is the indicator, or "figure" (or "observation") with an indicator tag`},
	}
	if len(res.Rejected) != len(wantRej) {
		t.Fatalf("rejected %v", res.Rejected)
	}
	for i, w := range wantRej {
		g := res.Rejected[i]
		if g.Row != w.row || g.Rule != w.rule || g.Field != w.field || g.Message != w.msg {
			t.Errorf("rejection %d = %+v, want row %d %s %q %q", i, g, w.row, w.rule, w.field, w.msg)
		}
	}
}

func TestLineProtocolPrecision(t *testing.T) {
	for _, tc := range []struct {
		ts, prec string
		want     time.Time
	}{
		{"1719705600", "", time.Unix(1719705600, 0)},
		{"1719705600123", "", time.UnixMilli(1719705600123)},
		{"1719705600123456", "", time.UnixMicro(1719705600123456)},
		{"1719705600123456789", "", time.Unix(0, 1719705600123456789)},
		{"-6942355200", "", time.Unix(-6942355200, 0)},
		{"1719705600", "ms", time.UnixMilli(1719705600)},
	} {
		p, sink := newTestPipeline(t, Options{MaxFuture: 1 << 62})
		_, err := p.Process(context.Background(), Input{Name: "t.lp", Precision: tc.prec,
			Reader: strings.NewReader("ph,entity=S value=7 " + tc.ts + "\n")})
		if err != nil {
			t.Fatal(err)
		}
		// pH is hourly: the figure is stored at the start of its hour.
		want := models.PeriodOf(models.FrequencyHourly, tc.want).Start
		if got := sink.all(); len(got) != 1 || !got[0].Time.Equal(want) {
			t.Errorf("timestamp %s precision %q = %v, want %v", tc.ts, tc.prec, got, want)
		}
	}
}

// workbook builds an .xlsx in memory from rows of cells.
func workbook(t testing.TB, sheet string, rows [][]any, merge ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		if err := f.DeleteSheet("Sheet1"); err != nil {
			t.Fatal(err)
		}
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i+1 < len(merge); i += 2 {
		if err := f.MergeCell(sheet, merge[i], merge[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExcelWideDepartmentSheet(t *testing.T) {
	// A department's monthly sheet: a title row, then a header naming the
	// indicators in Chinese with their units, months as real dates.
	data := workbook(t, "2024年", [][]any{
		{"通州区住建委 2024年月报"},
		{"月份", "新开工装配式建筑面积（万平方米）", "公共建筑节能绿色化改造面积(万平方米)"},
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 10.5, 8},
		{"2024-02", 11.25, "--"},
		{"2024-03", -1, 7},
	})
	m := config.Mapping{Name: "zjw", Match: "zjw_*.xlsx", Layout: "wide", Sheet: "2024年", HeaderRow: 2, TimeColumn: "月份", Source: "zjw",
		Columns: map[string]config.ColumnMapping{
			"新开工装配式建筑面积（万平方米）":    {Indicator: "prefab_building_started_area", Unit: "万平方米"},
			"公共建筑节能绿色化改造面积(万平方米)": {Indicator: "public_building_green_retrofit_area", Unit: "万平方米"},
		}}
	p, sink := newTestPipeline(t, Options{}, m)
	res, err := p.Process(context.Background(), Input{Name: "zjw_2024.xlsx", Reader: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	if res.Mapping != "zjw" || res.Format != FormatXLSX || res.Rows != 3 || res.NotMeasured != 1 || res.Accepted != 4 {
		t.Fatalf("result = %+v", res)
	}
	got := sink.all()
	if !got[0].Time.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, models.Shanghai)) || got[0].Value != 105000 || got[0].Provider != "zjw" {
		t.Errorf("first observation = %+v", got[0])
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Row != 5 || res.Rejected[0].Rule != RuleOutOfRange || res.Rejected[0].Field != "新开工装配式建筑面积（万平方米）" {
		t.Errorf("rejections = %v", res.Rejected)
	}

	// Without a mapping the same header is understood from the catalogue.
	p2, sink2 := newTestPipeline(t, Options{})
	plain := workbook(t, "Sheet1", [][]any{
		{"月份", "新开工装配式建筑面积（万平方米）", "public_building_green_retrofit_area"},
		{"2024-01", 10.5, 80000},
	})
	res2, err := p2.Process(context.Background(), Input{Name: "any.xlsx", Reader: bytes.NewReader(plain)})
	if err != nil || res2.Accepted != 2 || sink2.all()[1].Value != 80000 {
		t.Errorf("auto-wide workbook: %+v, %v", res2, err)
	}
}

func TestExcelLong(t *testing.T) {
	data := workbook(t, "Sheet1", [][]any{
		{"time", "indicator", "entity", "value", "unit"},
		{"2024-06-30 08:00", "ph", "S1", 7.25, ""},
		{"2024-06", "green_credit_balance", "", 300, "亿元"},
	})
	p, sink := newTestPipeline(t, Options{})
	res, err := p.Process(context.Background(), Input{Name: "long.xlsx", Reader: bytes.NewReader(data)})
	if err != nil || res.Accepted != 2 || sink.all()[1].Value != 3e10 {
		t.Fatalf("long workbook: %+v, %v", res, err)
	}
}

func TestMappingFeatures(t *testing.T) {
	cnemc := config.Mapping{Name: "cnemc", Layout: "wide", TimeColumn: "timestamp", EntityColumns: []string{"province", "section"},
		StatusColumn: "status", StatusAccept: []string{"正常"}, Missing: []string{"", "--", "*", "EF"},
		Columns: map[string]config.ColumnMapping{"ph": {Indicator: "ph", Unit: "pH"}, "codmn": {Indicator: "codmn", Unit: "mg/L"}}}
	air := config.Mapping{Name: "air", Layout: "wide", TimeColumns: []string{"year", "month", "day", "hour"}, EntityColumn: "station",
		EntityPrefix: "BJ-", Missing: []string{"NA"}, Columns: map[string]config.ColumnMapping{"PM2.5": {Indicator: "pm25", Unit: "ug/m3"}}}
	prices := config.Mapping{Name: "prices", Layout: "long", TimeColumn: "timestamp", EntityColumn: "entity",
		IndicatorColumn: "indicator", ValueColumn: "value", UnitColumn: "unit",
		EntityIndicators: map[string]map[string]string{"EU-ETS/EUA": {"carbon_price": "carbon_price_eua"}},
		Units:            map[string]string{"class(1=I..6=劣V)": "class"}}
	tests := []struct {
		m        config.Mapping
		text     string
		accepted []models.Observation
		rules    []string
		nm       int
	}{
		{cnemc, "province,section,timestamp,ph,codmn,status\n" +
			"北京市,东店,2021-04-01T08:00:00+08:00,7.75,5.54,正常\n" +
			"北京市,东店,2021-04-01T12:00:00+08:00,--,EF,正常\n" +
			"北京市,东店,,7.7,5.5,维护\n",
			[]models.Observation{
				{Time: time.Date(2021, 4, 1, 8, 0, 0, 0, models.Shanghai), Indicator: "ph", Entity: "北京市/东店", Value: 7.75},
				{Time: time.Date(2021, 4, 1, 8, 0, 0, 0, models.Shanghai), Indicator: "codmn", Entity: "北京市/东店", Value: 5.54},
			}, []string{RuleStatusNotAccepted}, 2},
		{air, "No,year,month,day,hour,PM2.5,station\n1,2013,3,1,0,4,Dongsi\n2,2013,3,1,1,NA,Dongsi\n3,2013,2,30,1,5,Dongsi\n",
			[]models.Observation{{Time: time.Date(2013, 3, 1, 0, 0, 0, 0, models.Shanghai), Indicator: "pm25", Entity: "BJ-Dongsi", Value: 4}},
			[]string{RuleBadTime}, 1},
		{prices, "timestamp,entity,indicator,value,unit\n" +
			"2021-01-04T00:00:00+01:00,EU-ETS/EUA,carbon_price,33.56,EUR/tCO2\n" +
			"2021-01-04T00:00:00+08:00,CN-GD/GDEA,carbon_price,30.5,CNY/tCO2\n" +
			"2021-01-04T00:00:00+08:00,CN-GD/GDEA,carbon_price,31,EUR/tCO2\n",
			[]models.Observation{
				{Time: time.Date(2021, 1, 4, 0, 0, 0, 0, models.Shanghai), Indicator: "carbon_price_eua", Entity: "EU-ETS/EUA", Value: 33.56},
				{Time: time.Date(2021, 1, 4, 0, 0, 0, 0, models.Shanghai), Indicator: "carbon_price", Entity: "CN-GD/GDEA", Value: 30.5},
			}, []string{RuleUnitNotConvertible}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.m.Name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{}, tc.m)
			res, err := p.Process(context.Background(), Input{Name: "f.csv", Mapping: tc.m.Name, Reader: strings.NewReader(tc.text)})
			if err != nil {
				t.Fatal(err)
			}
			checkCounts(t, res)
			got := sink.all()
			if len(got) != len(tc.accepted) || res.NotMeasured != tc.nm {
				t.Fatalf("accepted %+v, not measured %d\nrejected %v", got, res.NotMeasured, res.Rejected)
			}
			for i, w := range tc.accepted {
				if !got[i].Time.Equal(w.Time) || got[i].Indicator != w.Indicator || got[i].Entity != w.Entity || got[i].Value != w.Value || got[i].Provider != tc.m.Name {
					t.Errorf("observation %d = %+v, want %+v", i, got[i], w)
				}
			}
			for i, rule := range tc.rules {
				if i >= len(res.Rejected) || res.Rejected[i].Rule != rule {
					t.Errorf("rejections %v, want rules %v", res.Rejected, tc.rules)
				}
			}
		})
	}
}

func TestMappingCompileErrors(t *testing.T) {
	cat := testCatalog(t)
	for _, tc := range []struct {
		m    config.Mapping
		want string
	}{
		{config.Mapping{Name: "a", Layout: "wide", TimeColumn: "t", Columns: map[string]config.ColumnMapping{"x": {Indicator: "nope"}}},
			`ingest: mapping "a": columns["x"]: indicator "nope" is not in the catalogue`},
		{config.Mapping{Name: "b", Layout: "wide", TimeColumn: "t", Columns: map[string]config.ColumnMapping{"x": {Indicator: "gdp", Unit: "m2"}}},
			`ingest: mapping "b": columns["x"]: indicator gdp: "m2" (m2) to "CNY" (CNY): units measure different quantities`},
		{config.Mapping{Name: "c", Layout: "long", TimeColumn: "t", IndicatorColumn: "i", ValueColumn: "v", Indicators: map[string]string{"x": "nope"}},
			`ingest: mapping "c": indicators["x"]: indicator "nope" is not in the catalogue`},
	} {
		_, err := NewPipeline(cat, []config.Mapping{tc.m}, &memSink{}, Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("NewPipeline(%s) = %v, want %q", tc.m.Name, err, tc.want)
		}
	}
	m := config.Mapping{Name: "d", Layout: "long", TimeColumn: "t", IndicatorColumn: "i", ValueColumn: "v"}
	if _, err := NewPipeline(cat, []config.Mapping{m, m}, &memSink{}, Options{}); err == nil || err.Error() != `ingest: mapping "d" defined twice` {
		t.Errorf("duplicate mapping: %v", err)
	}
}

func TestHeaderErrors(t *testing.T) {
	m := config.Mapping{Name: "m", Layout: "long", TimeColumn: "when", IndicatorColumn: "what", ValueColumn: "v"}
	for _, tc := range []struct{ name, mapping, text, msg string }{
		{"mapping column missing", "m", "when,what,value\n2024-06,gdp,1\n",
			`mapping "m": value column "v" is not in the header (columns: when, what, value)`},
		{"unknown canonical columns", "", "time,indicator,value,colour\n2024-06,gdp,1,red\n",
			`unknown columns "colour": the long layout has time, indicator, entity, value, unit, source and confirm; give a mapping for other layouts`},
		{"no time", "", "indicator,value\ngdp,1\n", "no time column (time, timestamp or date; columns: indicator, value)"},
		{"neither layout", "", "time,foo,bar\n2024-06,1,2\n",
			`columns "foo", "bar" are neither canonical columns (time, indicator, entity, value, unit, source, confirm) nor catalogue indicators; give a mapping for this layout`},
		{"ambiguous", "", "time,time,indicator,value\n", `column "time" appears 2 times in the header`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestPipeline(t, Options{}, m)
			_, err := p.Process(context.Background(), Input{Name: "h.csv", Mapping: tc.mapping, Reader: strings.NewReader(tc.text)})
			ie, ok := err.(*InputError)
			if !ok || ie.Rule != RuleMalformedHeader || ie.Message != tc.msg || ie.Row != 1 {
				t.Errorf("Process = %v\nwant malformed_header at row 1: %q", err, tc.msg)
			}
		})
	}
}

func TestFormatDetection(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       Format
	}{
		{"a.csv", "x", FormatCSV}, {"a.CSV.gz", "x", FormatCSV}, {"a.json", "x", FormatJSON}, {"a.jsonl", "x", FormatNDJSON},
		{"a.lp", "x", FormatLP}, {"a.xlsx", "x", FormatXLSX}, {"push", "[{}]", FormatJSON}, {"push", " {\"a\":1}", FormatNDJSON},
		{"push", "gdp value=1 1", FormatLP}, {"push", "time,indicator,value\n", FormatCSV}, {"push", "PK\x03\x04", FormatXLSX},
	} {
		got, err := detectFormat(FormatAuto, strings.TrimSuffix(tc.name, ".gz"), []byte(tc.head))
		if err != nil || got != tc.want {
			t.Errorf("detectFormat(%q, %q) = %v, %v; want %v", tc.name, tc.head, got, err, tc.want)
		}
	}
	if _, err := detectFormat(FormatAuto, "old.xls", nil); err == nil {
		t.Error("an .xls file was accepted")
	}
	for _, s := range []string{"csv", "JSON", "jsonl", "line-protocol", "excel", ""} {
		if _, err := ParseFormat(s); err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error(`ParseFormat("xml") succeeded`)
	}
}

func TestExcelMergedKeyCellsAreFilledDown(t *testing.T) {
	// A monitoring station's sheet: the section name merged over its three
	// months, and one quarterly figure merged over three month rows, which
	// must stay one value.
	data := workbook(t, "Sheet1", [][]any{
		{"断面", "月份", "ph", "codmn"},
		{"新八里桥", "2024-04", 7.1, 4.2},
		{"", "2024-05", 7.3, ""},
		{"", "2024-06", 7.0, ""},
		{"榆林庄", "2024-04", 7.6, 5.1},
		{"", "2024-05", "", 5.3},
	}, "A2", "A4", "D2", "D4", "A5", "A6")
	m := config.Mapping{Name: "station", Match: "station_*.xlsx", Layout: "wide", TimeColumn: "月份", EntityColumns: []string{"断面"},
		Columns: map[string]config.ColumnMapping{"ph": {Indicator: "ph"}, "codmn": {Indicator: "codmn"}}}
	p, sink := newTestPipeline(t, Options{}, m)
	res, err := p.Process(context.Background(), Input{Name: "station_2024q2.xlsx", Reader: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	if res.MergedFilled != 3 || res.RejectedCount() != 0 || res.Accepted != 7 || res.NotMeasured != 3 {
		t.Fatalf("result = %+v", res)
	}
	type key struct{ entity, indicator, month string }
	got := map[key]float64{}
	for _, o := range sink.all() {
		got[key{o.Entity, o.Indicator, o.Time.Format("2006-01")}] = o.Value
	}
	want := map[key]float64{
		{"新八里桥", "ph", "2024-04"}: 7.1, {"新八里桥", "codmn", "2024-04"}: 4.2,
		{"新八里桥", "ph", "2024-05"}: 7.3, {"新八里桥", "ph", "2024-06"}: 7.0,
		{"榆林庄", "ph", "2024-04"}: 7.6, {"榆林庄", "codmn", "2024-04"}: 5.1, {"榆林庄", "codmn", "2024-05"}: 5.3,
	}
	if len(got) != len(want) {
		t.Errorf("observations = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%v = %v, want %v", k, got[k], v)
		}
	}
}

func TestScanMergeRefs(t *testing.T) {
	for _, tc := range []struct {
		name, xml string
		want      []string
	}{
		{"plain", `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells count="2"><mergeCell ref="A2:A4"/><mergeCell ref="B1:C1"/></mergeCells></worksheet>`, []string{"A2:A4", "B1:C1"}},
		{"prefixed, single quotes", `<x:worksheet><x:mergeCells count="1"><x:mergeCell ref='C5:C9'/></x:mergeCells></x:worksheet>`, []string{"C5:C9"}},
		{"none", `<worksheet><sheetData/></worksheet>`, nil},
		{"text with < entities and a long run " + strings.Repeat("x", 10), `<worksheet><c><is><t>` + strings.Repeat("a", 200<<10) + `</t></is></c><mergeCell ref="D1:D2"/></worksheet>`, []string{"D1:D2"}},
	} {
		got, err := scanMergeRefs(strings.NewReader(tc.xml))
		if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: refs = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestNonDetectValuesAreRejectedWithAdvice(t *testing.T) {
	in := "time,indicator,entity,value,unit\n" +
		"2024-06-01,cd,新八里桥,0.0005L,mg/L\n" +
		"2024-06-01,hg,新八里桥,<0.00004,mg/L\n" +
		"2024-06-01,phenol,新八里桥,未检出,mg/L\n" +
		"2024-06-01,codmn,新八里桥,3.1,mg/L\n" +
		"2024-06-01,nh3n,新八里桥,0.3L0,mg/L\n"
	p, sink := newTestPipeline(t, Options{})
	res, err := p.Process(context.Background(), Input{Name: "lab.csv", Reader: strings.NewReader(in)})
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, res)
	if res.Accepted != 1 || len(sink.all()) != 1 || res.RejectedByRule[RuleNonNumeric] != 4 {
		t.Fatalf("result = %+v", res)
	}
	for i, rej := range res.Rejected {
		nonDetect := strings.Contains(rej.Message, "is a non-detect (below a detection limit)")
		if want := i < 3; nonDetect != want {
			t.Errorf("row %d: %q; non-detect advice %v, want %v", rej.Row, rej.Message, nonDetect, want)
		}
	}
}
