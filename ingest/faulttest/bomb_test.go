package faulttest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// peakRSSBound is the most memory (VmHWM) the daemon may have used after
// refusing every bomb below. It starts at about 30 MB; the bombs unpack to
// a gigabyte, so a daemon that held one in memory would be far above.
const peakRSSBound = 150 << 20

// TestBombsAreRefusedWithBoundedMemory pushes and drops inputs that are
// small packed and huge unpacked — an .xlsx whose sheet is 900 MiB of
// whitespace, a gzip CSV of 1 GiB with and without Content-Encoding, the
// same as a drop-folder .gz file — into a real daemon, and checks that
// each is refused with a reason naming the limit while the daemon's peak
// memory stays bounded; then that it still takes good data. import gets
// the same .gz file and refuses it the same way.
func TestBombsAreRefusedWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
	db := influxtest.New(t)
	d := newDaemon(t, daemonConfig{influxURL: db.URL, database: db.Database})
	drop := filepath.Join(t.TempDir(), "drop")
	appendIngestConfig(t, d, "  drop_dir: "+drop+"\n")
	d.start(t)

	xlsxBomb := whitespaceWorkbook(t, 900<<20)
	wideCell := whitespaceWorkbook(t, 200<<20) // under the 256 MiB limit: one 200 MiB text
	manyStrings := sharedStringsWorkbook(t, 60<<20)
	gzBomb := rowsGzipCSV(t, 1<<30)
	t.Logf("bombs: xlsx %d bytes (900 MiB sheet), xlsx %d bytes (200 MiB cell), gzip %d bytes (1 GiB)", len(xlsxBomb), len(wideCell), len(gzBomb))

	client := &http.Client{Timeout: 2 * time.Minute}
	for _, tc := range []struct {
		name, contentType, encoding string
		body                        []byte
	}{
		{"xlsx bomb", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", xlsxBomb},
		{"xlsx with a huge cell", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", wideCell},
		{"gzip with Content-Encoding", "text/csv", "gzip", gzBomb},
		{"gzip without Content-Encoding", "text/csv", "", gzBomb},
		{"gzip without any header", "", "", gzBomb},
	} {
		status, msg := pushBody(t, client, d.url(), tc.contentType, tc.encoding, tc.body)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "max_body_bytes") {
			t.Errorf("%s: POST = %d %q, want 413 naming max_body_bytes", tc.name, status, msg)
		}
	}
	// 60 MiB of shared strings, under max_body_bytes, but excelize would
	// read them whole into about 400 MB.
	status, msg := pushBody(t, client, d.url(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", manyStrings)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "shared strings") {
		t.Errorf("xlsx with 60 MiB of shared strings: POST = %d %q, want 413 naming the shared strings", status, msg)
	}

	for name, data := range map[string][]byte{"bomb.xlsx": xlsxBomb, "cell.xlsx": wideCell, "strings.xlsx": manyStrings, "bomb.csv.gz": gzBomb} {
		dropFile(t, drop, name, data)
	}
	for name, want := range map[string]string{
		"bomb.xlsx":    "max_decompressed_bytes",
		"cell.xlsx":    "a text of more than",
		"strings.xlsx": "shared strings",
		"bomb.csv.gz":  "max_decompressed_bytes",
	} {
		reasons := filepath.Join(drop, "rejected", name+".reasons.txt")
		waitUntil(t, name+" refused in the drop folder", 3*time.Minute, func() bool { return fileContains(reasons, want) })
		if !fileContains(reasons, "too_large") {
			t.Errorf("%s: reasons lack the rule too_large:\n%s", name, readAll(t, reasons))
		}
	}

	peak := vmHWM(t, d.cmd.Process.Pid)
	t.Logf("daemon peak RSS after the bombs: %d MiB", peak>>20)
	if !raceEnabled && peak > peakRSSBound {
		t.Errorf("daemon peak RSS %d MiB, want below %d MiB", peak>>20, peakRSSBound>>20)
	}

	// Still serving: a good push is stored, beside the one row (S1) the
	// gzip bombs held before their limit.
	status, msg = pushBody(t, client, d.url(), "text/csv", "", csvBatch(0, 10))
	if status != http.StatusOK {
		t.Fatalf("good push after the bombs = %d %q", status, msg)
	}
	d.waitDelivered(t)
	if n, _ := influxCountSum(t, db.URL, db.Database); n != 11 {
		t.Errorf("InfluxDB holds %d points, want the 10 of the good push and the bombs' one row", n)
	}
	d.terminate(t)

	// import: the same limit, the reason on its report, exit status 1.
	gzFile := filepath.Join(t.TempDir(), "bomb.csv.gz")
	if err := os.WriteFile(gzFile, gzBomb, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(d.bin, "import", "--config", d.config, "--no-progress", gzFile)
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 || !strings.Contains(string(out), "too_large") || !strings.Contains(string(out), "max_decompressed_bytes") {
		t.Errorf("import of the gzip bomb: exit %d, output:\n%s\nwant exit 1 naming too_large and max_decompressed_bytes", code, out)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak := int64(ru.Maxrss) << 10
		t.Logf("import peak RSS: %d MiB", peak>>20)
		if !raceEnabled && peak > peakRSSBound {
			t.Errorf("import peak RSS %d MiB, want below %d MiB", peak>>20, peakRSSBound>>20)
		}
	}
}

// appendIngestConfig adds lines to the ingest section, the last of the
// daemon's configuration file.
func appendIngestConfig(t *testing.T, d *daemon, lines string) {
	t.Helper()
	f, err := os.OpenFile(d.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(lines); err != nil {
		t.Fatal(err)
	}
}

func pushBody(t *testing.T, client *http.Client, url, contentType, encoding string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/observations", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	var answer struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.Error
}

// dropFile puts data into the drop folder whole, as a rename.
func dropFile(t *testing.T, drop, name string, data []byte) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(drop), name+".part")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(drop, name)); err != nil {
		t.Fatal(err)
	}
}

func fileContains(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.Contains(b, []byte(s))
}

func readAll(t *testing.T, path string) string {
	t.Helper()
	b, _ := os.ReadFile(path)
	return string(b)
}

// vmHWM is the peak resident set size of process pid, from /proc.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// rowsGzipCSV is a gzip CSV: a header, then one row repeated to n bytes —
// what a careless export or a hostile client sends, a thousand times
// smaller packed.
func rowsGzipCSV(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = io.WriteString(zw, "time,indicator,entity,value,unit\n")
	const row = "2024-06-01 08:00,pm25,S1,5,ug/m3\n"
	chunk := bytes.Repeat([]byte(row), (1<<20)/len(row))
	for left := n; left > 0; left -= len(chunk) {
		_, _ = zw.Write(chunk)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sharedStringsWorkbook is a valid .xlsx whose shared-strings table is n
// bytes of one-letter strings.
func sharedStringsWorkbook(t *testing.T, n int) []byte {
	t.Helper()
	return workbookWith(t, `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>`, "", "<si><t>a</t></si>", n)
}

// whitespaceWorkbook is a valid .xlsx whose one sheet holds a header row
// and then n bytes of spaces: about a thousandth of n packed.
func whitespaceWorkbook(t *testing.T, n int) []byte {
	t.Helper()
	return workbookWith(t, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>time</t></is></c><c r="B1" t="inlineStr"><is><t>indicator</t></is></c><c r="C1" t="inlineStr"><is><t>value</t></is></c></row>`, " ", "", n)
}

// workbookWith writes a one-sheet .xlsx as a stream: the sheet's data
// begins with sheetHead, then sheetFiller is repeated to n bytes, and
// sstFiller is repeated to n bytes in the shared-strings table (an empty
// filler: none).
func workbookWith(t *testing.T, sheetHead, sheetFiller, sstFiller string, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, text ...string) io.Writer {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range text {
			_, _ = io.WriteString(w, s)
		}
		return w
	}
	fill := func(w io.Writer, filler string) {
		if filler == "" {
			return
		}
		chunk := []byte(strings.Repeat(filler, (1<<20)/len(filler)))
		for left := n; left > 0; left -= len(chunk) {
			_, _ = w.Write(chunk)
		}
	}
	const decl = `<?xml version="1.0" encoding="UTF-8"?>`
	put("[Content_Types].xml", decl, `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	put("_rels/.rels", decl, `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", decl, `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", decl, `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	w := put("xl/worksheets/sheet1.xml", decl, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, sheetHead)
	fill(w, sheetFiller)
	_, _ = io.WriteString(w, `</sheetData></worksheet>`)
	w = put("xl/sharedStrings.xml", decl, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	fill(w, sstFiller)
	_, _ = io.WriteString(w, `</sst>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
