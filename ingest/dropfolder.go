package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fsnotify/fsnotify"

	"github.com/greenmetrics/greenmetrics/models"
)

// DropOptions tune a DropFolder. The zero value is usable: every zero field
// takes the default named in its comment.
type DropOptions struct {
	// Settle is how long a file's size and modification time must stay
	// unchanged before it is read, so that a file still being copied in is
	// not read half-written; 0: 2 s.
	Settle time.Duration
	// RetryAfter is how long a file waits after the sink refused it (spool
	// full, or failing) before it is tried again; 0: 30 s.
	RetryAfter time.Duration
	// Rescan is the interval of a full directory scan, a safety net for
	// events the watcher missed; 0: 1 min.
	Rescan time.Duration
	// Provider is the provider of files read without a mapping (a
	// mapping's source wins: zjw_*.xlsx read by mapping zjw is zjw's);
	// empty: DropProvider.
	Provider string
	// Logger receives a line per file; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// OpenAttempts is how many times a file that cannot be opened is
	// tried, RetryAfter apart, before it is given up: moved to rejected/
	// with a reasons file; 0: 5.
	OpenAttempts int
	// Processed, when set, is called after each attempt at a file, with
	// the outcome: "done", "rejected" (unreadable, moved to rejected/),
	// "retry" (left in place) or "changed" (written to while it was read:
	// left in place and read again once it settles).
	Processed func(name, outcome string, res Result, err error)
}

// DropProvider is the provider of drop-folder files read without a mapping.
const DropProvider = "drop"

// Outcomes of a drop-folder file, as passed to DropOptions.Processed.
const (
	OutcomeDone     = "done"
	OutcomeRejected = "rejected"
	OutcomeRetry    = "retry"
	OutcomeChanged  = "changed"
)

// outputMode is the mode of the files the folder writes (reasons and
// rejected rows): readable by the group and others, so that a department
// share whose users are not the daemon's user can read them.
const outputMode = 0o644

// DropFolder watches a directory for data files (.csv, .json, .ndjson,
// .jsonl, .lp, .xlsx, each optionally .gz) and runs each through a
// Pipeline once it has stopped changing. A processed file moves to done/;
// its rejected rows go to rejected/NAME.rejected.csv (.ndjson, .lp for
// those formats) with the reasons in rejected/NAME.reasons.txt. A file that
// cannot be read moves to rejected/ itself, with its reasons file. When the
// sink is full or failing the file stays where it is and is tried again
// after RetryAfter. Dotfiles, Office lock files (~$…) and temporary names
// (.tmp, .part, .crdownload, .swp) are ignored.
//
// Rules that keep a careless or hostile folder from losing or leaking
// data:
//   - Symbolic links and other non-regular files are never read or
//     followed: they are moved to rejected/ with a reason.
//   - Settling: a file is read once its size and modification time have
//     not changed for Settle. After reading, and before the file is moved,
//     the folder checks that nobody has the file open for writing (a Linux
//     read lease, which the kernel refuses while any writer holds the file
//     open, and which is held across the move so that no writer can open
//     it in between) and that its size and modification time are those it
//     had when reading began. Otherwise the file stays, and is read again
//     — whole; points are idempotent — once it has settled and its writer
//     has closed it. So rows appended by a writer that paused longer than
//     Settle are read with the rest, never left behind in done/. Where the
//     lease is not available (a file owned by another user without
//     CAP_LEASE, a file system without leases) only the size and time
//     check applies; docs/operations.md says so.
//   - A file that cannot be opened is tried OpenAttempts times, RetryAfter
//     apart, then moved to rejected/ with the reason.
//   - Names are written into reasons files with control and bidi
//     characters escaped; reasons and rejected rows are mode 0644.
//   - A name already taken in done/ or rejected/ gets one suffix scheme:
//     NAME.YYYYMMDDTHHMMSS.EXT (Beijing time), then -2, -3 … before EXT.
//
// Files are processed one at a time, on the goroutine of Run.
type DropFolder struct {
	dir    string
	p      *Pipeline
	opts   DropOptions
	log    *slog.Logger
	files  map[string]*dropFile
	warned map[string]bool
	// open opens a file for reading; openRegular, replaced by tests to
	// inject failures root cannot otherwise see (EACCES).
	open func(path string) (*os.File, error)
}

// dropFile is what the folder knows of a file waiting to be read.
type dropFile struct {
	size        int64
	mod         time.Time
	stableSince time.Time
	notBefore   time.Time
	openFails   int  // consecutive failures to open it
	gaveUp      bool // given up and could not be moved: wait for a change
}

// NewDropFolder returns a folder on dir feeding p.
func NewDropFolder(dir string, p *Pipeline, opts DropOptions) *DropFolder {
	if opts.Settle <= 0 {
		opts.Settle = 2 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.Rescan <= 0 {
		opts.Rescan = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Provider == "" {
		opts.Provider = DropProvider
	}
	if opts.OpenAttempts <= 0 {
		opts.OpenAttempts = 5
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &DropFolder{dir: dir, p: p, opts: opts, log: log, files: map[string]*dropFile{}, warned: map[string]bool{}, open: openRegular}
}

// Prepare creates the folder and its done/ and rejected/ subfolders. The
// daemon calls it before it announces that it is serving, so a file a
// department saves right after start-up has somewhere to land, and a folder
// that cannot be created stops start-up instead of a background loop.
func (d *DropFolder) Prepare() error {
	for _, sub := range []string{"", "done", "rejected"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return fmt.Errorf("drop folder: %w", err)
		}
	}
	return nil
}

// Run watches the folder until ctx is done, then returns nil. Files present
// at start are picked up first. It returns an error only when the folder
// cannot be created or watched.
func (d *DropFolder) Run(ctx context.Context) error {
	if err := d.Prepare(); err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("drop folder: %w", err)
	}
	defer w.Close()
	if err := w.Add(d.dir); err != nil {
		return fmt.Errorf("drop folder %s: %w", d.dir, err)
	}
	d.scan()
	tick := time.NewTicker(max(d.opts.Settle/4, 10*time.Millisecond))
	defer tick.Stop()
	rescan := time.NewTicker(d.opts.Rescan)
	defer rescan.Stop()
	d.log.Info("drop folder: watching", "dir", d.dir)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("drop folder: watcher closed")
			}
			d.note(filepath.Base(ev.Name))
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("drop folder: watcher closed")
			}
			// An overflow means events were lost: look at everything.
			d.log.Warn("drop folder: watcher", "err", err)
			d.scan()
		case <-tick.C:
			d.processReady(ctx)
		case <-rescan.C:
			d.scan()
		}
	}
}

// scan notes every file in the folder.
func (d *DropFolder) scan() {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		d.log.Warn("drop folder: scan", "err", err)
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			d.note(e.Name())
		}
	}
}

// note records that a file may have appeared or changed.
func (d *DropFolder) note(name string) {
	if !eligible(name) {
		if !ignorable(name) && !d.warned[name] && name != "done" && name != "rejected" {
			d.warned[name] = true
			d.log.Warn("drop folder: ignoring a file of unknown type", "file", name)
		}
		return
	}
	if _, ok := d.files[name]; !ok {
		d.files[name] = &dropFile{stableSince: d.opts.Now()}
	}
}

// processReady reads every file that has settled and is not waiting out a
// retry.
func (d *DropFolder) processReady(ctx context.Context) {
	now := d.opts.Now()
	for _, name := range slices.Sorted(maps.Keys(d.files)) {
		if ctx.Err() != nil {
			return
		}
		f := d.files[name]
		// Lstat: a symbolic link is judged as a link, never followed.
		st, err := os.Lstat(filepath.Join(d.dir, name))
		if err != nil || st.IsDir() {
			delete(d.files, name) // moved away or deleted
			continue
		}
		if st.Size() != f.size || !st.ModTime().Equal(f.mod) {
			f.size, f.mod, f.stableSince, f.gaveUp = st.Size(), st.ModTime(), now, false
			continue
		}
		if f.gaveUp || now.Sub(f.stableSince) < d.opts.Settle || now.Before(f.notBefore) {
			continue
		}
		var outcome string
		if !st.Mode().IsRegular() {
			outcome = d.refuse(name, fmt.Errorf("%s is not a regular file (%s): the drop folder does not follow links or read special files; copy the file itself in", safeText(name), fileKind(st.Mode())))
		} else {
			outcome = d.process(ctx, name, f)
		}
		switch outcome {
		case OutcomeRetry:
			f.notBefore = d.opts.Now().Add(d.opts.RetryAfter)
		case OutcomeChanged:
			f.size = -1 // settle again before the next read
		case "":
			f.gaveUp = true
		default:
			delete(d.files, name)
		}
	}
}

// fileKind names a non-regular file mode for a reason.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// process runs one file through the pipeline and files it away. It
// returns "" when a file was given up but could not be moved aside.
func (d *DropFolder) process(ctx context.Context, name string, f *dropFile) string {
	path := filepath.Join(d.dir, name)
	in, err := d.open(path)
	if errors.Is(err, errNotRegular) {
		return d.refuse(name, fmt.Errorf("%s: %w", safeText(name), err))
	}
	if err != nil {
		f.openFails++
		if f.openFails < d.opts.OpenAttempts {
			d.log.Warn("drop folder: cannot open; will retry", "file", name, "attempt", f.openFails, "of", d.opts.OpenAttempts, "err", err)
			return OutcomeRetry
		}
		return d.refuse(name, fmt.Errorf("cannot be opened after %d attempts: %w", f.openFails, err))
	}
	f.openFails = 0
	defer in.Close()
	before, err := in.Stat()
	if err != nil {
		d.log.Warn("drop folder: stat", "file", name, "err", err)
		return OutcomeRetry
	}
	if err := takeReadLease(in); errors.Is(err, syscall.EAGAIN) {
		// Its writer still has it open (paused longer than Settle): not
		// read until it is closed, rather than read again and again.
		d.log.Debug("drop folder: a writer still has the file open; waiting", "file", name)
		return OutcomeChanged
	} else if err == nil {
		releaseLease(in)
	}
	rw := &rejectWriter{dir: filepath.Join(d.dir, "rejected"), name: name}
	res, err := d.p.Process(ctx, Input{Name: name, Reader: in, Size: before.Size(), Provider: d.opts.Provider, Origin: "drop:" + name, OnReject: rw.add})
	var outcome string
	release, changed := d.holdUnchanged(in, before)
	if changed != "" {
		rw.discard()
		d.log.Info("drop folder: the file changed while it was read; reading it again once it settles", "file", name, "why", changed)
		outcome = OutcomeChanged
	} else {
		outcome = d.file(name, rw, res, err)
	}
	release()
	if d.opts.Processed != nil {
		d.opts.Processed(name, outcome, res, err)
	}
	return outcome
}

// errNotRegular is the error of openRegular for a link or special file.
var errNotRegular = errors.New("not a regular file: the drop folder does not follow links or read special files; copy the file itself in")

// openRegular opens path for reading without following a symbolic link
// (O_NOFOLLOW: a link swapped in after the Lstat is refused, not read) or
// blocking on a named pipe, and checks that what it opened is a regular
// file.
func openRegular(path string) (*os.File, error) {
	in, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, errNotRegular
	}
	if err != nil {
		return nil, err
	}
	st, err := in.Stat()
	if err != nil {
		in.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		in.Close()
		return nil, errNotRegular
	}
	return in, nil
}

// holdUnchanged checks, after a file was read, that it may be moved: no
// process has it open for writing, and its size and modification time are
// those it had before the read. It returns why not ("" when it may), and a
// release to call once the file is moved: the read lease that proves no
// writer has the file open is held until then, so that no writer can open
// it between the check and the move.
func (d *DropFolder) holdUnchanged(in *os.File, before fs.FileInfo) (release func(), changed string) {
	release = func() {}
	switch err := takeReadLease(in); {
	case err == nil:
		release = func() { releaseLease(in) }
	case errors.Is(err, syscall.EAGAIN):
		return release, "another process has it open for writing"
	default:
		// No lease for this file (another owner without CAP_LEASE, a file
		// system without leases): the size and time check alone.
		if !d.warned["\x00lease"] {
			d.warned["\x00lease"] = true
			d.log.Warn("drop folder: cannot check whether a writer still has a file open (read lease refused); relying on size and time alone", "err", err)
		}
	}
	after, err := in.Stat()
	if err != nil {
		release()
		return func() {}, err.Error()
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		release()
		return func() {}, fmt.Sprintf("size %d → %d while it was read", before.Size(), after.Size())
	}
	return release, ""
}

// refuse moves a file the folder will not read (a link, a special file, a
// file that cannot be opened) to rejected/ with a reasons file saying why.
// It returns "" when even that fails: the file then waits for a change.
func (d *DropFolder) refuse(name string, why error) string {
	rw := &rejectWriter{dir: filepath.Join(d.dir, "rejected"), name: name}
	now := d.opts.Now()
	stem := rw.stem(now)
	if err := rw.finishAs(stem, Result{}, now, why); err != nil {
		d.log.Error("drop folder: writing the reasons of a refused file", "file", name, "err", err)
	}
	if err := os.Rename(filepath.Join(d.dir, name), filepath.Join(d.dir, "rejected", stem)); err != nil {
		d.log.Error("drop folder: giving up on a file that cannot be moved either; it waits for a change", "file", name, "reason", why, "err", err)
		return ""
	}
	d.log.Warn("drop folder: file refused", "file", name, "moved_to", filepath.Join(d.dir, "rejected", stem), "reason", why)
	if d.opts.Processed != nil {
		d.opts.Processed(name, OutcomeRejected, Result{}, why)
	}
	return OutcomeRejected
}

// file moves a processed file to done/ or rejected/, or leaves it for a
// retry, and writes its rejection files.
func (d *DropFolder) file(name string, rw *rejectWriter, res Result, err error) string {
	var ie *InputError
	switch {
	case err == nil:
	case errors.As(err, &ie):
		now := d.opts.Now()
		stem := rw.stem(now)
		if werr := rw.finishAs(stem, res, now, err); werr != nil {
			d.log.Error("drop folder: writing rejections", "file", name, "err", werr)
			return OutcomeRetry
		}
		to := filepath.Join(d.dir, "rejected", stem)
		if merr := os.Rename(filepath.Join(d.dir, name), to); merr != nil {
			d.log.Error("drop folder: moving", "file", name, "err", merr)
			return OutcomeRetry
		}
		d.log.Warn("drop folder: file cannot be read", "file", name, "moved_to", to, "err", err,
			"rows", res.Rows, "accepted", res.Accepted, "rejected", res.RejectedCount())
		return OutcomeRejected
	default:
		// Full or failing sink, cancelled, or a rejection file that could
		// not be written: nothing is the file's fault, so it stays. What was
		// delivered stays delivered; delivering it again on the retry
		// rewrites the same points.
		rw.discard()
		level := slog.LevelWarn
		if IsBackpressure(err) {
			level = slog.LevelInfo
		}
		d.log.Log(context.Background(), level, "drop folder: will retry", "file", name, "after", d.opts.RetryAfter, "err", err)
		return OutcomeRetry
	}
	if werr := rw.finish(res, d.opts.Now(), nil); werr != nil {
		d.log.Error("drop folder: writing rejections", "file", name, "err", werr)
		return OutcomeRetry
	}
	to, merr := moveAside(filepath.Join(d.dir, name), filepath.Join(d.dir, "done"), d.opts.Now())
	if merr != nil {
		d.log.Error("drop folder: moving", "file", name, "err", merr)
		return OutcomeRetry
	}
	d.log.Info("drop folder: imported", "file", name, "moved_to", to, "rows", res.Rows,
		"accepted", res.Accepted, "duplicates", res.Duplicates, "rejected", res.RejectedCount())
	return OutcomeDone
}

// supportedExts are the extensions the folder reads (before any ".gz").
var supportedExts = map[string]bool{".csv": true, ".json": true, ".ndjson": true, ".jsonl": true, ".lp": true, ".xlsx": true}

// eligible reports whether the folder should read a file of this name.
func eligible(name string) bool {
	if ignorable(name) {
		return false
	}
	return supportedExts[strings.ToLower(filepath.Ext(strings.TrimSuffix(name, ".gz")))]
}

// ignorable names are hidden, lock or temporary files: never read, never
// warned about.
func ignorable(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") || strings.HasSuffix(name, "~") {
		return true
	}
	for _, suffix := range []string{".tmp", ".temp", ".part", ".partial", ".crdownload", ".swp", ".download"} {
		if strings.HasSuffix(lower, suffix) {
			return true
		}
	}
	return false
}

// moveAside moves path into dir under a free name (freeName). It returns
// the new path.
func moveAside(path, dir string, now time.Time) (string, error) {
	to := filepath.Join(dir, freeName(dir, filepath.Base(path), now))
	return to, os.Rename(path, to)
}

// freeName is the one collision scheme of done/ and rejected/: name
// itself when no file name+suffix exists in dir for any of suffixes (none
// given: name alone), else NAME.YYYYMMDDTHHMMSS.EXT in Beijing time, then
// NAME.YYYYMMDDTHHMMSS-2.EXT, -3 … until one is free.
func freeName(dir, name string, now time.Time, suffixes ...string) string {
	if len(suffixes) == 0 {
		suffixes = []string{""}
	}
	taken := func(n string) bool {
		for _, s := range suffixes {
			if _, err := os.Lstat(filepath.Join(dir, n+s)); !errors.Is(err, fs.ErrNotExist) {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	base, ext := splitExt(name)
	stamp := now.In(models.Shanghai).Format("20060102T150405")
	n := base + "." + stamp + ext
	for i := 2; taken(n); i++ {
		n = fmt.Sprintf("%s.%s-%d%s", base, stamp, i, ext)
	}
	return n
}

// splitExt splits "a.csv.gz" into "a" and ".csv.gz", "a.csv" into "a" and ".csv".
func splitExt(name string) (string, string) {
	ext := filepath.Ext(name)
	if strings.EqualFold(ext, ".gz") {
		ext = filepath.Ext(strings.TrimSuffix(name, ext)) + ext
	}
	return strings.TrimSuffix(name, ext), ext
}

// rejectWriter streams a file's rejections to temporary files in
// rejected/, made final by finish: the rejected rows (once each, in the
// input's format, under the header for CSV and Excel) and the reasons.
type rejectWriter struct {
	dir, name    string
	final        string // name the final files are named after
	rows, reason *os.File
	rowsW        *bufio.Writer
	reasonW      *bufio.Writer
	lastRow      int
	count        int
	err          error
}

func (w *rejectWriter) add(rej Rejection) error {
	if w.err != nil {
		return w.err
	}
	if w.rows == nil {
		if w.err = w.open(); w.err != nil {
			return w.err
		}
	}
	w.count++
	if rej.Row != w.lastRow && rej.Raw != "" {
		w.lastRow = rej.Row
		w.rowsW.WriteString(rej.Raw)
		w.rowsW.WriteByte('\n')
	}
	fmt.Fprintf(w.reasonW, "%d\t%s\t%s\t%s\n", rej.Row, oneLine(rej.Field), rej.Rule, oneLine(rej.Message))
	return nil
}

func (w *rejectWriter) open() error {
	var err error
	if w.rows, err = os.CreateTemp(w.dir, "."+w.name+".rows-*"); err != nil {
		return err
	}
	if w.reason, err = os.CreateTemp(w.dir, "."+w.name+".reasons-*"); err != nil {
		w.rows.Close()
		os.Remove(w.rows.Name())
		w.rows = nil
		return err
	}
	w.rowsW, w.reasonW = bufio.NewWriter(w.rows), bufio.NewWriter(w.reason)
	return nil
}

// discard removes the temporary files: the file will be read again.
func (w *rejectWriter) discard() {
	for _, f := range []*os.File{w.rows, w.reason} {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	w.rows, w.reason = nil, nil
}

// rejectedSuffixes are the files rejected/ may hold for one input name:
// the input itself (when unreadable), its reasons and its rejected rows.
var rejectedSuffixes = []string{"", ".reasons.txt", ".rejected.csv", ".rejected.ndjson", ".rejected.lp"}

// stem is the name the rejected/ files of this input take: its own name,
// or with freeName's suffix when a file of the same name was rejected
// before (its reasons are never overwritten).
func (w *rejectWriter) stem(now time.Time) string {
	return freeName(w.dir, w.name, now, rejectedSuffixes...)
}

// finish writes NAME.rejected.EXT and NAME.reasons.txt when there is
// anything to say: rejections, or the error that stopped the input.
func (w *rejectWriter) finish(res Result, now time.Time, stop error) error {
	return w.finishAs(w.stem(now), res, now, stop)
}

// finishAs is finish with the stem chosen.
func (w *rejectWriter) finishAs(stem string, res Result, now time.Time, stop error) error {
	defer w.discard()
	if w.err != nil {
		return w.err
	}
	if w.count == 0 && stop == nil {
		return nil
	}
	w.final = stem
	if w.count > 0 {
		if err := w.writeRows(res); err != nil {
			return err
		}
	}
	return w.writeReasons(res, now, stop)
}

func (w *rejectWriter) writeRows(res Result) error {
	if err := w.rowsW.Flush(); err != nil {
		return err
	}
	switch res.Format {
	case FormatJSON, FormatNDJSON:
		return w.assemble(w.final+".rejected.ndjson", "", w.rows)
	case FormatLP:
		return w.assemble(w.final+".rejected.lp", "", w.rows)
	}
	table, err := rectangularCSV(res.Header, w.rows)
	if err != nil {
		return fmt.Errorf("rejected rows of %s: %w", w.name, err)
	}
	return w.assemble(w.final+".rejected.csv", "", table)
}

// rectangularCSV renders the header and the rejected rows of a CSV or
// Excel input as a file for the department that sent it: a UTF-8 BOM, so
// that Excel on Windows shows the Chinese text instead of mojibake, and
// every record as wide as the widest (short rows and the header padded with
// empty cells), so that the columns stay under their headings.
func rectangularCSV(header string, rows io.ReadSeeker) (io.ReadSeeker, error) {
	var recs [][]string
	if header != "" {
		h, err := readLooseCSV(strings.NewReader(header))
		if err != nil {
			return nil, err
		}
		recs = append(recs, h...)
	}
	if _, err := rows.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	body, err := readLooseCSV(rows)
	if err != nil {
		return nil, err
	}
	recs = append(recs, body...)
	width := 0
	for _, r := range recs {
		width = max(width, len(r))
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	for _, r := range recs {
		for len(r) < width {
			r = append(r, "")
		}
		if err := cw.Write(r); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return bytes.NewReader(buf.Bytes()), cw.Error()
}

// readLooseCSV reads records of any width, as the rejected rows were
// rendered (csvLine), quotes and all.
func readLooseCSV(r io.Reader) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr.ReadAll()
}

func (w *rejectWriter) writeReasons(res Result, now time.Time, stop error) error {
	if w.reasonW != nil {
		if err := w.reasonW.Flush(); err != nil {
			return err
		}
	}
	var head strings.Builder
	// Local time with its offset (Asia/Shanghai, +08:00): the department
	// reading the file compares it with its own clock, not with UTC.
	fmt.Fprintf(&head, "# rejections of %s, processed %s\n", safeText(w.name), now.In(models.Shanghai).Format(time.RFC3339))
	fmt.Fprintf(&head, "# rows %d, values %d, accepted %d, duplicates %d, not measured %d, rejected %d\n",
		res.Rows, res.Values, res.Accepted, res.Duplicates, res.NotMeasured, res.RejectedCount())
	if res.MergedFilled > 0 {
		fmt.Fprintf(&head, "# %d empty key cells filled from merged cells above them\n", res.MergedFilled)
	}
	if stop != nil {
		fmt.Fprintf(&head, "# reading stopped, the file moved to rejected/: %s\n", oneLine(stop.Error()))
	}
	head.WriteString("row\tfield\trule\tmessage")
	return w.assemble(w.final+".reasons.txt", head.String(), w.reason)
}

// assemble writes first (a line) and the content of tmp to dir/final,
// through a temporary file renamed into place, so a reader never sees half.
func (w *rejectWriter) assemble(final, first string, tmp io.ReadSeeker) error {
	out, err := os.CreateTemp(w.dir, "."+final+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	bw := bufio.NewWriter(out)
	if first != "" {
		bw.WriteString(first)
		bw.WriteByte('\n')
	}
	if tmp != nil && !isNilFile(tmp) {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			out.Close()
			return err
		}
		if _, err := io.Copy(bw, tmp); err != nil {
			out.Close()
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return err
	}
	// CreateTemp makes 0600; the department reading rejected/ over a share
	// is usually not the daemon's user.
	if err := out.Chmod(outputMode); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(out.Name(), filepath.Join(w.dir, final))
}

// isNilFile reports a nil *os.File in an io.ReadSeeker (no reasons yet).
func isNilFile(r io.ReadSeeker) bool {
	f, ok := r.(*os.File)
	return ok && f == nil
}

// oneLine keeps a field of the reasons file on its line and column: tabs
// and line breaks become spaces, other control and bidi characters are
// escaped (safeText).
func oneLine(s string) string {
	return safeText(strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s))
}

// safeText escapes what must not reach a reasons file or a terminal raw —
// control characters (a newline in a file name would start a fake line),
// bidi overrides and zero-width characters (which reorder or hide text) —
// as \u{XXXX}; everything else, Chinese included, stays as it is.
func safeText(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, "\\u{%04X}", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.In(r, unicode.Cf) || r == utf8.RuneError
}
