package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/greenmetrics/greenmetrics/models"
)

// maxJSONDepth bounds nesting. Rows are flat objects (depth 1 inside an
// array); anything deeper than this is not data but an attack or an
// accident, and is refused before the decoder walks all of it.
const maxJSONDepth = 32

var errTooDeep = errors.New("nested too deep")

// jsonField is one key of a row object. val is a json.Number, string,
// bool, nil, or nested for an object or array.
type jsonField struct {
	key string
	val any
}

// nested stands for an object or array value, which no row field may hold.
type nested struct{ kind string }

// parseJSON streams a JSON array of row objects, or row objects one after
// another, token by token, and hands each row to yield: memory is bounded
// by one row, however long the array. Rows are numbered by element (the
// first element or object is row 1), whatever the line breaks: a program
// that sent the array knows its elements, and a whole array is often one
// line. Errors that stop reading name the line as well.
func parseJSON(text io.Reader, maxRecord int, yield func(parsedRow) error) error {
	lim := &limiter{r: text, max: maxRecord}
	tr := &tracker{r: lim}
	dec := json.NewDecoder(tr)
	dec.UseNumber()
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return parseFailure(0, RuleEmptyInput, "no JSON value in the input")
	}
	if err != nil {
		return jsonFailure(tr, 0, 0, err, maxRecord)
	}
	seen := false
	row := 0
	switch tok {
	case json.Delim('['):
		for dec.More() {
			lim.reset()
			seen = true
			row++
			if err := jsonElement(dec, tr, row, maxRecord, yield); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return jsonFailure(tr, 0, 0, err, maxRecord)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return parseFailure(0, RuleMalformedInput, fmt.Sprintf("content after the end of the JSON array (line %d)", tr.lineAt(dec.InputOffset())))
		}
	case json.Delim('{'):
		for {
			seen = true
			row++
			if err := jsonObject(dec, tr, dec.InputOffset()-1, row, maxRecord, yield); err != nil {
				return err
			}
			lim.reset()
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return jsonFailure(tr, 0, 0, err, maxRecord)
			}
			if tok != json.Delim('{') {
				return parseFailure(row+1, RuleMalformedInput, fmt.Sprintf("expected a row object, found %v (line %d)", tok, tr.lineAt(dec.InputOffset())))
			}
		}
	default:
		return parseFailure(1, RuleMalformedInput, "JSON input must be an array of row objects, or row objects one after another (NDJSON)")
	}
	if !seen {
		return parseFailure(0, RuleNoDataRows, "the JSON array is empty")
	}
	return nil
}

// jsonElement reads element row of the top-level array.
func jsonElement(dec *json.Decoder, tr *tracker, row, maxRecord int, yield func(parsedRow) error) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonFailure(tr, row, 0, err, maxRecord)
	}
	start := dec.InputOffset() - 1
	if tok == json.Delim('{') {
		return jsonObject(dec, tr, start, row, maxRecord, yield)
	}
	line := tr.lineAt(start)
	kind := jsonKind(tok)
	if d, ok := tok.(json.Delim); ok {
		if err := skipNested(dec, d); err != nil {
			return jsonFailure(tr, row, line, err, maxRecord)
		}
	}
	tr.badBefore(dec.InputOffset())
	return yield(parsedRow{num: row, text: kind, err: &rowError{rule: RuleMalformedRow, msg: fmt.Sprintf("array element is %s, not a row object", kind)}})
}

// jsonObject reads row object number row, whose '{' is at byte offset
// start.
func jsonObject(dec *json.Decoder, tr *tracker, start int64, row, maxRecord int, yield func(parsedRow) error) error {
	line := tr.lineAt(start)
	fields, problem, err := readObject(dec)
	if err != nil {
		return jsonFailure(tr, row, line, err, maxRecord)
	}
	bad := tr.badBefore(dec.InputOffset())
	pr := parsedRow{num: row, fields: fields, text: renderObject(fields)}
	switch {
	case bad:
		pr.err = &rowError{rule: RuleBadEncoding, msg: "row is not valid UTF-8 (JSON text must be UTF-8); save the file as UTF-8"}
	case problem != "":
		pr.err = &rowError{rule: RuleMalformedRow, msg: problem}
	}
	return yield(pr)
}

// decodeJSON processes the rows parseJSON reads.
func (r *run) decodeJSON(text io.Reader) error {
	return named(parseJSON(text, r.p.opts.MaxRecordBytes, r.jsonRow), r.in.Name)
}

// readObject reads the members of an object whose '{' was consumed. A
// problem is something wrong with this row only; an error stops the input.
func readObject(dec *json.Decoder) (fields []jsonField, problem string, err error) {
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		key, _ := kt.(string)
		vt, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		if d, ok := vt.(json.Delim); ok {
			if err := skipNested(dec, d); err != nil {
				return nil, "", err
			}
			vt = nested{kind: jsonKind(d)}
			if problem == "" {
				problem = fmt.Sprintf("field %q holds %s; a row is a flat object", key, jsonKind(d))
			}
		}
		if seen[key] && problem == "" {
			problem = fmt.Sprintf("field %q appears twice", key)
		}
		seen[key] = true
		fields = append(fields, jsonField{key: key, val: vt})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, "", err
	}
	return fields, problem, nil
}

// skipNested consumes the rest of an object or array whose opening token
// was just read, refusing to go deeper than maxJSONDepth.
func skipNested(dec *json.Decoder, open json.Delim) error {
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth > maxJSONDepth {
				return errTooDeep
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' || v == '}' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// jsonFailure turns a decoder error in row (0: outside any) into a
// failed input; line, when known, is where the row starts, and a syntax
// error names its own line.
func jsonFailure(tr *tracker, row, line int, err error, maxRecord int) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errTooDeep):
		return parseFailure(row, RuleTooDeep, fmt.Sprintf("JSON nested deeper than %d levels; rows must be flat objects", maxJSONDepth))
	case errors.Is(err, errRecordTooLong):
		return parseFailure(row, RuleLineTooLong, fmt.Sprintf("a JSON element is longer than %d bytes; reading stopped", maxRecord))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return parseFailure(row, RuleMalformedInput, "the JSON ends in the middle of a value (truncated?)")
	case errors.As(err, &se):
		return parseFailure(row, RuleMalformedInput, fmt.Sprintf("JSON syntax: %s (line %d)", se.Error(), max(line, tr.lineAt(se.Offset))))
	}
	return parseFailure(row, RuleMalformedInput, err.Error())
}

// parseNDJSON reads one row object per line and hands each non-blank line
// to yield. Lines are independent: a broken line is handed over with its
// rowError, and the next one read.
func parseNDJSON(text io.Reader, maxRecord int, yield func(parsedRow) error) error {
	lr := newLineReader(text, maxRecord)
	seen := false
	for {
		line, n, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return parseFailure(lr.n+1, RuleMalformedInput, err.Error())
		}
		if !tooLong && len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		seen = true
		if err := yield(ndjsonLine(line, n, tooLong, maxRecord)); err != nil {
			return err
		}
	}
	if !seen {
		return parseFailure(0, RuleNoDataRows, "no data lines")
	}
	return nil
}

// ndjsonLine parses line n of NDJSON.
func ndjsonLine(line []byte, n int, tooLong bool, maxRecord int) parsedRow {
	pr := parsedRow{num: n, text: string(line)}
	switch {
	case tooLong:
		return pr.rejected(RuleLineTooLong, tooLongMessage(maxRecord))
	case !utf8.Valid(line):
		return pr.rejected(RuleBadEncoding, "row is "+encodingMessage(line))
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return pr.rejected(RuleMalformedRow, "line is not a JSON object")
	}
	fields, problem, err := readObject(dec)
	switch {
	case errors.Is(err, errTooDeep):
		return pr.rejected(RuleMalformedRow, fmt.Sprintf("JSON nested deeper than %d levels; a row is a flat object", maxJSONDepth))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return pr.rejected(RuleMalformedRow, "JSON: the object does not end on its line")
	case err != nil:
		return pr.rejected(RuleMalformedRow, "JSON: "+strings.TrimPrefix(err.Error(), "json: "))
	case problem != "":
		return pr.rejected(RuleMalformedRow, problem)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return pr.rejected(RuleMalformedRow, "content after the object on the same line")
	}
	pr.fields = fields
	return pr
}

// decodeNDJSON processes the rows parseNDJSON reads.
func (r *run) decodeNDJSON(text io.Reader) error {
	return named(parseNDJSON(text, r.p.opts.MaxRecordBytes, r.jsonRow), r.in.Name)
}

// jsonRow processes one row of JSON or NDJSON: a row the parser could not
// read is rejected, a row object becomes a candidate.
func (r *run) jsonRow(row parsedRow) error {
	r.rowSeen()
	raw := &rawRow{text: row.text}
	if row.err != nil {
		return r.rejectRow(row.num, raw, row.err.field, row.err.rule, row.err.msg)
	}
	c, bad := jsonCandidate(row.num, row.fields, raw)
	if bad != nil {
		return r.rejectRow(row.num, raw, bad.field, bad.rule, bad.msg)
	}
	return r.add(c)
}

// jsonCandidate turns the fields of a row object into a candidate, or says
// which field is wrong.
func jsonCandidate(line int, fields []jsonField, raw *rawRow) (candidate, *rowError) {
	c := candidate{row: line, raw: raw, indicatorField: "indicator", entityField: "entity", unitField: "unit", valueField: "value"}
	var timeVal, value any
	hasTime, hasValue, hasInd := false, false, false
	for _, f := range fields {
		var err error
		switch f.key {
		case "time", "timestamp":
			timeVal, hasTime, c.timeField = f.val, true, f.key
		case "value":
			value, hasValue = f.val, true
		case "indicator":
			c.indicator, err = jsonString(f)
			hasInd = true
		case "entity":
			c.entity, err = jsonString(f)
		case "unit":
			c.unit, err = jsonString(f)
		case "source", "provider":
			c.source, err = jsonString(f)
			c.sourceField = f.key
		case "confirm":
			c.confirm, err = jsonConfirm(f)
		default:
			return c, &rowError{field: f.key, rule: RuleMalformedRow, msg: fmt.Sprintf("unknown field %q (allowed: time, indicator, entity, value, unit, source, confirm)", f.key)}
		}
		if err != nil {
			return c, &rowError{field: f.key, rule: RuleMalformedRow, msg: err.Error()}
		}
	}
	if !hasInd {
		return c, &rowError{field: "indicator", rule: RuleUnknownIndicator, msg: "the row has no indicator field"}
	}
	if !hasTime {
		return c, &rowError{field: "time", rule: RuleBadTime, msg: "the row has no time field"}
	}
	tm, msg := jsonTime(timeVal)
	if msg != "" {
		return c, &rowError{field: c.timeField, rule: RuleBadTime, msg: msg}
	}
	c.time = tm
	v, unit, rule, msg := jsonValue(value, hasValue, c.unit)
	if rule != "" {
		return c, &rowError{field: "value", rule: rule, msg: msg}
	}
	c.value, c.unit = v, unit
	return c, nil
}

// jsonString reads an optional string field; null means absent.
func jsonString(f jsonField) (string, error) {
	switch v := f.val.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("field %q must be a string, not %s", f.key, describe(f.val))
}

// jsonConfirm reads the confirm field: a boolean, 1 or 0, or a string
// parseConfirm knows; null is no.
func jsonConfirm(f jsonField) (bool, error) {
	switch v := f.val.(type) {
	case bool:
		return v, nil
	case nil:
		return false, nil
	case json.Number:
		if yes, ok := parseConfirm(string(v)); ok {
			return yes, nil
		}
		return false, errors.New(confirmProblem(string(v)))
	case string:
		if yes, ok := parseConfirm(v); ok {
			return yes, nil
		}
		return false, errors.New(confirmProblem(v))
	}
	return false, fmt.Errorf("field %q must be true or false, not %s", f.key, describe(f.val))
}

// jsonTime reads a time string, or a number of Unix seconds, milliseconds,
// microseconds or nanoseconds told apart by magnitude.
func jsonTime(v any) (time.Time, string) {
	switch t := v.(type) {
	case string:
		if strings.TrimSpace(t) == "" {
			return time.Time{}, "time is empty"
		}
		tm, err := models.ParseTime(t, nil)
		if err != nil {
			return time.Time{}, fmt.Sprintf("time %q is not in an accepted form (RFC 3339, 2024-06, 2024-06-30, 2024-06-30 08:00)", t)
		}
		return tm, ""
	case json.Number:
		n, err := strconv.ParseInt(string(t), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Sprintf("numeric time %s must be a whole number of Unix seconds, ms, µs or ns", t)
		}
		return unixTime(n, ""), ""
	}
	return time.Time{}, fmt.Sprintf("time must be a string or a Unix time, not %s", describe(v))
}

// jsonValue reads a number, or a string holding one.
func jsonValue(v any, present bool, unit string) (float64, string, string, string) {
	switch t := v.(type) {
	case json.Number:
		return parseValue(string(t), unit)
	case string:
		if strings.TrimSpace(t) == "" {
			return 0, "", RuleMissingValue, "value is empty"
		}
		return parseValue(t, unit)
	case nil:
		if !present {
			return 0, "", RuleMissingValue, "the row has no value field"
		}
		return 0, "", RuleMissingValue, "value is null"
	}
	return 0, "", RuleNonNumeric, fmt.Sprintf("value is %s, not a number", describe(v))
}

func describe(v any) string {
	if n, ok := v.(nested); ok {
		return n.kind
	}
	return jsonKind(v)
}

// renderObject writes the fields back as compact JSON, for rejection files.
func renderObject(fields []jsonField) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		switch v := f.val.(type) {
		case nested:
			b.WriteString(`"(` + v.kind + `)"`)
		case json.Number:
			b.WriteString(string(v))
		default:
			enc, _ := json.Marshal(v)
			b.Write(enc)
		}
	}
	b.WriteByte('}')
	return b.String()
}
