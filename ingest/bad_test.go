package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

var update = flag.Bool("update", false, "rewrite the generated files of testdata/bad and the golden files")

// badDir is testdata/bad at the repository root.
func badDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(repoRoot(t), "testdata", "bad")
}

// generatedBad are the corpus files a program has to write (binary or
// re-encoded); the plain-text ones are committed as written by hand.
func generatedBad(t testing.TB) map[string][]byte {
	t.Helper()
	gbkRow, err := simplifiedchinese.GBK.NewEncoder().String("2021-04-01 08:00,ph,北京市/东店,7.75,\n")
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	garbage[10] = 0
	return map[string][]byte{
		"gbk.csv": []byte(canonicalHeader + gbkRow + "2021-04-01 08:00,ph,S,7.5,\n"),
		"truncated_utf8.csv": []byte(canonicalHeader + "2021-04-01 08:00,ph,北京市/东\xe5\xba,7.75,\n" +
			"2021-04-01 08:00,ph,北京市/古北口,7.4,\n"),
		"garbage.bin":           garbage,
		"nested_10000.json":     []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)),
		"nested_object.json":    []byte(strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)),
		"header_only.xlsx":      workbook(t, "Sheet1", [][]any{{"time", "indicator", "entity", "value", "unit"}}),
		"merged_header.xlsx":    workbook(t, "Sheet1", [][]any{{"月份", "断面", "水质指标", "", ""}, {"", "", "ph", "codmn", "nh3n"}, {"2024-06", "S", 7.1, 4.2, 0.5}}, "C1", "E1"),
		"bom_crlf_wide.xlsx":    workbook(t, "Sheet1", [][]any{{"\ufefftime", "gdp"}, {"2024-06", 100}}),
		"utf16.csv":             append([]byte{0xff, 0xfe}, []byte("t\x00i\x00m\x00e\x00")...),
		"truncated.json":        []byte(`[{"time": "2024-06", "indicator": "gdp", "value": 1}, {"time": "2024-07", "indic`),
		"gzip_truncated.csv.gz": gzipTruncated(t),
	}
}

func gzipTruncated(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(canonicalHeader + strings.Repeat("2024-06,gdp,,1,亿元\n", 2000)))
	zw.Close()
	return buf.Bytes()[:buf.Len()/2]
}

func TestGenerateBadCorpus(t *testing.T) {
	dir := badDir(t)
	for name, data := range generatedBad(t) {
		path := filepath.Join(dir, name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./ingest -run TestGenerateBadCorpus -update)", name, err)
		}
		// Workbooks carry timestamps; only the text files must match.
		if !strings.HasSuffix(name, ".xlsx") && !bytes.Equal(got, data) {
			t.Errorf("%s differs from its generator; run with -update", name)
		}
	}
}

// badCase says what must become of one corpus file: an input error, or
// accepted rows and rejections.
type badCase struct {
	file     string
	in       Input // Name and Reader are filled in
	errRule  string
	errMsg   string
	accepted int
	rejected []Rejection // Row, Field, Rule, Message
}

func TestBadCorpus(t *testing.T) {
	gbkMsg := `not valid UTF-8; it reads as GBK/GB18030 text ("2021-04-01 08:00,ph,北京市/…"): save the file as UTF-8 or import it with encoding gbk`
	cases := []badCase{
		{file: "empty.csv", errRule: RuleEmptyInput, errMsg: "the input is empty"},
		{file: "blank_lines.csv", errRule: RuleNoDataRows, errMsg: "no header row (expected at row 1)"},
		{file: "header_only.csv", errRule: RuleNoDataRows, errMsg: "the file has a header but no data rows"},
		{file: "bom.csv", accepted: 2},
		{file: "crlf.csv", accepted: 2},
		{file: "bom_crlf_wide.xlsx", accepted: 1},
		{file: "gbk.csv", accepted: 1, rejected: []Rejection{{Row: 2, Rule: RuleBadEncoding, Message: "row is " + gbkMsg}}},
		{file: "gbk.csv", in: Input{Encoding: "gbk"}, accepted: 2},
		{file: "truncated_utf8.csv", accepted: 1, rejected: []Rejection{{Row: 2, Rule: RuleBadEncoding,
			Message: "row is not valid UTF-8: byte 0xE5 at offset 33 of the row starts a truncated or damaged character"}}},
		{file: "utf16.csv", errRule: RuleBadEncoding, errMsg: "UTF-16 text (byte-order mark FF FE): save the file as UTF-8"},
		{file: "overflow.csv", accepted: 2, rejected: []Rejection{{Row: 3, Field: "value", Rule: RuleNonFinite, Message: `value "1e309" overflows a 64-bit float`}}},
		{file: "garbage.bin", errRule: RuleBadEncoding, errMsg: "binary data (a NUL byte at offset 10), not UTF-8 text"},
		{file: "header_only.xlsx", errRule: RuleNoDataRows, errMsg: `sheet "Sheet1" has a header but no data rows`},
		{file: "merged_header.xlsx", errRule: RuleMalformedHeader, errMsg: `header cells C1:E1 are merged; give one header row with a name per column (unmerge the cells, or set header_row in a mapping): columns "水质指标" are neither canonical columns (time, indicator, entity, value, unit, source, confirm) nor catalogue indicators; give a mapping for this layout`},
		{file: "nested_10000.json", errRule: RuleTooDeep, errMsg: "JSON nested deeper than 32 levels; rows must be flat objects"},
		{file: "nested_object.json", errRule: RuleTooDeep, errMsg: "JSON nested deeper than 32 levels; rows must be flat objects"},
		{file: "truncated.json", accepted: 1, errRule: RuleMalformedInput, errMsg: "the JSON ends in the middle of a value (truncated?)"},
		{file: "gzip_truncated.csv.gz", accepted: 1, errRule: RuleMalformedInput, errMsg: "gzip: unexpected EOF"},
		{file: "mixed.csv", accepted: 4, rejected: nil}, // rejections: testdata/mixed.rejections.golden
	}
	for _, tc := range cases {
		t.Run(tc.file+"/"+tc.in.Encoding, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(badDir(t), tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p, sink := newTestPipeline(t, Options{})
			in := tc.in
			in.Name, in.Reader = tc.file, bytes.NewReader(data)
			start := time.Now()
			res, err := p.Process(context.Background(), in)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			checkErr(t, err, tc.errRule, tc.errMsg)
			if got := len(sink.all()); got != tc.accepted || res.Accepted != tc.accepted {
				t.Errorf("accepted %d (result %d), want %d; rejected %v", got, res.Accepted, tc.accepted, res.Rejected)
			}
			if tc.file == "mixed.csv" {
				checkGolden(t, "mixed.rejections.golden", rejectionLines(res.Rejected))
				return
			}
			if len(res.Rejected) != len(tc.rejected) {
				t.Fatalf("rejected %v, want %v", res.Rejected, tc.rejected)
			}
			for i, w := range tc.rejected {
				g := res.Rejected[i]
				if g.Row != w.Row || g.Field != w.Field || g.Rule != w.Rule || g.Message != w.Message {
					t.Errorf("rejection %d = %+v\nwant row %d field %q rule %s message %q", i, g, w.Row, w.Field, w.Rule, w.Message)
				}
			}
		})
	}
}

func checkErr(t *testing.T, err error, rule, msg string) {
	t.Helper()
	if rule == "" {
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		return
	}
	ie, ok := err.(*InputError)
	if !ok || ie.Rule != rule || ie.Message != msg {
		t.Fatalf("Process error = %v\nwant %s: %s", err, rule, msg)
	}
}

func rejectionLines(rs []Rejection) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.String())
		b.WriteString("\n\traw: ")
		b.WriteString(r.Raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// checkGolden compares got with testdata/NAME at the repository root.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(repoRoot(t), "testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// TestHugeLines feeds a 50 MB line to every text format: the CSV reader
// stops with a bounded error, the line-oriented ones skip the line.
func TestHugeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 50; i++ {
		f.Write(chunk)
	}
	f.Close()
	open := func() *os.File {
		t.Helper()
		h, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
	for _, tc := range []struct {
		name, head, tail string
		errRule, errMsg  string
		rejRule          string
		accepted         int
	}{
		{"huge.csv", canonicalHeader + "2024-06,gdp,,1,亿元\n2024-06,gdp,,", "\n", RuleLineTooLong,
			"a record is longer than 1048576 bytes (an unclosed quote?); reading stopped", "", 1},
		{"huge.ndjson", `{"time":"2024-06","indicator":"gdp","value":1}` + "\n", "\n" + `{"time":"2024-07","indicator":"gdp","value":1}` + "\n", "", "", RuleLineTooLong, 2},
		{"huge.lp", "gdp value=1 1717171200\n", "\ngdp value=2 1704067200\n", "", "", RuleLineTooLong, 2},
		{"huge.json", `[{"time":"2024-06","indicator":"gdp","value":1},{"entity":"`, `"}]`, RuleLineTooLong,
			"a JSON element is longer than 1048576 bytes; reading stopped", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := newTestPipeline(t, Options{})
			r := io.MultiReader(strings.NewReader(tc.head), open(), strings.NewReader(tc.tail))
			start := time.Now()
			res, err := p.Process(context.Background(), Input{Name: tc.name, Reader: r})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			checkErr(t, err, tc.errRule, tc.errMsg)
			if len(sink.all()) != tc.accepted {
				t.Errorf("accepted %d, want %d", len(sink.all()), tc.accepted)
			}
			if tc.rejRule != "" && (len(res.Rejected) != 1 || res.Rejected[0].Rule != tc.rejRule || res.Rejected[0].Row != 2) {
				t.Errorf("rejected %v, want one %s at row 2", res.Rejected, tc.rejRule)
			}
		})
	}
}
