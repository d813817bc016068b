package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Format is an output format of the report.
type Format string

// Output formats.
const (
	FormatHTML     Format = "html"
	FormatCSV      Format = "csv"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "md"
)

// AllFormats is every format, in the order files are written.
var AllFormats = []Format{FormatHTML, FormatCSV, FormatJSON, FormatMarkdown}

// ErrBadFormat reports an unknown output format.
var ErrBadFormat = errors.New("format must be html, csv, json or md")

// ParseFormats reads formats from a list whose items may themselves be
// comma-separated ("html,csv"); empty means all of them.
func ParseFormats(items ...string) ([]Format, error) {
	seen := map[Format]bool{}
	var out []Format
	for _, item := range items {
		for _, f := range strings.Split(item, ",") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f == "" {
				continue
			}
			switch Format(f) {
			case FormatHTML, FormatCSV, FormatJSON, FormatMarkdown:
			case "markdown":
				f = string(FormatMarkdown)
			default:
				return nil, fmt.Errorf("%q: %w", f, ErrBadFormat)
			}
			if !seen[Format(f)] {
				seen[Format(f)] = true
				out = append(out, Format(f))
			}
		}
	}
	if len(out) == 0 {
		return append([]Format(nil), AllFormats...), nil
	}
	return out, nil
}

// IndexFile is the name of the index page in the output directory.
const IndexFile = "index.html"

// BaseName is the file name of a report without extension:
// "report-2024-05", or "report-2024-05-en" for the English edition.
func BaseName(m Month, lang Lang) string {
	if lang == LangEn {
		return "report-" + m.String() + "-en"
	}
	return "report-" + m.String()
}

// Write renders r into dir in each format, each file atomically (a
// temporary file renamed over the old one, so a reader never sees half a
// report and re-running a month replaces it), then rewrites the index
// page. It returns the paths written, index last.
func Write(dir string, r *Report, formats []Format) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report directory: %w", err)
	}
	base := filepath.Join(dir, BaseName(r.Month, r.Lang))
	var paths []string
	add := func(path string, render func(io.Writer, *Report) error) error {
		if err := writeAtomic(path, func(w io.Writer) error { return render(w, r) }); err != nil {
			return err
		}
		paths = append(paths, path)
		return nil
	}
	for _, f := range formats {
		var err error
		switch f {
		case FormatHTML:
			err = add(base+".html", WriteHTML)
		case FormatCSV:
			if err = add(base+".csv", WriteCSV); err == nil {
				err = add(base+"-water.csv", WriteWaterCSV)
			}
			if err == nil {
				err = add(base+"-revisions.csv", WriteRevisionsCSV)
			}
		case FormatJSON:
			err = add(base+".json", WriteJSON)
		case FormatMarkdown:
			err = add(base+".md", WriteMarkdown)
		default:
			err = fmt.Errorf("%q: %w", f, ErrBadFormat)
		}
		if err != nil {
			return paths, err
		}
	}
	idx := filepath.Join(dir, IndexFile)
	if err := writeAtomic(idx, func(w io.Writer) error { return renderIndex(w, dir, r.GeneratedAt) }); err != nil {
		return paths, err
	}
	return append(paths, idx), nil
}

// writeAtomic renders into a temporary file in the target's directory and
// renames it over the target; on any error the target is left as it was.
func writeAtomic(path string, render func(io.Writer) error) (err error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// reportFile matches the files Write produces.
var reportFile = regexp.MustCompile(`^report-(\d{4}-\d{2})(-en)?(-water|-revisions)?\.(html|csv|json|md)$`)

// IndexEntry is one report edition (a month in one language) in the index.
type IndexEntry struct {
	Month Month
	Lang  Lang
	Name  string
	Main  string
	Files []IndexFileLink
	// Cutoff is the edition's data cut-off (the last day of its month)
	// and Latest the time of the newest figure it includes, both read
	// from its JSON file; empty without one.
	Cutoff, Latest string
}

// IndexFileLink is one file of an edition.
type IndexFileLink struct{ Href, Label string }

// ScanDir lists the report editions in dir, newest month first, Chinese
// before English. Files that are not reports are ignored.
func ScanDir(dir string) ([]IndexEntry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing reports: %w", err)
	}
	type key struct {
		m    string
		lang Lang
	}
	byKey := map[key]*IndexEntry{}
	for _, de := range des {
		sm := reportFile.FindStringSubmatch(de.Name())
		if sm == nil || !de.Type().IsRegular() {
			continue
		}
		m, err := ParseMonth(sm[1])
		if err != nil {
			continue
		}
		k := key{sm[1], LangZh}
		if sm[2] != "" {
			k.lang = LangEn
		}
		e := byKey[k]
		if e == nil {
			e = &IndexEntry{Month: m, Lang: k.lang, Name: m.NameZh()}
			if k.lang == LangEn {
				e.Name = m.NameEn() + " (English)"
			}
			byKey[k] = e
		}
		label := strings.ToUpper(sm[4])
		switch sm[3] {
		case "-water":
			label = "CSV（水质断面 / water）"
		case "-revisions":
			label = "CSV（修订记录 / revisions）"
		}
		e.Files = append(e.Files, IndexFileLink{Href: de.Name(), Label: label})
		if sm[4] == "html" {
			e.Main = de.Name()
		}
	}
	out := make([]IndexEntry, 0, len(byKey))
	for _, e := range byKey {
		if e.Main == "" {
			e.Main = e.Files[0].Href
		}
		sort.Slice(e.Files, func(i, j int) bool { return fileRank(e.Files[i].Href) < fileRank(e.Files[j].Href) })
		e.Cutoff, e.Latest = dataCutoff(dir, e.Files)
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month.String() > out[j].Month.String()
		}
		return out[i].Lang == LangZh && out[j].Lang != LangZh
	})
	return out, nil
}

// dataCutoff reads an edition's JSON file for its cut-off and the time of
// the newest figure in it; empty strings when there is no JSON file or it
// cannot be read (the index still lists the edition).
func dataCutoff(dir string, files []IndexFileLink) (cutoff, latest string) {
	for _, f := range files {
		if !strings.HasSuffix(f.Href, ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, f.Href))
		if err != nil {
			return "", ""
		}
		var r struct {
			AsOf     time.Time `json:"as_of"`
			Sections []struct {
				Rows []struct {
					LastObservation time.Time `json:"last_observation"`
				} `json:"rows"`
				Reference []struct {
					LastObservation time.Time `json:"last_observation"`
				} `json:"reference"`
			} `json:"sections"`
		}
		if json.Unmarshal(b, &r) != nil || r.AsOf.IsZero() {
			return "", ""
		}
		var newest time.Time
		for _, s := range r.Sections {
			for _, row := range s.Rows {
				if row.LastObservation.After(newest) && row.LastObservation.Before(r.AsOf) {
					newest = row.LastObservation
				}
			}
			for _, row := range s.Reference {
				if row.LastObservation.After(newest) && row.LastObservation.Before(r.AsOf) {
					newest = row.LastObservation
				}
			}
		}
		cutoff = r.AsOf.Add(-time.Second).In(models.Shanghai).Format(time.DateOnly)
		if !newest.IsZero() {
			latest = newest.In(models.Shanghai).Format("2006-01-02 15:04")
		}
		return cutoff, latest
	}
	return "", ""
}

// fileRank orders an edition's files as html, csv, water csv, revisions
// csv, json, md.
func fileRank(name string) int {
	switch {
	case strings.HasSuffix(name, ".html"):
		return 0
	case strings.HasSuffix(name, "-water.csv"):
		return 2
	case strings.HasSuffix(name, "-revisions.csv"):
		return 3
	case strings.HasSuffix(name, ".csv"):
		return 1
	case strings.HasSuffix(name, ".json"):
		return 4
	}
	return 5
}

// WriteIndex rewrites dir/index.html from the reports found in dir.
func WriteIndex(dir string, now time.Time) error {
	return writeAtomic(filepath.Join(dir, IndexFile), func(w io.Writer) error { return renderIndex(w, dir, now) })
}

func renderIndex(w io.Writer, dir string, now time.Time) error {
	entries, err := ScanDir(dir)
	if err != nil {
		return err
	}
	view := struct {
		Title, Updated string
		CSS            template.CSS
		Entries        []IndexEntry
	}{
		Title:   zhLabels.IndexTitle,
		Updated: "更新于 / Updated " + now.In(models.Shanghai).Format("2006-01-02 15:04"),
		CSS:     template.CSS(styleCSS),
		Entries: entries,
	}
	return indexTmpl.Execute(w, view)
}
