package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// fuzzInput runs data through a fresh pipeline and checks what must hold
// for any input: no panic, the counts add up, every rejection and input
// error carries a known rule and a message, and every accepted observation
// is valid and in the catalogue.
func fuzzInput(t *testing.T, in Input, mappings ...config.Mapping) {
	p, sink := newTestPipeline(t, Options{BatchSize: 7, MaxRecordBytes: 4096, MaxXLSXBytes: 1 << 20, MaxDecompressedBytes: 4 << 20}, mappings...)
	res, err := p.Process(context.Background(), in)
	if err == nil {
		checkCounts(t, res)
	}
	if err != nil {
		ie, ok := err.(*InputError)
		if !ok {
			t.Fatalf("Process returned %T %v, want *InputError", err, err)
		}
		if !knownRules[ie.Rule] || ie.Message == "" {
			t.Fatalf("input error %+v", ie)
		}
	}
	for _, r := range res.Rejected {
		if !knownRules[r.Rule] || r.Message == "" || r.Row < 1 {
			t.Fatalf("rejection %+v", r)
		}
	}
	cat := testCatalog(t)
	for _, o := range sink.all() {
		if err := o.Validate(); err != nil {
			t.Fatalf("accepted invalid %+v: %v", o, err)
		}
		ind, ok := cat.Lookup(o.Indicator)
		if !ok || !ind.InRange(o.Value) || o.Time.After(testNow.Add(48*time.Hour)) {
			t.Fatalf("accepted %+v", o)
		}
		if !models.PeriodOf(ind.Frequency, o.Time).Start.Equal(o.Time) || models.CheckStorable(o.Time) != nil {
			t.Fatalf("accepted %+v: not at the start of a storable %s period", o, ind.Frequency)
		}
		if models.IsReservedProvider(o.Provider) {
			t.Fatalf("accepted %+v: a row claimed a reserved provider", o)
		}
	}
}

var knownRules = map[string]bool{
	RuleUnknownIndicator: true, RuleUnitNotConvertible: true, RuleNonNumeric: true, RuleNonFinite: true,
	RuleMissingValue: true, RuleOutOfRange: true, RuleBadTime: true, RuleFutureTime: true,
	RuleConflictingDuplicate: true, RuleMissingEntity: true, RuleUnexpectedEntity: true, RuleBadTag: true,
	RuleBadEncoding: true, RuleBadCharacters: true, RuleMalformedRow: true, RuleStatusNotAccepted: true, RuleLineTooLong: true,
	RuleEmptyInput: true, RuleNoDataRows: true, RuleMalformedHeader: true, RuleMalformedInput: true,
	RuleTooDeep: true, RuleUnsupportedFormat: true, RuleTooLarge: true,
	RuleLooksLikePercent: true, RuleImplausibleValue: true, RuleProviderNotAllowed: true,
}

// fuzzMaxRecord is the record bound of the parser fuzz targets: small, so
// that the fuzzer reaches it.
const fuzzMaxRecord = 4096

// checkParse runs one parser over data and checks what must hold for any
// input: no panic; rows in increasing order, numbered from 1; a row it
// could not read carries a known rule and a message; a failed input is an
// *InputError without Source (the consumer names it) with a known rule and
// a message; and an error of the consumer stops the parse and comes back
// as it is. good checks a row the parser read.
func checkParse(t *testing.T, parse func(yield func(parsedRow) error) error, good func(parsedRow)) {
	t.Helper()
	last, rows := 0, 0
	err := parse(func(row parsedRow) error {
		rows++
		if row.num < 1 || row.num <= last {
			t.Fatalf("row %d after row %d", row.num, last)
		}
		last = row.num
		if row.err != nil {
			if !knownRules[row.err.rule] || row.err.msg == "" {
				t.Fatalf("row %d: rowError %+v", row.num, row.err)
			}
			return nil
		}
		good(row)
		return nil
	})
	if err != nil {
		ie, ok := err.(*InputError)
		if !ok {
			t.Fatalf("parse returned %T %v, want *InputError", err, err)
		}
		if ie.Source != "" || !knownRules[ie.Rule] || ie.Message == "" {
			t.Fatalf("input error %+v", ie)
		}
	}
	if rows == 0 {
		return
	}
	stop := errors.New("consumer stops")
	if err := parse(func(parsedRow) error { return stop }); err != stop {
		t.Fatalf("consumer's error came back as %v", err)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte(canonicalHeader + "2024-06,green_credit_balance,,300,亿元\n2024-06-30 08:00,ph,S,7.5,\n"))
	f.Add([]byte("\xef\xbb\xbftime,indicator,value\r\n2024-06,gdp,\"1,000\"\r\n"))
	f.Add([]byte("月份,新开工装配式建筑面积（万平方米）\n2024-01,12.5\n2024-02,--\n"))
	f.Add([]byte(canonicalHeader + "2024-06,gdp,,1e309,亿元\n\"unclosed,x\n"))
	f.Add([]byte("a,b\n\"x\"y,\xff\n" + strings.Repeat("z", 5000) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, func(yield func(parsedRow) error) error {
			return parseCSV(bytes.NewReader(data), fuzzMaxRecord, yield)
		}, func(row parsedRow) {
			for _, c := range row.cells {
				if !utf8.ValidString(c) {
					t.Fatalf("line %d: cell %q is not UTF-8", row.num, c)
				}
			}
		})
	})
}

// goodObject checks a row object a JSON parser read: its rendering for the
// rejection record is JSON, and no key appears twice.
func goodObject(t *testing.T, row parsedRow) {
	if !json.Valid([]byte(row.text)) {
		t.Fatalf("row %d rendered as %q, not JSON", row.num, row.text)
	}
	seen := map[string]bool{}
	for _, f := range row.fields {
		if seen[f.key] {
			t.Fatalf("row %d: field %q twice", row.num, f.key)
		}
		seen[f.key] = true
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`[{"time":"2024-06","indicator":"gdp","value":1},{"time":1719705600,"indicator":"ph","entity":"S","value":"7"}]`))
	f.Add([]byte(`{"time":"2024-06","indicator":"gdp","value":1} {"time":"2024-07","indicator":"gdp","value":null}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Add([]byte("[{\"time\":\"2024-06\",\"indicator\":\"gdp\",\"entity\":\"\xff\",\"value\":1}]"))
	f.Add([]byte(`[1,{"a":[2]},{"a":1,"a":2},"x"] 3`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, func(yield func(parsedRow) error) error {
			return parseJSON(bytes.NewReader(data), fuzzMaxRecord, yield)
		}, func(row parsedRow) { goodObject(t, row) })
	})
}

func FuzzNDJSON(f *testing.F) {
	f.Add([]byte(`{"time":"2024-06","indicator":"gdp","value":1}` + "\n" + `{"time":"2024-06-30 08:00","indicator":"ph","entity":"S","value":7.1,"unit":"pH"}`))
	f.Add([]byte("{\"a\":{\"b\":{\"c\":1}}}\n\n{bad\n"))
	f.Add([]byte(`{"time":"2024-07","indicator":"prefab_building_started_area","value":9.9e8,"confirm":true,"provider":"demo"}` + "\n" + `{"time":"1677-09-21","indicator":"gdp","value":1,"confirm":"确认"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, func(yield func(parsedRow) error) error {
			return parseNDJSON(bytes.NewReader(data), fuzzMaxRecord, yield)
		}, func(row parsedRow) { goodObject(t, row) })
	})
}

func FuzzLineProtocol(f *testing.F) {
	f.Add([]byte("ph,entity=S\\ 1 value=7.5 1719705600\nobservation,indicator=gdp value=1i 1719705600000\n"))
	f.Add([]byte("gdp,unit=亿元 value=3e2 1719705600000000000\n# c\ngdp value=\"x\" 1\n"))
	f.Add([]byte("figure,indicator=gdp,confirm=y value=1,provider=\"zjw\\\"x\" 1719705600\nprefab_building_started_area,source=derived value=1 -9223372036854775807\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, func(yield func(parsedRow) error) error {
			return parseLineProtocol(bytes.NewReader(data), fuzzMaxRecord, yield)
		}, func(row parsedRow) {
			if row.lp.measurement == "" || len(row.lp.fields) == 0 || !utf8.ValidString(row.text) {
				t.Fatalf("line %d read as %+v", row.num, row.lp)
			}
		})
	})
}

// FuzzXLSX mutates real workbooks: most mutations break the zip, which must
// end in an input error, never a panic or a hang; the rows of a workbook
// that opens are its sheet's, numbered from 1.
func FuzzXLSX(f *testing.F) {
	f.Add(workbook(f, "Sheet1", [][]any{{"time", "indicator", "entity", "value", "unit"}, {"2024-06", "gdp", "", 1, "亿元"}}))
	f.Add(workbook(f, "Sheet1", [][]any{{"月份", "gdp"}, {45474.5, 100}, {"2024-02", "x"}}))
	lim := workbookLimits{maxBytes: 1 << 20, unpack: 4 << 20, unpackName: "max_decompressed_bytes", maxRecord: fuzzMaxRecord}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, func(yield func(parsedRow) error) error {
			wb, err := openWorkbook(bytes.NewReader(data), lim, "")
			if err != nil {
				return err
			}
			defer wb.close()
			return wb.rows(yield)
		}, func(parsedRow) {})
	})
}

// FuzzPipeline is the end-to-end target: any bytes in any format through
// a whole pipeline, with the invariants of fuzzInput.
func FuzzPipeline(f *testing.F) {
	f.Add(uint8(0), []byte("time,indicator,entity,value,unit,source,confirm\n2024-07,prefab_building_started_area,,99999,万平方米,zjw,是\n0000-06-30,gdp_growth,,5,,derived,maybe\n"))
	f.Add(uint8(0), []byte(canonicalHeader+"2024-06,green_credit_balance,,300,亿元\n2024-06-30 08:00,ph,S,7.5,\n2024-06,gdp,,1e309,亿元\n"))
	f.Add(uint8(1), []byte(`[{"time":"2024-06","indicator":"gdp","value":1},{"time":1719705600,"indicator":"ph","entity":"S","value":"7"}]`))
	f.Add(uint8(2), []byte(`{"time":"2024-07","indicator":"prefab_building_started_area","value":9.9e8,"confirm":true,"provider":"demo"}`+"\n"+`{"time":"1677-09-21","indicator":"gdp","value":1,"confirm":"确认"}`))
	f.Add(uint8(3), []byte("figure,indicator=gdp,confirm=y value=1,provider=\"zjw\\\"x\" 1719705600\nprefab_building_started_area,source=derived value=1 -9223372036854775807\n"))
	f.Add(uint8(4), workbook(f, "Sheet1", [][]any{{"月份", "gdp"}, {45474.5, 100}, {"2024-02", "x"}}))
	f.Add(uint8(5), []byte("ph,entity=S value=7.5 1719705600\n"))
	f.Add(uint8(0), []byte(canonicalHeader+"2024-06,\x7f,,1,\n"))
	formats := []struct {
		name   string
		format Format
	}{{"f.csv", FormatCSV}, {"f.json", FormatJSON}, {"f.ndjson", FormatNDJSON}, {"f.lp", FormatLP}, {"f.xlsx", FormatXLSX}, {"f", FormatAuto}}
	f.Fuzz(func(t *testing.T, format uint8, data []byte) {
		in := formats[int(format)%len(formats)]
		fuzzInput(t, Input{Name: in.name, Format: in.format, Reader: bytes.NewReader(data)})
	})
}

// FuzzMapping runs arbitrary CSV through the wide and long mappings of the
// real reference files, with their status, missing-value, time-column and
// rename rules.
func FuzzMapping(f *testing.F) {
	maps := refdataMappings(f)
	f.Add("cnemc_water_4h", []byte("province,basin,section,monitor_time,timestamp,wq_class,wq_class_num,water_temp,ph,do,cond,turb,codmn,nh3n,tp,tn,chla,algae,status\n"+
		"北京市,海河流域,东店,04-01 08:00,2021-04-01T08:00:00+08:00,Ⅲ,3,14.6,7.75,5.70,731.2,36.4,5.54,0.139,0.084,4.46,*,*,正常\n"+
		"北京市,海河流域,东店,--,,Ⅲ,3,14.6,7.75,5.70,731.2,36.4,5.54,0.139,0.084,4.46,*,*,维护\n"))
	f.Add("uci_beijing_multisite_hourly", []byte("No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station\n1,2013,3,1,0,4,4,4,7,300,77,-0.7,1023,-18.8,0,NNW,4.4,Aotizhongxin\n"))
	f.Add("carbon_prices_long", []byte("timestamp,entity,indicator,value,unit\n2021-01-04T00:00:00+01:00,EU-ETS/EUA,carbon_price,33.56,EUR/tCO2\n"))
	f.Add("cnemc_water_long", []byte("timestamp,entity,indicator,value,unit\n2021-04-01T08:00:00+08:00,北京市/东店,wq_class_official,3,class(1=I..6=劣V)\n"))
	names := map[string]bool{}
	for _, m := range maps {
		names[m.Name] = true
	}
	f.Fuzz(func(t *testing.T, mapping string, data []byte) {
		if !names[mapping] {
			mapping = "cnemc_water_4h"
		}
		fuzzInput(t, Input{Name: "f.csv", Mapping: mapping, Reader: bytes.NewReader(data)}, maps...)
	})
}

func TestParseLPRoundTrip(t *testing.T) {
	for _, line := range []string{
		`observation,entity=a\,b\ c\=d,indicator=ph value=7.5 1`,
		`gdp value="a \"q\" b" 2`,
	} {
		l, err := parseLP(line)
		if err != nil || !strings.HasPrefix(l.fields[0].key, "value") {
			t.Errorf("parseLP(%q) = %+v, %v", line, l, err)
		}
	}
	l, _ := parseLP(`observation,entity=a\,b\ c\=d,indicator=ph value=7.5 1`)
	if l.tags[0].val != "a,b c=d" {
		t.Errorf("unescaped tag = %q, want %q", l.tags[0].val, "a,b c=d")
	}
}

// FuzzScanMergeRefs: any worksheet bytes give refs or an error, never a
// panic, and every ref came from a ref attribute.
func FuzzScanMergeRefs(f *testing.F) {
	f.Add(`<worksheet><mergeCells count="1"><mergeCell ref="A2:A4"/></mergeCells></worksheet>`)
	f.Add(`<x:mergeCell ref='B1:B9'/><mergeCell`)
	f.Add(`<<<mergeCell ref="`)
	f.Fuzz(func(t *testing.T, xml string) {
		refs, err := scanMergeRefs(strings.NewReader(xml))
		if err != nil {
			return
		}
		for _, r := range refs {
			if !strings.Contains(xml, r) {
				t.Errorf("ref %q is not in the input", r)
			}
		}
	})
}

// FuzzScanXMLBounds: the workbook pre-check never refuses markup whose
// every text, tag and row is within its bounds — the whole input within
// them certainly is — and refuses by a bound only what is over it.
func FuzzScanXMLBounds(f *testing.F) {
	f.Add(`<sheetData><row r="1"><c><v>1</v></c></row></sheetData>`, 8)
	f.Add(`<row r="1">`+strings.Repeat(" ", 40)+`</row><row>`, 16)
	f.Add(`<<>><row/><rowBreaks>`, 2)
	f.Fuzz(func(t *testing.T, xml string, bound int) {
		if err := scanXMLBounds(strings.NewReader(xml), int64(len(xml)), int64(len(xml))); err != nil {
			t.Fatalf("input of %d bytes refused with bounds of its own size: %v", len(xml), err)
		}
		if bound < 1 {
			return
		}
		err := scanXMLBounds(strings.NewReader(xml), int64(bound), int64(4*bound))
		if err != nil && len(xml) <= bound {
			t.Fatalf("input of %d bytes refused with bound %d: %v", len(xml), bound, err)
		}
	})
}

// FuzzParseConfirm: a confirm cell is yes, no or refused, and what is
// refused gets a message naming it.
func FuzzParseConfirm(f *testing.F) {
	for _, s := range []string{"true", "是", "确认", " Y ", "no", "", "maybe", "1", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		yes, ok := parseConfirm(s)
		if !ok && (yes || !strings.Contains(confirmProblem(s), "confirm")) {
			t.Fatalf("parseConfirm(%q) = %v, %v", s, yes, ok)
		}
		if yes2, ok2 := parseConfirm(" " + s + "\t"); ok != ok2 || yes != yes2 {
			t.Fatalf("parseConfirm of %q depends on surrounding space", s)
		}
	})
}
