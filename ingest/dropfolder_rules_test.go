package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestDropFolderRefusesLinksAndSpecialFiles: a symbolic link (here to a
// file outside the folder) and a named pipe are moved to rejected/ with a
// reason; nothing of the link's target is read, logged or copied.
func TestDropFolderRefusesLinksAndSpecialFiles(t *testing.T) {
	sink := &memSink{}
	h := startDrop(t, sink, DropOptions{})
	secret := filepath.Join(t.TempDir(), "secret.csv")
	secretText := canonicalHeader + "2024-06,gdp,,424242,亿元\n"
	if err := os.WriteFile(secret, []byte(secretText), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(h.dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(h.dir, "pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, kind := range map[string]string{"link.csv": "a symbolic link", "pipe.csv": "a named pipe"} {
		waitFor(t, name+" in rejected/", func() bool { return exists(filepath.Join(h.dir, "rejected", name+".reasons.txt")) })
		reasons := readFile(t, filepath.Join(h.dir, "rejected", name+".reasons.txt"))
		if !strings.Contains(reasons, "is not a regular file ("+kind+")") || strings.Contains(reasons, "424242") {
			t.Errorf("reasons of %s:\n%s", name, reasons)
		}
		if _, err := os.Lstat(filepath.Join(h.dir, "rejected", name)); err != nil {
			t.Errorf("%s not moved to rejected/: %v", name, err)
		}
	}
	if got := sink.all(); len(got) != 0 {
		t.Errorf("delivered %d rows, want none: the link was followed", len(got))
	}
	if readFile(t, secret) != secretText {
		t.Error("the link's target changed")
	}
}

// TestDropFolderWriterPausingLongerThanSettle: a writer that keeps the file
// open and pauses for many settle times before appending the rest loses
// nothing: the file is not taken while a writer has it open, and every
// row, the appended ones too, is delivered before the file reaches done/.
func TestDropFolderWriterPausingLongerThanSettle(t *testing.T) {
	sink := &memSink{}
	h := startDrop(t, sink, DropOptions{Settle: 30 * time.Millisecond})
	path := filepath.Join(h.dir, "paused.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, canonicalHeader+"2024-06,gdp,,1,亿元\n")
	time.Sleep(20 * 30 * time.Millisecond) // the writer pauses: 20 settle times
	if exists(filepath.Join(h.dir, "done", "paused.csv")) {
		t.Error("the file was moved to done/ while its writer still had it open")
	}
	fmt.Fprint(f, "2024-03,gdp,,2,亿元\n")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "paused.csv in done/", func() bool { return exists(filepath.Join(h.dir, "done", "paused.csv")) })
	if got := len(sink.all()); got != 2 {
		t.Errorf("delivered %d rows, want both: rows appended after the pause were lost", got)
	}
	if text := readFile(t, filepath.Join(h.dir, "done", "paused.csv")); !strings.Contains(text, "2024-03") {
		t.Errorf("done/paused.csv lacks the appended row:\n%s", text)
	}
}

// TestDropFolderGivesUpOnUnreadableFiles: a file that cannot be opened
// (EACCES, injected: the tests may run as root) is tried OpenAttempts
// times, then moved to rejected/ with the reason — not retried forever.
func TestDropFolderGivesUpOnUnreadableFiles(t *testing.T) {
	sink := &memSink{}
	var opens atomic.Int32
	h := startDrop(t, sink, DropOptions{RetryAfter: 20 * time.Millisecond, OpenAttempts: 3}, func(d *DropFolder) {
		d.open = func(path string) (*os.File, error) {
			if filepath.Base(path) == "locked.csv" {
				opens.Add(1)
				return nil, &os.PathError{Op: "open", Path: path, Err: syscall.EACCES}
			}
			return openRegular(path)
		}
	})
	if err := os.WriteFile(filepath.Join(h.dir, "locked.csv"), []byte(canonicalHeader+"2024-06,gdp,,1,亿元\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "locked.csv in rejected/", func() bool { return exists(filepath.Join(h.dir, "rejected", "locked.csv")) })
	reasons := readFile(t, filepath.Join(h.dir, "rejected", "locked.csv.reasons.txt"))
	if !strings.Contains(reasons, "cannot be opened after 3 attempts") || !strings.Contains(reasons, "permission denied") {
		t.Errorf("reasons:\n%s", reasons)
	}
	if n := opens.Load(); n != 3 {
		t.Errorf("opened %d times, want 3", n)
	}
}

// TestDropFolderOutputsAreSafeAndShared: a name holding a newline and a
// bidi override stays on its line in the reasons file, escaped; reasons and
// rejected rows are mode 0644; a second file of the same name gets the same
// suffix scheme in rejected/ as in done/.
func TestDropFolderOutputsAreSafeAndShared(t *testing.T) {
	sink := &memSink{}
	h := startDrop(t, sink, DropOptions{})
	name := "evil\n# forged line\u202e.csv"
	bad := canonicalHeader + "2024-06,gdp,,1,亿元\n2024-06,gdp,,x,亿元\n"
	for i := range 2 {
		if err := os.WriteFile(filepath.Join(h.dir, name), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(t, fmt.Sprintf("file %d processed", i+1), func() bool { return !exists(filepath.Join(h.dir, name)) })
	}
	reasons := readFile(t, filepath.Join(h.dir, "rejected", name+".reasons.txt"))
	if strings.Contains(reasons, "\n# forged line") || strings.ContainsRune(reasons, '\u202e') {
		t.Errorf("the name broke the reasons file:\n%s", reasons)
	}
	if !strings.Contains(reasons, `# rejections of evil\u{000A}# forged line\u{202E}.csv, processed`) {
		t.Errorf("reasons file does not name the file escaped:\n%s", reasons)
	}
	for _, f := range []string{name + ".reasons.txt", name + ".rejected.csv"} {
		st, err := os.Stat(filepath.Join(h.dir, "rejected", f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%q has mode %v, want 0644", f, st.Mode().Perm())
		}
	}
	suffix := regexp.QuoteMeta("evil\n# forged line\u202e") + `\.\d{8}T\d{6}\.csv`
	for dir, pattern := range map[string]string{"done": suffix, "rejected": suffix + regexp.QuoteMeta(".reasons.txt")} {
		entries, err := os.ReadDir(filepath.Join(h.dir, dir))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || regexp.MustCompile("^"+pattern+"$").MatchString(e.Name())
		}
		if !found {
			t.Errorf("%s/ has no second file named NAME.YYYYMMDDTHHMMSS.csv…: %v", dir, entries)
		}
	}
}
