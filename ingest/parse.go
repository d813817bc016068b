package ingest

import (
	"errors"
	"fmt"
)

// The parsers (parseCSV, parseJSON, parseNDJSON, parseLineProtocol,
// openWorkbook) read one format and nothing more: they hand each row to a
// consumer as a parsedRow, in input order, and know nothing of the
// catalogue, the mappings, the ledger, the spool or the rejection sink.
// The pipeline's run is the consumer: it lays the table over the rows,
// validates them, screens them against the ledger, deduplicates, records
// rejections and delivers (node_exporter's getLoad/parseLoad split). A
// parser keeps no more than one row: the consumer sees a row before the
// next is read, and must not keep its slices past the call.
//
// A row the parser cannot read is handed over with err set and the input
// goes on; an input that cannot be read further ends the parse with an
// *InputError whose Source is left for the consumer to fill. An error of
// the consumer stops the parse and is returned as it is.

// parsedRow is one row as its format's parser read it, before any rule of
// the catalogue or of a mapping applies.
type parsedRow struct {
	// num is the row's number: the line of CSV, NDJSON and line protocol,
	// the element of a JSON array (or the object of a stream of them), the
	// sheet row of a workbook.
	num int
	// cells are the cells of a CSV record or a sheet row.
	cells []string
	// fields are the members of a JSON object, in order.
	fields []jsonField
	// lp is a line of line protocol.
	lp lpLine
	// text is the row as read, for the rejection record, of JSON, NDJSON
	// and line protocol (CSV and sheet rows are rendered from cells, and
	// only when rejected).
	text string
	// err, when set, says why the row could not be read; the fields above
	// hold what was.
	err *rowError
}

// rowError is why one row cannot be read, as a rejection: the field it
// concerns ("" for the whole row), the rule and the message.
type rowError struct {
	field, rule, msg string
}

// rejected is the row with a rowError of the whole row.
func (pr parsedRow) rejected(rule, msg string) parsedRow {
	pr.err = &rowError{rule: rule, msg: msg}
	return pr
}

// parseFailure is an input the parser cannot read further: an
// *InputError without Source, which the consumer names.
func parseFailure(row int, rule, msg string) error {
	return &InputError{Row: row, Rule: rule, Message: msg}
}

// named gives a parser's *InputError the input's name; other errors (the
// consumer's own, the context's) pass as they are.
func named(err error, source string) error {
	var ie *InputError
	if errors.As(err, &ie) && ie.Source == "" {
		ie.Source = source
	}
	return err
}

// tooLongMessage is the rejection of a line over the record limit.
func tooLongMessage(maxRecord int) string {
	return fmt.Sprintf("line longer than %d bytes; skipped", maxRecord)
}
