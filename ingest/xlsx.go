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

// workbookLimits bound what reading a workbook may take: the workbook
// (Options.MaxXLSXBytes), what it unpacks to and the setting that limit
// comes from, and one record (Options.MaxRecordBytes).
type workbookLimits struct {
	maxBytes   int64
	unpack     int64
	unpackName string
	maxRecord  int
}

// sheetReader is an opened .xlsx workbook and the sheet to read.
type sheetReader struct {
	data     []byte
	f        *excelize.File
	sheet    string
	date1904 bool
}

// openWorkbook reads a workbook for its sheet (the first when sheet is
// empty). The zip must be read whole (its directory is at the end), so the
// workbook is bounded by lim.maxBytes; the sheet itself is streamed by
// rows, spilling to a temporary file beyond 16 MiB of XML. Streaming alone
// does not bound memory: an XML decoder returns a run of text as one token,
// so a sheet of 900 MiB of whitespace would be held whole. Before excelize
// sees it, checkWorkbook refuses a workbook that unpacks past the
// decompression limit, one whose shared-strings table (read whole) is over
// maxSharedStringsBytes, and one whose sheets or shared strings hold a
// cell, tag or row larger than the record limit.
func openWorkbook(src io.Reader, lim workbookLimits, sheet string) (*sheetReader, error) {
	data, err := io.ReadAll(io.LimitReader(src, lim.maxBytes+1))
	if err != nil {
		return nil, parseFailure(0, RuleMalformedInput, fmt.Sprintf("reading workbook: %v", err))
	}
	if int64(len(data)) > lim.maxBytes {
		return nil, parseFailure(0, RuleTooLarge, fmt.Sprintf("workbook larger than %d bytes; split it or export CSV", lim.maxBytes))
	}
	if err := checkWorkbook(data, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    lim.unpack,
		UnzipXMLSizeLimit: min(16<<20, lim.unpack),
	})
	if err != nil {
		return nil, parseFailure(0, RuleMalformedInput, fmt.Sprintf("not an Excel .xlsx workbook: %v", err))
	}
	name, err := pickSheet(f, sheet)
	if err != nil {
		f.Close()
		return nil, parseFailure(0, RuleMalformedInput, err.Error())
	}
	wb := &sheetReader{data: data, f: f, sheet: name}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		wb.date1904 = *props.Date1904
	}
	return wb, nil
}

func (wb *sheetReader) close() { wb.f.Close() }

// rows hands every row of the sheet to yield, numbered as the sheet
// numbers them from the first row read.
func (wb *sheetReader) rows(yield func(parsedRow) error) error {
	rows, err := wb.f.Rows(wb.sheet)
	if err != nil {
		return parseFailure(0, RuleMalformedInput, fmt.Sprintf("sheet %q: %v", wb.sheet, err))
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return parseFailure(n, RuleMalformedInput, fmt.Sprintf("sheet %q row %d: %v", wb.sheet, n, err))
		}
		if err := yield(parsedRow{num: n, cells: cells}); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return parseFailure(n+1, RuleMalformedInput, fmt.Sprintf("sheet %q: %v", wb.sheet, err))
	}
	return nil
}

// merges are the sheet's merged ranges that span rows, by column.
func (wb *sheetReader) merges() ([]mergedColumn, error) { return sheetMerges(wb.data, wb.sheet) }

// decodeXLSX lays the table of the header over the rows of the workbook's
// sheet, fills key cells of merged ranges down, and processes every row
// after the header.
func (r *run) decodeXLSX(src io.Reader, pl *plan) error {
	unpack, unpackName := r.maxBytes()
	sheet := ""
	if pl != nil {
		sheet = pl.m.Sheet
	}
	wb, err := openWorkbook(src, workbookLimits{maxBytes: r.p.opts.MaxXLSXBytes, unpack: unpack, unpackName: unpackName, maxRecord: r.p.opts.MaxRecordBytes}, sheet)
	if err != nil {
		return named(err, r.in.Name)
	}
	defer wb.close()
	h := r.headerScan(pl, true, wb.date1904)
	var filler *mergeFiller
	seen := false
	err = wb.rows(func(row parsedRow) error {
		if h.table == nil {
			if err := h.scan(row); err != nil {
				return mergedHeaderHint(wb, err)
			}
			if h.table == nil {
				return nil
			}
			merges, err := wb.merges()
			if err != nil {
				return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("reading merged cells: %v", err))
			}
			filler = newMergeFiller(merges, h.table.keyColumns(), h.table.headerRow)
			return nil
		}
		cells := row.cells
		if filler != nil {
			cells = filler.fill(row.num, cells)
		}
		if !blankRow(cells) {
			seen = true
		}
		return h.table.row(r, row.num, cells)
	})
	if err != nil {
		return named(err, r.in.Name)
	}
	if h.table == nil {
		return h.missing()
	}
	if filler != nil {
		r.res.MergedFilled = filler.filled
	}
	if !seen {
		return r.inputErr(0, RuleNoDataRows, fmt.Sprintf("sheet %q has a header but no data rows", wb.sheet))
	}
	return nil
}

// mergedHeaderHint explains a header that failed because its cells are
// merged.
func mergedHeaderHint(wb *sheetReader, err error) error {
	var ie *InputError
	if errors.As(err, &ie) && ie.Rule == RuleMalformedHeader {
		if merged := mergedHeader(wb.f, wb.sheet, ie.Row); merged != "" {
			ie.Message = fmt.Sprintf("header cells %s are merged; give one header row with a name per column (unmerge the cells, or set header_row in a mapping): %s", merged, ie.Message)
		}
	}
	return err
}

// pickSheet returns the named sheet, or the first when name is empty.
func pickSheet(f *excelize.File, name string) (string, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", errors.New("the workbook has no sheets")
	}
	if name == "" {
		return sheets[0], nil
	}
	for _, s := range sheets {
		if s == name {
			return s, nil
		}
	}
	return "", fmt.Errorf("sheet %q not found (sheets: %s)", name, strings.Join(sheets, ", "))
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
func checkWorkbook(data []byte, lim workbookLimits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return parseFailure(0, RuleMalformedInput, fmt.Sprintf("not an Excel .xlsx workbook: %v", err))
	}
	limit, name := lim.unpack, lim.unpackName
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return parseFailure(0, RuleTooLarge, fmt.Sprintf("the workbook unpacks to more than %d bytes, the limit (%s): part %s alone holds %d bytes; split the workbook or export CSV",
				limit, name, f.Name, f.UncompressedSize64))
		}
		if isSharedStrings(f.Name) && f.UncompressedSize64 > maxSharedStringsBytes {
			return parseFailure(0, RuleTooLarge, fmt.Sprintf("the workbook's shared strings (%s) unpack to %d bytes, more than the %d that are read into memory; export CSV",
				f.Name, f.UncompressedSize64, maxSharedStringsBytes))
		}
	}
	maxRun := int64(lim.maxRecord)
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") && !isSharedStrings(f.Name) {
			continue
		}
		if err := scanPartBounds(f, maxRun, maxRowCells*maxRun); err != nil {
			return parseFailure(0, RuleTooLarge, fmt.Sprintf("part %s: %v; split the cell's text or export CSV", f.Name, err))
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
