package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// csvRows reads the records of a CSV file, bounding each record's size and
// checking that it is UTF-8.
type csvRows struct {
	cr   *csv.Reader
	lim  *limiter
	last int // line of the last record read
}

func newCSVRows(text *bufio.Reader, maxRecord int) *csvRows {
	lim := &limiter{r: text, max: maxRecord}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1
	return &csvRows{cr: cr, lim: lim}
}

// rowProblem is a row that cannot be read but does not stop the input.
type rowProblem struct {
	line  int
	rule  string
	msg   string
	cells []string
}

func (p *rowProblem) Error() string { return p.msg }

// next returns the next record and its line. A *rowProblem is a bad row;
// io.EOF ends the file; any other error is an *InputError-worthy failure.
func (c *csvRows) next(source string, maxRecord int) (int, []string, error) {
	c.lim.reset()
	rec, err := c.cr.Read()
	line := c.last + 1
	if len(rec) > 0 {
		line, _ = c.cr.FieldPos(0)
	}
	if err != nil {
		return c.readError(err, source, line, maxRecord, rec)
	}
	c.last = line
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return line, rec, &rowProblem{line: line, rule: RuleBadEncoding, msg: "row is " + encodingMessage([]byte(csvLine(rec))), cells: rec}
		}
	}
	return line, rec, nil
}

// readError sorts a failed Read into io.EOF, a bad row or a failed input.
// It is apart from next so that the happy path allocates nothing for it.
func (c *csvRows) readError(err error, source string, line, maxRecord int, rec []string) (int, []string, error) {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return 0, nil, io.EOF
	case errors.Is(err, errRecordTooLong):
		return 0, nil, &InputError{Source: source, Row: line, Rule: RuleLineTooLong,
			Message: fmt.Sprintf("a record is longer than %d bytes (an unclosed quote?); reading stopped", maxRecord)}
	case errors.As(err, &pe):
		c.last = pe.Line
		return pe.StartLine, rec, &rowProblem{line: pe.StartLine, rule: RuleMalformedRow, msg: fmt.Sprintf("CSV: %v (column %d)", pe.Err, pe.Column), cells: rec}
	default:
		return 0, nil, &InputError{Source: source, Row: line, Rule: RuleMalformedInput, Message: err.Error()}
	}
}

// decodeCSV reads a CSV file: the header (at the mapping's header_row),
// then every record through the table the header gives.
func (r *run) decodeCSV(text *bufio.Reader, pl *plan) error {
	rows := newCSVRows(text, r.p.opts.MaxRecordBytes)
	next := func() (int, []string, error) { return rows.next(r.in.Name, r.p.opts.MaxRecordBytes) }
	t, err := r.readHeader(next, pl, false, false)
	if err != nil {
		return err
	}
	seen := false
	for {
		line, cells, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rp *rowProblem
		if errors.As(err, &rp) {
			seen = true
			r.rowSeen()
			if err := r.rejectRow(rp.line, &rawRow{cells: rp.cells}, "", rp.rule, rp.msg); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if !blankRow(cells) {
			seen = true
		}
		if err := t.row(r, line, cells); err != nil {
			return err
		}
	}
	if !seen {
		return r.inputErr(0, RuleNoDataRows, "the file has a header but no data rows")
	}
	return nil
}

// readHeader skips to the header row and lays the mapping (or a canonical
// layout) over it.
func (r *run) readHeader(next func() (int, []string, error), pl *plan, xlsx, date1904 bool) (*table, error) {
	want := 1
	if pl != nil && pl.m.HeaderRow > 0 {
		want = pl.m.HeaderRow
	}
	for {
		line, cells, err := next()
		if errors.Is(err, io.EOF) {
			return nil, r.inputErr(0, RuleNoDataRows, fmt.Sprintf("no header row (expected at row %d)", want))
		}
		var rp *rowProblem
		if errors.As(err, &rp) {
			if rp.line >= want {
				return nil, r.inputErr(rp.line, rp.rule, "header: "+rp.msg)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if line < want || blankRow(cells) {
			continue
		}
		t, err := r.layout(pl, cells)
		if err != nil {
			return nil, r.inputErr(line, RuleMalformedHeader, err.Error())
		}
		t.xlsx, t.date1904, t.headerRow = xlsx, date1904, line
		r.res.Header = csvLine(cells)
		return t, nil
	}
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
