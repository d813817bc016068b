package ingest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// gzipOf compresses a CSV followed by n bytes of its last row repeated.
func gzipOf(t testing.TB, csv string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write([]byte(csv))
	rows := strings.Split(strings.TrimSuffix(csv, "\n"), "\n")
	chunk := bytes.Repeat([]byte(rows[len(rows)-1]+"\n"), 2048)
	for n > 0 {
		k := min(n, len(chunk))
		_, _ = zw.Write(chunk[:k])
		n -= k
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombWorkbook is a valid .xlsx whose first sheet holds a header row and
// then n bytes of whitespace inside sheetData: small packed, huge
// unpacked, and a single XML text token to a decoder.
func bombWorkbook(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, text string) io.Writer {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, text)
		return w
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w := put("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>time</t></is></c><c r="B1" t="inlineStr"><is><t>indicator</t></is></c><c r="C1" t="inlineStr"><is><t>value</t></is></c></row>`)
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	for left := n; left > 0; left -= len(chunk) {
		_, _ = w.Write(chunk[:min(left, len(chunk))])
	}
	_, _ = io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>2024-06</t></is></c><c r="B2" t="inlineStr"><is><t>gdp</t></is></c><c r="C2"><v>1</v></c></row></sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecompressedSizeLimit(t *testing.T) {
	const limit = 1 << 20
	csv := "time,indicator,entity,value,unit\n2024-06,gdp,,1,亿元\n"
	tests := []struct {
		name      string
		in        Input
		wantLimit string
	}{
		{"gz file", Input{Name: "big.csv.gz", Reader: bytes.NewReader(gzipOf(t, csv, 4*limit))}, "max_decompressed_bytes"},
		{"gzip sniffed without a name", Input{Name: "push", Reader: bytes.NewReader(gzipOf(t, csv, 4*limit))}, "max_decompressed_bytes"},
		{"declared gzip, push limit", Input{Name: "push", Gzip: true, MaxBytes: limit / 2, LimitName: "max_body_bytes", Reader: bytes.NewReader(gzipOf(t, csv, limit))}, "max_body_bytes"},
		{"workbook over the limit", Input{Name: "bomb.xlsx", Reader: bytes.NewReader(bombWorkbook(t, 2*limit))}, "max_decompressed_bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{MaxDecompressedBytes: limit})
			res, err := p.Process(context.Background(), tc.in)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Rule != RuleTooLarge || !strings.Contains(ie.Message, tc.wantLimit) || !strings.Contains(ie.Message, "more than") {
				t.Fatalf("Process = %v, want %s naming %s", err, RuleTooLarge, tc.wantLimit)
			}
			if strings.HasSuffix(tc.in.Name, ".csv.gz") || tc.in.Name == "push" {
				// The row before the limit was good and stays accepted.
				if res.Accepted != 1 || len(sink.all()) != 1 {
					t.Errorf("accepted %d, stored %d, want the 1 row before the limit", res.Accepted, len(sink.all()))
				}
			}
		})
	}
}

// TestDecompressedSizeLimitExact: an input of exactly the limit passes.
func TestDecompressedSizeLimitExact(t *testing.T) {
	csv := "time,indicator,entity,value,unit\n2024-06,gdp,,1,亿元\n"
	body := gzipOf(t, csv, 1000)
	p, _ := newTestPipeline(t, Options{})
	res, err := p.Process(context.Background(), Input{Name: "push", Gzip: true, MaxBytes: int64(len(csv) + 1000), Reader: bytes.NewReader(body)})
	if err != nil || res.Accepted != 1 {
		t.Fatalf("Process = %+v, %v; want 1 accepted", res, err)
	}
}

// TestWorkbookCellBounds: a workbook under the decompression limit whose
// sheet holds one text run longer than the record limit is refused before
// excelize reads it.
func TestWorkbookCellBounds(t *testing.T) {
	p, _ := newTestPipeline(t, Options{MaxRecordBytes: 64 << 10})
	_, err := p.Process(context.Background(), Input{Name: "spaces.xlsx", Reader: bytes.NewReader(bombWorkbook(t, 1<<20))})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Rule != RuleTooLarge || !strings.Contains(ie.Message, "xl/worksheets/sheet1.xml: a text of more than 65536 bytes") {
		t.Fatalf("Process = %v, want %s naming the sheet's long text", err, RuleTooLarge)
	}
	// The same shape with little whitespace is an ordinary workbook.
	res, err := p.Process(context.Background(), Input{Name: "ok.xlsx", Reader: bytes.NewReader(bombWorkbook(t, 100))})
	if err != nil || res.Accepted != 1 {
		t.Fatalf("small workbook: %+v, %v; want 1 accepted", res, err)
	}
}

// sharedStringsWorkbook is a valid .xlsx whose shared-strings table holds
// n one-letter strings.
func sharedStringsWorkbook(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, text string) io.Writer {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, text)
		return w
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	put("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`)
	w := put("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	chunk := bytes.Repeat([]byte("<si><t>a</t></si>"), 4096)
	for left := n; left > 0; left -= 4096 {
		_, _ = w.Write(chunk)
	}
	_, _ = io.WriteString(w, `</sst>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWorkbookSharedStringsBound: a shared-strings table over 16 MiB,
// which excelize would unmarshal whole, is refused from the zip directory
// before anything is unpacked.
func TestWorkbookSharedStringsBound(t *testing.T) {
	p, _ := newTestPipeline(t, Options{})
	_, err := p.Process(context.Background(), Input{Name: "sst.xlsx", Reader: bytes.NewReader(sharedStringsWorkbook(t, 1<<20))})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Rule != RuleTooLarge || !strings.Contains(ie.Message, "shared strings (xl/sharedStrings.xml)") {
		t.Fatalf("Process = %v, want %s naming the shared strings", err, RuleTooLarge)
	}
}

func TestScanXMLBounds(t *testing.T) {
	tests := []struct {
		name, xml string
		want      string // "" for no error
	}{
		{"small", `<a><row r="1"><c>1</c></row></a>`, ""},
		{"long text", `<a>` + strings.Repeat("x", 200) + `</a>`, "a text of more than 100 bytes"},
		{"long tag", `<a ` + strings.Repeat(" ", 200) + `>`, "a tag of more than 100 bytes"},
		{"long row", `<row r="1">` + strings.Repeat("<c>12345</c>", 40) + `</row>`, "a row of more than 300 bytes"},
		{"rows each short", strings.Repeat(`<row r="1">`+strings.Repeat("<c>12345</c>", 20)+`</row>`, 10), ""},
		{"rowBreaks is no row", `<rowBreaks>` + strings.Repeat("<c>12345</c>", 40) + `</rowBreaks>`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := scanXMLBounds(strings.NewReader(tc.xml), 100, 300)
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("scanXMLBounds = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestRowErrors: the row, field and rule of rejections name the fault.
func TestRowErrors(t *testing.T) {
	const head = "time,indicator,entity,value,unit\n"
	tests := []struct {
		name, file, text string
		row              int
		field, rule      string
	}{
		{"year 1", "a.csv", head + "0001-01-01,pm25,S1,5,ug/m3\n", 2, "time", RuleBadTime},
		{"year 1 with offset", "a.csv", head + "0001-01-01T00:00:00Z,pm25,S1,5,ug/m3\n", 2, "time", RuleBadTime},
		{"year 1 district-wide", "a.csv", head + "0001-01-01,gdp,,5,亿元\n", 2, "time", RuleBadTime},
		{"year 1 json", "a.ndjson", `{"time":"0001-01-01","indicator":"pm25","entity":"S1","value":5}` + "\n", 1, "time", RuleBadTime},
		{"json array on one line", "a.json", `[{"time":"2024-06","indicator":"gdp","value":1,"unit":"亿元"},{"time":"2024-06","indicator":"gdp","value":"x"},{"time":"2024-07","indicator":"gdp","value":"y"}]`, 2, "value", RuleNonNumeric},
		{"ndjson by line", "a.ndjson", `{"time":"2024-06","indicator":"gdp","value":1,"unit":"亿元"}` + "\n\n" + `{"time":"2024-06","indicator":"gdp","value":"x"}` + "\n", 3, "value", RuleNonNumeric},
		{"C1 control in entity", "a.csv", head + "2024-06-01 08:00,pm25,S\u00851,5,ug/m3\n", 2, "entity", RuleBadCharacters},
		{"right-to-left override", "a.csv", head + "2024-06-01 08:00,pm25,\u202e1S,5,ug/m3\n", 2, "entity", RuleBadCharacters},
		{"isolate", "a.csv", head + "2024-06-01 08:00,pm25,\u2066S1\u2069,5,ug/m3\n", 2, "entity", RuleBadCharacters},
		{"zero-width space", "a.csv", head + "2024-06-01 08:00,pm25,S\u200b1,5,ug/m3\n", 2, "entity", RuleBadCharacters},
		{"BOM inside", "a.csv", head + "2024-06-01 08:00,pm25,S\ufeff1,5,ug/m3\n", 2, "entity", RuleBadCharacters},
		{"zero-width joiner in indicator", "a.csv", head + "2024-06-01 08:00,pm\u200d25,S1,5,ug/m3\n", 2, "indicator", RuleBadCharacters},
		{"control in json entity", "a.ndjson", `{"time":"2024-06-01 08:00","indicator":"pm25","entity":"S\u00071","value":5}` + "\n", 1, "entity", RuleBadCharacters},
		{"bidi in provider", "a.csv", "time,indicator,entity,value,unit,source\n2024-06-01 08:00,pm25,S1,5,ug/m3,la\u202eb\n", 2, "source", RuleBadCharacters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestPipeline(t, Options{})
			res, err := process(t, p, tc.file, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rejected) == 0 {
				t.Fatalf("nothing rejected (accepted %d)", res.Accepted)
			}
			got := res.Rejected[0]
			if got.Row != tc.row || got.Field != tc.field || got.Rule != tc.rule {
				t.Errorf("rejection %v, want row %d field %s rule %s", got, tc.row, tc.field, tc.rule)
			}
		})
	}
}

// TestDatesWithoutOffsetAreUTC8: every date without an offset means
// +08:00, in 1900 as in 2024 and in the 1986–1991 summers the tz database
// gives daylight saving.
func TestDatesWithoutOffsetAreUTC8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1900-01-01", "1899-12-31T16:00:00Z"},
		{"1901-06-01 08:00", "1901-06-01T00:00:00Z"},
		{"1988-07-01 08:00", "1988-07-01T00:00:00Z"},
		{"2024-06-30 08:00", "2024-06-30T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{})
			if _, err := process(t, p, "a.csv", "time,indicator,entity,value,unit\n"+tc.in+",pm25,S1,5,ug/m3\n"); err != nil {
				t.Fatal(err)
			}
			got := sink.all()
			if len(got) != 1 {
				t.Fatalf("stored %d", len(got))
			}
			if s := got[0].Time.UTC().Format(time.RFC3339); s != tc.want {
				t.Errorf("stored at %s, want %s", s, tc.want)
			}
			if _, off := got[0].Time.In(models.Shanghai).Zone(); off != 8*3600 {
				t.Errorf("offset %d s, want +08:00", off)
			}
		})
	}
	// Period starts of old dates are at +08:00 midnight as well.
	for _, f := range []models.Frequency{models.FrequencyMonthly, models.FrequencyAnnual} {
		start := models.PeriodOf(f, time.Date(1900, 3, 15, 12, 0, 0, 0, time.UTC)).Start
		if h, m, _ := start.UTC().Clock(); h != 16 || m != 0 {
			t.Errorf("%s period of 1900-03-15 starts at %s, want 16:00 UTC the day before", f, start.UTC().Format(time.RFC3339))
		}
	}
}
