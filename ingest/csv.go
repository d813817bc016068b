package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// parseCSV reads the records of a CSV file and hands each to yield, with
// its line: every record, header and blank ones included (which of them
// is the header is the mapping's business). Each record's size is bounded
// by maxRecord, and its cells must be UTF-8; a record that breaks a rule
// of CSV or is not UTF-8 is handed over with its rowError, and reading
// goes on.
func parseCSV(text io.Reader, maxRecord int, yield func(parsedRow) error) error {
	rows := newCSVRows(text, maxRecord)
	for {
		row, err := rows.next(maxRecord)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := yield(row); err != nil {
			return err
		}
	}
}

// csvRows reads the records of a CSV file, bounding each record's size and
// checking that it is UTF-8.
type csvRows struct {
	cr   *csv.Reader
	lim  *limiter
	last int // line of the last record read
}

func newCSVRows(text io.Reader, maxRecord int) *csvRows {
	lim := &limiter{r: text, max: maxRecord}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1
	return &csvRows{cr: cr, lim: lim}
}

// next returns the next record and its line, with a rowError when the row
// cannot be read; io.EOF ends the file; any other error is a failed input.
func (c *csvRows) next(maxRecord int) (parsedRow, error) {
	c.lim.reset()
	rec, err := c.cr.Read()
	line := c.last + 1
	if len(rec) > 0 {
		line, _ = c.cr.FieldPos(0)
	}
	if err != nil {
		return c.readError(err, line, maxRecord, rec)
	}
	c.last = line
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return parsedRow{num: line, cells: rec, err: &rowError{rule: RuleBadEncoding, msg: "row is " + encodingMessage([]byte(csvLine(rec)))}}, nil
		}
	}
	return parsedRow{num: line, cells: rec}, nil
}

// readError sorts a failed Read into io.EOF, a bad row or a failed input.
// It is apart from next so that the happy path allocates nothing for it.
func (c *csvRows) readError(err error, line, maxRecord int, rec []string) (parsedRow, error) {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return parsedRow{}, io.EOF
	case errors.Is(err, errRecordTooLong):
		return parsedRow{}, parseFailure(line, RuleLineTooLong,
			fmt.Sprintf("a record is longer than %d bytes (an unclosed quote?); reading stopped", maxRecord))
	case errors.As(err, &pe):
		c.last = pe.Line
		return parsedRow{num: pe.StartLine, cells: rec, err: &rowError{rule: RuleMalformedRow, msg: fmt.Sprintf("CSV: %v (column %d)", pe.Err, pe.Column)}}, nil
	default:
		return parsedRow{}, parseFailure(line, RuleMalformedInput, err.Error())
	}
}

// decodeCSV lays the table of the header (at the mapping's header_row)
// over the records parseCSV reads, and processes every record after it.
func (r *run) decodeCSV(text *bufio.Reader, pl *plan) error {
	h := r.headerScan(pl, false, false)
	seen := false
	err := parseCSV(text, r.p.opts.MaxRecordBytes, func(row parsedRow) error {
		if h.table == nil {
			return h.scan(row)
		}
		if row.err != nil {
			seen = true
			r.rowSeen()
			return r.rejectRow(row.num, &rawRow{cells: row.cells}, row.err.field, row.err.rule, row.err.msg)
		}
		if !blankRow(row.cells) {
			seen = true
		}
		return h.table.row(r, row.num, row.cells)
	})
	if err != nil {
		return named(err, r.in.Name)
	}
	if h.table == nil {
		return h.missing()
	}
	if !seen {
		return r.inputErr(0, RuleNoDataRows, "the file has a header but no data rows")
	}
	return nil
}

// header finds the header row of a CSV file or a sheet among the rows a
// parser hands over: the first non-blank row at or after the mapping's
// header_row (1 without one). Until it is found, table is nil.
type header struct {
	r              *run
	pl             *plan
	want           int
	xlsx, date1904 bool
	table          *table
}

func (r *run) headerScan(pl *plan, xlsx, date1904 bool) *header {
	want := 1
	if pl != nil && pl.m.HeaderRow > 0 {
		want = pl.m.HeaderRow
	}
	return &header{r: r, pl: pl, want: want, xlsx: xlsx, date1904: date1904}
}

// scan looks at one row before the header: skips it, lays the table over
// it, or refuses the input when the header itself cannot be read.
func (h *header) scan(row parsedRow) error {
	if row.err != nil {
		if row.num >= h.want {
			return h.r.inputErr(row.num, row.err.rule, "header: "+row.err.msg)
		}
		return nil
	}
	if row.num < h.want || blankRow(row.cells) {
		return nil
	}
	t, err := h.r.layout(h.pl, row.cells)
	if err != nil {
		return h.r.inputErr(row.num, RuleMalformedHeader, err.Error())
	}
	t.xlsx, t.date1904, t.headerRow = h.xlsx, h.date1904, row.num
	h.r.res.Header = csvLine(row.cells)
	h.table = t
	return nil
}

// missing is the refusal of an input that ended before its header.
func (h *header) missing() error {
	return h.r.inputErr(0, RuleNoDataRows, fmt.Sprintf("no header row (expected at row %d)", h.want))
}

// layout builds the table of a header: the mapping's, or a canonical one.
func (r *run) layout(pl *plan, header []string) (*table, error) {
	if pl != nil {
		t, ignored, err := newMappedTable(pl, header)
		if err != nil {
			return nil, err
		}
		r.res.Ignored = ignored
		return t, nil
	}
	return newCanonicalTable(r.p.cat, header)
}
