package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFormats(t *testing.T) {
	tests := []struct {
		in   []string
		want string
		err  bool
	}{
		{nil, "html,csv,json,md", false},
		{[]string{"html,csv"}, "html,csv", false},
		{[]string{" JSON ", "md", "json"}, "json,md", false},
		{[]string{"markdown"}, "md", false},
		{[]string{"pdf"}, "", true},
	}
	for _, tt := range tests {
		got, err := ParseFormats(tt.in...)
		if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrBadFormat)) {
			t.Errorf("ParseFormats(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		var s []string
		for _, f := range got {
			s = append(s, string(f))
		}
		if strings.Join(s, ",") != tt.want {
			t.Errorf("ParseFormats(%q) = %v, want %s", tt.in, s, tt.want)
		}
	}
}

// TestWriteReplaces writes a month twice: the second run replaces every
// file, no temporary file is left, and the index lists the month once.
func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	m := Month{2024, time.May}
	rep := buildFixture(t, m, LangZh)
	first, err := Write(dir, rep, AllFormats)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"report-2024-05.html", "report-2024-05.csv", "report-2024-05-water.csv", "report-2024-05-revisions.csv", "report-2024-05.json", "report-2024-05.md", "index.html"}
	if len(first) != len(wantFiles) {
		t.Fatalf("Write = %v, want %v", first, wantFiles)
	}
	for i, p := range first {
		if filepath.Base(p) != wantFiles[i] {
			t.Errorf("file %d = %s, want %s", i, filepath.Base(p), wantFiles[i])
		}
	}
	rep.Summary = []string{"第二次运行的综述。"}
	if _, err := Write(dir, rep, AllFormats); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report-2024-05.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte("第二次运行的综述。")) {
		t.Error("second run did not replace the HTML")
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(des) != len(wantFiles) {
		var names []string
		for _, de := range des {
			names = append(names, de.Name())
		}
		t.Errorf("directory holds %v, want only the %d report files", names, len(wantFiles))
	}
}

// TestWriteAtomicKeepsOldOnError: a failing render leaves the previous
// file as it was and no temporary file behind.
func TestWriteAtomicKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report-2024-05.html")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("render failed")
	err := writeAtomic(path, func(w io.Writer) error {
		w.Write([]byte("half a report"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeAtomic = %v, want %v", err, boom)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old" {
		t.Errorf("file = %q, want the old content", got)
	}
	if des, _ := os.ReadDir(dir); len(des) != 1 {
		t.Errorf("directory has %d entries, want 1", len(des))
	}
}

// TestIndex lists editions newest first, Chinese before English, links
// every file of an edition and ignores unrelated files.
func TestIndex(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"report-2024-01.html", "report-2024-01.csv", "report-2024-01-water.csv", "report-2024-01.json",
		"report-2024-05.json", "report-2024-05-en.html", "report-2023-12.md",
		"notes.txt", "report-2024-13.html", ".report-2024-05.html.123.tmp",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		var files []string
		for _, f := range e.Files {
			files = append(files, f.Href)
		}
		got = append(got, e.Name+" "+e.Main+" "+strings.Join(files, ","))
	}
	want := []string{
		"2024年5月 report-2024-05.json report-2024-05.json",
		"May 2024 (English) report-2024-05-en.html report-2024-05-en.html",
		"2024年1月 report-2024-01.html report-2024-01.html,report-2024-01.csv,report-2024-01-water.csv,report-2024-01.json",
		"2023年12月 report-2023-12.md report-2023-12.md",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ScanDir =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := WriteIndex(dir, time.Date(2024, 6, 3, 8, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="report-2024-01-water.csv"`, `href="report-2024-05-en.html"`, "2023年12月"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("index lacks %s", want)
		}
	}
	if bytes.Contains(html, []byte("notes.txt")) || bytes.Contains(html, []byte("2024-13")) {
		t.Error("index lists files that are not reports")
	}
}
