package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// decodeXLSX reads a workbook sheet row by row with excelize's streaming
// Rows API. The zip must be read whole (its directory is at the end), so
// the workbook is bounded by Options.MaxXLSXBytes; the sheet itself is
// streamed, spilling to a temporary file beyond 16 MiB of XML. Streaming
// alone does not bound memory: an XML decoder returns a run of text as one
// token, so a sheet of 900 MiB of whitespace would be held whole. Before
// excelize sees it, checkWorkbook refuses a workbook that unpacks past the
// decompression limit, one whose shared-strings table (read whole) is over
// maxSharedStringsBytes, and one whose sheets or shared strings hold a
// cell, tag or row larger than the record limit.
func (r *run) decodeXLSX(src io.Reader, pl *plan) error {
	max := r.p.opts.MaxXLSXBytes
	data, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("reading workbook: %v", err))
	}
	if int64(len(data)) > max {
		return r.inputErr(0, RuleTooLarge, fmt.Sprintf("workbook larger than %d bytes; split it or export CSV", max))
	}
	if err := r.checkWorkbook(data); err != nil {
		return err
	}
	unzipLimit, _ := r.maxBytes()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: min(16<<20, unzipLimit),
	})
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("not an Excel .xlsx workbook: %v", err))
	}
	defer f.Close()
	sheet, err := pickSheet(f, pl)
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, err.Error())
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("sheet %q: %v", sheet, err))
	}
	defer rows.Close()
	n := 0
	next := func() (int, []string, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return 0, nil, r.inputErr(n+1, RuleMalformedInput, fmt.Sprintf("sheet %q: %v", sheet, err))
			}
			return 0, nil, io.EOF
		}
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return 0, nil, r.inputErr(n, RuleMalformedInput, fmt.Sprintf("sheet %q row %d: %v", sheet, n, err))
		}
		return n, cells, nil
	}
	t, err := r.readHeader(next, pl, true, date1904)
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) && ie.Rule == RuleMalformedHeader {
			if merged := mergedHeader(f, sheet, ie.Row); merged != "" {
				ie.Message = fmt.Sprintf("header cells %s are merged; give one header row with a name per column (unmerge the cells, or set header_row in a mapping): %s", merged, ie.Message)
			}
		}
		return err
	}
	merges, err := sheetMerges(data, sheet)
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("reading merged cells: %v", err))
	}
	filler := newMergeFiller(merges, t.keyColumns(), t.headerRow)
	seen := false
	for {
		line, cells, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if filler != nil {
			cells = filler.fill(line, cells)
		}
		if !blankRow(cells) {
			seen = true
		}
		if err := t.row(r, line, cells); err != nil {
			return err
		}
	}
	if filler != nil {
		r.res.MergedFilled = filler.filled
	}
	if !seen {
		return r.inputErr(0, RuleNoDataRows, fmt.Sprintf("sheet %q has a header but no data rows", sheet))
	}
	return nil
}

// pickSheet returns the mapping's sheet, or the first.
func pickSheet(f *excelize.File, pl *plan) (string, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", errors.New("the workbook has no sheets")
	}
	if pl == nil || pl.m.Sheet == "" {
		return sheets[0], nil
	}
	for _, s := range sheets {
		if s == pl.m.Sheet {
			return s, nil
		}
	}
	return "", fmt.Errorf("sheet %q not found (sheets: %s)", pl.m.Sheet, strings.Join(sheets, ", "))
}

// mergedHeader names the merged ranges touching the header row, e.g.
// "C1:E1", or "" if none. It is only called on a header that failed, so
// reading the sheet's merge list whole does not cost the streaming path.
func mergedHeader(f *excelize.File, sheet string, row int) string {
	merges, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return ""
	}
	var out []string
	for _, m := range merges {
		_, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		_, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 == nil && err2 == nil && r1 <= row && row <= r2 {
			out = append(out, m.GetStartAxis()+":"+m.GetEndAxis())
		}
	}
	return strings.Join(out, ", ")
}

// maxSharedStringsBytes bounds a workbook's shared-strings table, which
// excelize unmarshals whole on the first text cell: about 7 bytes of heap
// and half a microsecond per byte of its XML (32 MiB of short strings took
// 226 MB and 32 s), so it is held to 16 MiB — a million short distinct
// strings. A workbook with more text is a case for CSV.
const maxSharedStringsBytes = 16 << 20

// isSharedStrings reports the shared-strings part, by its usual name.
func isSharedStrings(part string) bool {
	return strings.Contains(strings.ToLower(part), "sharedstrings")
}

// maxRowCells bounds the cells of one sheet row, in bytes of XML, as a
// multiple of Options.MaxRecordBytes: a row of a text input is bounded by
// it alone, a sheet row carries a tag per cell besides its text.
const maxRowCells = 4

// checkWorkbook refuses a workbook that would take unbounded memory or
// time to read: one whose parts unpack to more than the decompression
// limit (each or together, as the zip directory declares; the zip reader
// fails a part that unpacks beyond its declared size), and one whose
// worksheets or shared strings hold a cell, tag or row over the record
// limit.
func (r *run) checkWorkbook(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("not an Excel .xlsx workbook: %v", err))
	}
	limit, name := r.maxBytes()
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return r.inputErr(0, RuleTooLarge, fmt.Sprintf("the workbook unpacks to more than %d bytes, the limit (%s): part %s alone holds %d bytes; split the workbook or export CSV",
				limit, name, f.Name, f.UncompressedSize64))
		}
		if isSharedStrings(f.Name) && f.UncompressedSize64 > maxSharedStringsBytes {
			return r.inputErr(0, RuleTooLarge, fmt.Sprintf("the workbook's shared strings (%s) unpack to %d bytes, more than the %d that are read into memory; export CSV",
				f.Name, f.UncompressedSize64, maxSharedStringsBytes))
		}
	}
	maxRun := int64(r.p.opts.MaxRecordBytes)
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") && !isSharedStrings(f.Name) {
			continue
		}
		if err := scanPartBounds(f, maxRun, maxRowCells*maxRun); err != nil {
			return r.inputErr(0, RuleTooLarge, fmt.Sprintf("part %s: %v; split the cell's text or export CSV", f.Name, err))
		}
	}
	return nil
}

func scanPartBounds(f *zip.File, maxRun, maxRow int64) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return scanXMLBounds(rc, maxRun, maxRow)
}

// scanXMLBounds reads XML markup as bytes and fails at the first run of
// text or tag longer than maxRun, or <row> element longer than maxRow. It
// keeps no more than a buffer, whatever the input.
func scanXMLBounds(rd io.Reader, maxRun, maxRow int64) error {
	br := bufio.NewReaderSize(rd, 64<<10)
	var (
		pos, runStart int64
		rowStart      int64  = -1
		name          []byte // the first bytes of the current tag
		inTag         bool
	)
	for {
		b, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		pos++
		switch {
		case b == '<':
			inTag, name, runStart = true, name[:0], pos
		case b == '>' && inTag:
			switch {
			case isTagName(name, "row"):
				rowStart = runStart
			case isTagName(name, "/row"):
				rowStart = -1
			}
			inTag, runStart = false, pos
		case inTag && len(name) < 5:
			name = append(name, b)
		}
		if pos-runStart > maxRun {
			if inTag {
				return fmt.Errorf("a tag of more than %d bytes at byte %d", maxRun, runStart)
			}
			return fmt.Errorf("a text of more than %d bytes (a cell, or whitespace) at byte %d", maxRun, runStart)
		}
		if rowStart >= 0 && pos-rowStart > maxRow {
			return fmt.Errorf("a row of more than %d bytes at byte %d", maxRow, rowStart)
		}
	}
}

// isTagName reports whether the start of a tag, as read, is the name want
// followed by its end (a space, '/' or nothing more).
func isTagName(got []byte, want string) bool {
	if !bytes.HasPrefix(got, []byte(want)) {
		return false
	}
	if len(got) == len(want) {
		return true
	}
	switch got[len(want)] {
	case ' ', '\t', '\r', '\n', '/':
		return true
	}
	return false
}
