package ingest

import (
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
// streamed, spilling to a temporary file beyond 16 MiB of XML.
func (r *run) decodeXLSX(src io.Reader, pl *plan) error {
	max := r.p.opts.MaxXLSXBytes
	data, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("reading workbook: %v", err))
	}
	if int64(len(data)) > max {
		return r.inputErr(0, RuleTooLarge, fmt.Sprintf("workbook larger than %d bytes; split it or export CSV", max))
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    4 * max,
		UnzipXMLSizeLimit: 16 << 20,
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
