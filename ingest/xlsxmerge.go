package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Departments' sheets often merge a key cell over the rows it applies to:
// one 断面名称 or 月份 cell spanning the rows of that section or month. Excel
// stores the value only in the top cell, so read row by row the rows below
// it would have no section. decodeXLSX fills such cells down, but only in
// key columns (time, entity, indicator, unit, source, status): a value
// merged over twelve month rows is one figure, and copying it into each row
// would count it twelve times.

// mergedColumn is a vertical merged range in one column: 0-based column,
// 1-based rows top..bottom.
type mergedColumn struct {
	col, top, bottom int
}

// sheetMerges lists the single-column merged ranges of sheet spanning more
// than one row. excelize's GetMergeCells would load the whole worksheet
// into memory, which the streaming read avoids, so the ranges are read
// from the sheet's XML directly: the <mergeCell ref="A2:A5"/> elements
// after the sheet data, found with a byte scan rather than an XML parse of
// every cell.
func sheetMerges(workbook []byte, sheet string) ([]mergedColumn, error) {
	zr, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		return nil, err
	}
	part, err := sheetPart(zr, sheet)
	if err != nil {
		return nil, err
	}
	f, err := zr.Open(part)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	defer f.Close()
	refs, err := scanMergeRefs(f)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	var out []mergedColumn
	for _, ref := range refs {
		first, last, ok := strings.Cut(ref, ":")
		if !ok {
			continue
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(first)
		c2, r2, err2 := excelize.CellNameToCoordinates(last)
		if err1 != nil || err2 != nil || c1 != c2 || r2 <= r1 {
			continue
		}
		out = append(out, mergedColumn{col: c1 - 1, top: r1, bottom: r2})
	}
	return out, nil
}

// sheetPart resolves a sheet name to its part in the package, through
// xl/workbook.xml and its relationships.
func sheetPart(zr *zip.Reader, sheet string) (string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readXMLPart(zr, "xl/workbook.xml", &wb); err != nil {
		return "", err
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readXMLPart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID != s.RID {
				continue
			}
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/"), nil
			}
			return path.Join("xl", r.Target), nil
		}
	}
	return "", fmt.Errorf("sheet %q has no part in the workbook", sheet)
}

// maxPartBytes bounds the small XML parts read whole.
const maxPartBytes = 8 << 20

func readXMLPart(zr *zip.Reader, name string, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPartBytes))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// scanMergeRefs returns the ref attribute of every mergeCell element of a
// worksheet, with or without a namespace prefix.
func scanMergeRefs(r io.Reader) ([]string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var refs []string
	for {
		if _, err := br.ReadSlice('<'); err != nil {
			if errors.Is(err, io.EOF) {
				return refs, nil
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return nil, err
			}
			continue // a long run of text: keep looking for '<'
		}
		if !isMergeCellTag(br) {
			continue
		}
		tag, err := br.ReadSlice('>')
		if err != nil {
			return nil, fmt.Errorf("reading a mergeCell element: %w", err)
		}
		if ref := xmlAttr(tag, "ref"); ref != "" {
			refs = append(refs, ref)
		}
	}
}

// isMergeCellTag reports whether the element after the '<' just read is
// <mergeCell …> or <x:mergeCell …> (not <mergeCells>).
func isMergeCellTag(br *bufio.Reader) bool {
	p, _ := br.Peek(24)
	if i := bytes.IndexByte(p, ':'); i >= 0 && bytes.IndexAny(p[:i], " />") < 0 {
		p = p[i+1:]
	}
	const name = "mergeCell"
	if !bytes.HasPrefix(p, []byte(name)) || len(p) == len(name) {
		return false
	}
	switch p[len(name)] {
	case ' ', '\t', '\r', '\n', '/':
		return true
	}
	return false
}

// xmlAttr returns the value of attribute name in a start tag, or "".
func xmlAttr(tag []byte, name string) string {
	for _, q := range []string{`"`, `'`} {
		key := []byte(" " + name + "=" + q)
		if i := bytes.Index(tag, key); i >= 0 {
			rest := tag[i+len(key):]
			if j := bytes.Index(rest, []byte(q)); j >= 0 {
				return string(rest[:j])
			}
		}
	}
	return ""
}

// mergeFiller fills cells of vertically merged key columns as rows stream
// by: the top row's value goes into the empty cells below it.
type mergeFiller struct {
	pending []mergedColumn // not reached yet, by top row
	active  []activeMerge
	filled  int
}

type activeMerge struct {
	mergedColumn
	value string
}

// newMergeFiller keeps the merges in key columns that start below the
// header row.
func newMergeFiller(merges []mergedColumn, keyCols map[int]bool, headerRow int) *mergeFiller {
	m := &mergeFiller{}
	for _, mc := range merges {
		if keyCols[mc.col] && mc.top > headerRow {
			m.pending = append(m.pending, mc)
		}
	}
	if len(m.pending) == 0 {
		return nil
	}
	sort.Slice(m.pending, func(i, j int) bool { return m.pending[i].top < m.pending[j].top })
	return m
}

// fill completes row n's cells in place and returns them (possibly
// extended to reach a merged column).
func (m *mergeFiller) fill(n int, cells []string) []string {
	kept := m.active[:0]
	for _, a := range m.active {
		if n > a.bottom {
			continue
		}
		kept = append(kept, a)
		if strings.TrimSpace(cell(cells, a.col)) != "" {
			continue // a value under a merge: the file's, not ours to replace
		}
		for len(cells) <= a.col {
			cells = append(cells, "")
		}
		cells[a.col] = a.value
		m.filled++
	}
	m.active = kept
	for len(m.pending) > 0 && m.pending[0].top <= n {
		p := m.pending[0]
		m.pending = m.pending[1:]
		if v := cell(cells, p.col); p.top == n && v != "" {
			m.active = append(m.active, activeMerge{mergedColumn: p, value: v})
		}
	}
	return cells
}
