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
	"os"
	"path/filepath"
	"strings"
	"time"

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
	// Processed, when set, is called after each attempt at a file, with
	// the outcome: "done", "rejected" (unreadable, moved to rejected/) or
	// "retry" (left in place).
	Processed func(name, outcome string, res Result, err error)
}

// DropProvider is the provider of drop-folder files read without a mapping.
const DropProvider = "drop"

// Outcomes of a drop-folder file, as passed to DropOptions.Processed.
const (
	OutcomeDone     = "done"
	OutcomeRejected = "rejected"
	OutcomeRetry    = "retry"
)

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
// Files are processed one at a time, on the goroutine of Run.
type DropFolder struct {
	dir    string
	p      *Pipeline
	opts   DropOptions
	log    *slog.Logger
	files  map[string]*dropFile
	warned map[string]bool
}

// dropFile is what the folder knows of a file waiting to be read.
type dropFile struct {
	size        int64
	mod         time.Time
	stableSince time.Time
	notBefore   time.Time
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
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &DropFolder{dir: dir, p: p, opts: opts, log: log, files: map[string]*dropFile{}, warned: map[string]bool{}}
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
	for _, name := range sortedKeys(d.files) {
		if ctx.Err() != nil {
			return
		}
		f := d.files[name]
		st, err := os.Stat(filepath.Join(d.dir, name))
		if err != nil || !st.Mode().IsRegular() {
			delete(d.files, name) // moved away or deleted
			continue
		}
		if st.Size() != f.size || !st.ModTime().Equal(f.mod) {
			f.size, f.mod, f.stableSince = st.Size(), st.ModTime(), now
			continue
		}
		if now.Sub(f.stableSince) < d.opts.Settle || now.Before(f.notBefore) {
			continue
		}
		if d.process(ctx, name, st.Size()) == OutcomeRetry {
			f.notBefore = d.opts.Now().Add(d.opts.RetryAfter)
			continue
		}
		delete(d.files, name)
	}
}

// process runs one file through the pipeline and files it away.
func (d *DropFolder) process(ctx context.Context, name string, size int64) string {
	path := filepath.Join(d.dir, name)
	in, err := os.Open(path)
	if err != nil {
		d.log.Warn("drop folder: open", "file", name, "err", err)
		return OutcomeRetry
	}
	rw := &rejectWriter{dir: filepath.Join(d.dir, "rejected"), name: name}
	res, err := d.p.Process(ctx, Input{Name: name, Reader: in, Size: size, Provider: d.opts.Provider, OnReject: rw.add})
	in.Close()
	outcome := d.file(name, rw, res, err)
	if d.opts.Processed != nil {
		d.opts.Processed(name, outcome, res, err)
	}
	return outcome
}

// file moves a processed file to done/ or rejected/, or leaves it for a
// retry, and writes its rejection files.
func (d *DropFolder) file(name string, rw *rejectWriter, res Result, err error) string {
	var ie *InputError
	switch {
	case err == nil:
	case errors.As(err, &ie):
		if werr := rw.finish(res, d.opts.Now(), err); werr != nil {
			d.log.Error("drop folder: writing rejections", "file", name, "err", werr)
			return OutcomeRetry
		}
		to, merr := moveAside(filepath.Join(d.dir, name), filepath.Join(d.dir, "rejected"), d.opts.Now())
		if merr != nil {
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

// moveAside moves path into dir, adding a timestamp (and a counter) before
// the extension when the name is taken there. It returns the new path.
func moveAside(path, dir string, now time.Time) (string, error) {
	name := filepath.Base(path)
	to := filepath.Join(dir, name)
	if _, err := os.Stat(to); err == nil {
		base, ext := splitExt(name)
		stamp := now.Format("20060102T150405")
		to = filepath.Join(dir, base+"."+stamp+ext)
		for i := 2; ; i++ {
			if _, err := os.Stat(to); errors.Is(err, fs.ErrNotExist) {
				break
			}
			to = filepath.Join(dir, fmt.Sprintf("%s.%s-%d%s", base, stamp, i, ext))
		}
	}
	return to, os.Rename(path, to)
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

// finish writes NAME.rejected.EXT and NAME.reasons.txt when there is
// anything to say: rejections, or the error that stopped the input.
func (w *rejectWriter) finish(res Result, now time.Time, stop error) error {
	defer w.discard()
	if w.err != nil {
		return w.err
	}
	if w.count == 0 && stop == nil {
		return nil
	}
	// A file of the same name sent again must not overwrite the reasons of
	// the first: both files then take the time, as done/ does.
	w.final = w.name
	if _, err := os.Stat(filepath.Join(w.dir, w.name+".reasons.txt")); err == nil {
		base, ext := splitExt(w.name)
		w.final = base + "." + now.In(models.Shanghai).Format("20060102T150405.000") + ext
	}
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
	fmt.Fprintf(&head, "# rejections of %s, processed %s\n", w.name, now.In(models.Shanghai).Format(time.RFC3339))
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

// oneLine keeps a field of the reasons file on its line and column.
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}
