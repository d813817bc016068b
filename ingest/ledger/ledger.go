// Package ledger is the revision ledger: the history of every published
// statistic (monthly, quarterly and annual figures) the pipeline accepted —
// each first write of a figure, and each later write that changed its value
// or provider (a revision, 修订), with the figure it superseded, who sent
// it, from which file row or push, and when.
//
// The ledger is one append-only JSON-lines file, DIR/ledger.jsonl. Every
// process that has it open keeps an index of the latest entry of each
// figure; an update takes an exclusive flock on the file, first reads what
// other processes appended since (so `serve` and `import` can share one
// directory), decides, appends and fsyncs before it returns. A line cut
// short by a crash is never acknowledged (the fsync had not returned), and
// the next update under the lock cuts it off.
//
// Hourly and daily monitoring data are not ledgered: a corrected hour
// replaces the old one in InfluxDB, and the ledger covers published
// statistics only, which keeps it small (thousands of lines a year, the
// index of a decade fits in a few megabytes) and bulk station ingest free
// of it.
package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// FileName is the ledger's file in its directory.
const FileName = "ledger.jsonl"

// Ledgered reports whether figures of frequency f are recorded: monthly,
// quarterly and annual statistics are, hourly and daily monitoring data
// are not.
func Ledgered(f models.Frequency) bool {
	switch f {
	case models.FrequencyMonthly, models.FrequencyQuarterly, models.FrequencyAnnual:
		return true
	}
	return false
}

// Entry is one accepted write of a figure: its first value, or a revision
// of it (Previous set).
type Entry struct {
	// Accepted is when the write was accepted, in Asia/Shanghai.
	Accepted  time.Time        `json:"accepted"`
	Indicator string           `json:"indicator"`
	Entity    string           `json:"entity,omitempty"`
	Frequency models.Frequency `json:"frequency"`
	// Period is the start of the figure's period; Label its name (2024-06).
	Period time.Time `json:"period"`
	Label  string    `json:"label"`
	// Value is in the indicator's base unit.
	Value    float64 `json:"value"`
	Provider string  `json:"provider"`
	// Origin says where the write came from: "zjw_2024-06.xlsx:12",
	// "push zjw 7f3a row 3", "demo".
	Origin string `json:"origin"`
	// Confirmed marks a value the plausibility rules would have held, sent
	// with an explicit confirmation.
	Confirmed bool `json:"confirmed,omitempty"`
	// Previous is the figure this write superseded; nil for a first write.
	Previous *Previous `json:"previous,omitempty"`
}

// Previous is the superseded state of a revised figure.
type Previous struct {
	Value    float64   `json:"value"`
	Provider string    `json:"provider"`
	Origin   string    `json:"origin"`
	Accepted time.Time `json:"accepted"`
}

// Revision reports whether the entry superseded an earlier figure.
func (e Entry) Revision() bool { return e.Previous != nil }

// PeriodOf is the entry's period.
func (e Entry) PeriodOf() models.Period {
	return models.Period{Frequency: e.Frequency, Start: e.Period}
}

// Figure is the latest ledgered state of one figure.
type Figure struct {
	Value     float64
	Provider  string
	Origin    string
	Accepted  time.Time
	Confirmed bool
}

// Key identifies a figure: indicator, entity and the Unix second its
// period starts at.
type Key struct {
	Indicator string
	Entity    string
	Period    int64
}

// KeyOf is the key of a figure.
func KeyOf(indicator, entity string, period time.Time) Key {
	return Key{Indicator: indicator, Entity: entity, Period: period.Unix()}
}

// Ledger is an open ledger directory. It is safe for concurrent use, and
// several Ledgers (in one process or several) may share a directory.
type Ledger struct {
	path string
	mu   sync.Mutex
	f    *os.File
	// off is how many bytes of the file the index has read.
	off   int64
	index map[Key]Figure
	// skipped counts lines that did not parse (hand edits); they are left
	// in the file and out of the index.
	skipped int
}

// Open opens (creating it) the ledger of dir and reads its index.
func Open(dir string) (*Ledger, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l := &Ledger{path: path, f: f, index: map[Key]Figure{}}
	if err := l.locked(func() error { return l.catchUp() }); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// Path is the ledger file.
func (l *Ledger) Path() string { return l.path }

// Close closes the file.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Skipped is the number of ledger lines that did not parse.
func (l *Ledger) Skipped() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.skipped
}

// Len is the number of figures the index holds.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.index)
}

// ErrClosed is the error of an update of a closed ledger.
var ErrClosed = errors.New("ledger is closed")

// Update runs fn with the ledger locked against every other writer, after
// reading what they appended. Entries fn records are appended and fsynced
// when fn returns nil, and only then does Update return nil; when fn fails
// nothing is written.
func (l *Ledger) Update(fn func(*Tx) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return ErrClosed
	}
	return l.locked(func() error {
		if err := l.catchUp(); err != nil {
			return err
		}
		tx := &Tx{l: l}
		if err := fn(tx); err != nil {
			return err
		}
		if len(tx.entries) == 0 {
			return nil
		}
		return l.write(tx.entries)
	})
}

// locked runs fn holding the file's flock.
func (l *Ledger) locked(fn func() error) error {
	fd := int(l.f.Fd())
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EINTR) {
			return fmt.Errorf("ledger lock %s: %w", l.path, err)
		}
	}
	defer syscall.Flock(fd, syscall.LOCK_UN) //nolint:errcheck // closing or exiting releases it too
	return fn()
}

// catchUp reads the lines appended since the index last read the file. A
// final line without its newline is a write cut short (its writer never
// acknowledged it): under the lock nobody is writing, so it is cut off.
func (l *Ledger) catchUp() error {
	st, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if st.Size() < l.off {
		// Replaced or truncated by hand: read it again from the start.
		l.off, l.index, l.skipped = 0, map[Key]Figure{}, 0
	}
	if st.Size() == l.off {
		return nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(l.f, l.off, st.Size()-l.off), 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				if terr := l.f.Truncate(l.off); terr != nil {
					return fmt.Errorf("ledger: cutting off an incomplete last line: %w", terr)
				}
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("ledger: reading %s: %w", l.path, err)
		}
		l.off += int64(len(line))
		var e Entry
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := json.Unmarshal(line, &e); err != nil || e.Indicator == "" {
			l.skipped++
			continue
		}
		l.apply(e)
	}
}

func (l *Ledger) apply(e Entry) {
	l.index[KeyOf(e.Indicator, e.Entity, e.Period)] = Figure{Value: e.Value, Provider: e.Provider,
		Origin: e.Origin, Accepted: e.Accepted, Confirmed: e.Confirmed}
}

// write appends entries as one write and fsyncs. On failure the index is
// rebuilt from the file at the next update, so it never holds what the
// file lacks.
func (l *Ledger) write(entries []Entry) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("ledger: encoding %s: %w", e.Indicator, err)
		}
	}
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		l.off = math.MaxInt64 // forces a full re-read
		return fmt.Errorf("ledger: writing %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		l.off = math.MaxInt64
		return fmt.Errorf("ledger: syncing %s: %w", l.path, err)
	}
	l.off += int64(buf.Len())
	for _, e := range entries {
		l.apply(e)
	}
	return nil
}

// Tx is the view of an update: the ledger's figures, and the entries the
// update records.
type Tx struct {
	l       *Ledger
	entries []Entry
	pending map[Key]int // index in entries of a figure recorded in this update
}

// Lookup returns the latest figure of a key, including one recorded
// earlier in this update.
func (tx *Tx) Lookup(k Key) (Figure, bool) {
	if i, ok := tx.pending[k]; ok {
		e := tx.entries[i]
		return Figure{Value: e.Value, Provider: e.Provider, Origin: e.Origin, Accepted: e.Accepted, Confirmed: e.Confirmed}, true
	}
	f, ok := tx.l.index[k]
	return f, ok
}

// Record adds e unless the ledger holds the same figure with the same
// value and provider already (a re-send adds nothing). A figure that
// exists with another value or provider becomes e.Previous. It reports
// whether e was recorded and whether it is a revision.
func (tx *Tx) Record(e Entry) (recorded, revision bool) {
	k := KeyOf(e.Indicator, e.Entity, e.Period)
	if old, ok := tx.Lookup(k); ok {
		if old.Value == e.Value && old.Provider == e.Provider {
			return false, false
		}
		e.Previous = &Previous{Value: old.Value, Provider: old.Provider, Origin: old.Origin, Accepted: old.Accepted.In(models.Shanghai)}
	}
	e.Accepted = e.Accepted.In(models.Shanghai)
	e.Period = e.Period.In(models.Shanghai)
	if e.Label == "" {
		e.Label = e.PeriodOf().Label()
	}
	if tx.pending == nil {
		tx.pending = map[Key]int{}
	}
	tx.pending[k] = len(tx.entries)
	tx.entries = append(tx.entries, e)
	return true, e.Previous != nil
}

// Query selects entries for Read. Zero fields match everything.
type Query struct {
	Indicator string
	// Entity is matched when MatchEntity is set ("" is the district's own
	// figures); otherwise every entity matches.
	Entity      string
	MatchEntity bool
	// Period, when not zero, is the start of the one period wanted.
	Period time.Time
	// From and To bound the accepted time: From ≤ accepted < To.
	From, To time.Time
	// RevisionsOnly leaves out first writes.
	RevisionsOnly bool
}

func (q Query) match(e Entry) bool {
	switch {
	case q.Indicator != "" && e.Indicator != q.Indicator:
		return false
	case q.MatchEntity && e.Entity != q.Entity:
		return false
	case !q.Period.IsZero() && !e.Period.Equal(q.Period):
		return false
	case !q.From.IsZero() && e.Accepted.Before(q.From):
		return false
	case !q.To.IsZero() && !e.Accepted.Before(q.To):
		return false
	case q.RevisionsOnly && e.Previous == nil:
		return false
	}
	return true
}

// Read returns the entries of the ledger in dir that q selects, in the
// order they were accepted. A directory without a ledger has no entries.
// It takes no lock: appends are whole lines, and an incomplete last line
// is left out.
func Read(dir string, q Query) ([]Entry, error) {
	f, err := os.Open(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	var out []Entry
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("ledger: reading %s: %w", f.Name(), err)
		}
		var e Entry
		if json.Unmarshal(line, &e) != nil || e.Indicator == "" {
			continue
		}
		if q.match(e) {
			e.Accepted = e.Accepted.In(models.Shanghai)
			e.Period = e.Period.In(models.Shanghai)
			if e.Previous != nil {
				e.Previous.Accepted = e.Previous.Accepted.In(models.Shanghai)
			}
			out = append(out, e)
		}
	}
}
