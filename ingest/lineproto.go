package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// lpLine is one parsed line of InfluxDB line protocol.
type lpLine struct {
	measurement string
	tags        []lpKV
	fields      []lpKV // values as written (strings keep their quotes)
	timestamp   string
}

type lpKV struct{ key, val string }

// parseLP parses `measurement[,tag=v…] field=v[,field=v…] [timestamp]`
// with the protocol's backslash escapes (\, \= \space \\) in names and tag
// values, and "…" string field values.
func parseLP(s string) (lpLine, error) {
	var l lpLine
	m, i := scanLP(s, 0, ", ")
	if m == "" {
		return l, errors.New("no measurement")
	}
	l.measurement = m
	for i < len(s) && s[i] == ',' {
		k, j := scanLP(s, i+1, "=, ")
		if j >= len(s) || s[j] != '=' || k == "" {
			return l, fmt.Errorf("tag %q has no value", k)
		}
		v, j2 := scanLP(s, j+1, ", ")
		if v == "" {
			return l, fmt.Errorf("tag %q has an empty value", k)
		}
		l.tags = append(l.tags, lpKV{k, v})
		i = j2
	}
	if i >= len(s) || s[i] != ' ' {
		return l, errors.New("no fields")
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	for {
		k, j := scanLP(s, i, "=, ")
		if j >= len(s) || s[j] != '=' || k == "" {
			return l, fmt.Errorf("field %q has no value", k)
		}
		v, j2, err := scanFieldValue(s, j+1)
		if err != nil {
			return l, fmt.Errorf("field %q: %w", k, err)
		}
		l.fields = append(l.fields, lpKV{k, v})
		i = j2
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		break
	}
	rest := strings.TrimSpace(s[i:])
	if strings.ContainsAny(rest, " \t") {
		return l, fmt.Errorf("unexpected text %q after the fields", rest)
	}
	l.timestamp = rest
	return l, nil
}

// scanLP reads an escaped name or tag value from s[i:] up to one of stops.
func scanLP(s string, i int, stops string) (string, int) {
	var b strings.Builder
	for i < len(s) {
		c := s[i]
		if c == '\\' && i+1 < len(s) && strings.IndexByte(`, =\`, s[i+1]) >= 0 {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if strings.IndexByte(stops, c) >= 0 {
			break
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), i
}

// scanFieldValue reads a field value: a quoted string or a bare token.
func scanFieldValue(s string, i int) (string, int, error) {
	if i < len(s) && s[i] == '"' {
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return s[i : j+1], j + 1, nil
			}
		}
		return "", len(s), errors.New("unterminated string")
	}
	j := i
	for j < len(s) && s[j] != ',' && s[j] != ' ' {
		j++
	}
	if j == i {
		return "", j, errors.New("empty value")
	}
	return s[i:j], j, nil
}

// lpNumber reads a numeric field value: 1.5, 1e10, 15i, 15u.
func lpNumber(v string) (float64, string, string) {
	switch {
	case strings.HasPrefix(v, `"`):
		return 0, RuleNonNumeric, fmt.Sprintf("value %s is a string field, not a number", v)
	case isLPBool(v):
		return 0, RuleNonNumeric, fmt.Sprintf("value %s is a boolean, not a number", v)
	case strings.HasSuffix(v, "i"):
		n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
		if err != nil {
			return 0, RuleNonNumeric, fmt.Sprintf("value %q is not an integer", v)
		}
		return float64(n), "", ""
	case strings.HasSuffix(v, "u"):
		n, err := strconv.ParseUint(v[:len(v)-1], 10, 64)
		if err != nil {
			return 0, RuleNonNumeric, fmt.Sprintf("value %q is not an unsigned integer", v)
		}
		return float64(n), "", ""
	}
	f, _, rule, msg := parseValue(v, "")
	if strings.ContainsAny(v, "%,") && rule == "" {
		return 0, RuleNonNumeric, fmt.Sprintf("value %q is not a line-protocol number", v)
	}
	return f, rule, msg
}

// lpString unquotes a string field value ("zjw" → zjw).
func lpString(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1]), true
}

func isLPBool(v string) bool {
	switch v {
	case "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE":
		return true
	}
	return false
}

// unixTime converts a Unix timestamp in the given precision (s, ms, us,
// ns); with none, the magnitude decides: below 1e11 seconds, 1e14
// milliseconds, 1e17 microseconds, else nanoseconds. That reads any time
// from 1973 to 5138 right in every precision.
func unixTime(v int64, precision string) time.Time {
	switch precision {
	case "s":
		return time.Unix(v, 0)
	case "ms":
		return time.UnixMilli(v)
	case "us":
		return time.UnixMicro(v)
	case "ns":
		return time.Unix(0, v)
	}
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a < 1e11:
		return time.Unix(v, 0)
	case a < 1e14:
		return time.UnixMilli(v)
	case a < 1e17:
		return time.UnixMicro(v)
	}
	return time.Unix(0, v)
}

// parseLineProtocol reads line protocol and hands each line that is not
// blank or a comment to yield, parsed: the measurement, tags, fields and
// timestamp as written. A line over maxRecord, not UTF-8 or not line
// protocol is handed over with its rowError, and the next one read.
func parseLineProtocol(text io.Reader, maxRecord int, yield func(parsedRow) error) error {
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
		t := bytes.TrimSpace(line)
		if !tooLong && (len(t) == 0 || t[0] == '#') {
			continue
		}
		seen = true
		if err := yield(lpRow(t, n, tooLong, maxRecord)); err != nil {
			return err
		}
	}
	if !seen {
		return parseFailure(0, RuleNoDataRows, "no data lines")
	}
	return nil
}

// lpRow parses line n of line protocol.
func lpRow(line []byte, n int, tooLong bool, maxRecord int) parsedRow {
	pr := parsedRow{num: n, text: string(line)}
	switch {
	case tooLong:
		return pr.rejected(RuleLineTooLong, tooLongMessage(maxRecord))
	case !utf8.Valid(line):
		return pr.rejected(RuleBadEncoding, "row is "+encodingMessage(line))
	}
	l, err := parseLP(pr.text)
	if err != nil {
		return pr.rejected(RuleMalformedRow, "line protocol: "+err.Error())
	}
	pr.lp = l
	return pr
}

// decodeLP processes the lines parseLineProtocol reads, one observation
// per line.
func (r *run) decodeLP(text io.Reader) error {
	prec := r.in.Precision
	switch prec {
	case "", "s", "ms", "us", "ns":
	default:
		return r.inputErr(0, RuleUnsupportedFormat, fmt.Sprintf("precision %q is not s, ms, us or ns", prec))
	}
	err := parseLineProtocol(text, r.p.opts.MaxRecordBytes, func(row parsedRow) error {
		r.rowSeen()
		raw := &rawRow{text: row.text}
		if row.err != nil {
			return r.rejectRow(row.num, raw, row.err.field, row.err.rule, row.err.msg)
		}
		c, bad := lpCandidate(row.num, row.lp, raw, prec)
		if bad != nil {
			return r.rejectRow(row.num, raw, bad.field, bad.rule, bad.msg)
		}
		return r.add(c)
	})
	return named(err, r.in.Name)
}

// lpCandidate turns a line into a candidate, or says which part is wrong.
// The measurement is the indicator, or "figure" (or "observation") with
// an indicator tag; tags entity, source and unit are optional; the field
// is value, and provider as store writes it.
func lpCandidate(n int, l lpLine, raw *rawRow, prec string) (candidate, *rowError) {
	c := candidate{row: n, raw: raw, indicator: l.measurement, indicatorField: "measurement",
		entityField: "entity", unitField: "unit", valueField: "value", timeField: "timestamp"}
	fromTag := false
	for _, tag := range l.tags {
		switch tag.key {
		case "indicator":
			c.indicator, fromTag, c.indicatorField = tag.val, true, "indicator"
		case "entity":
			c.entity = tag.val
		case "source":
			c.source, c.sourceField = tag.val, "source"
		case "unit":
			c.unit = tag.val
		case "confirm":
			yes, ok := parseConfirm(tag.val)
			if !ok {
				return c, &rowError{field: "confirm", rule: RuleMalformedRow, msg: confirmProblem(tag.val)}
			}
			c.confirm = yes
		default:
			return c, &rowError{field: tag.key, rule: RuleMalformedRow, msg: fmt.Sprintf("unknown tag %q (allowed: entity, indicator, source, unit, confirm)", tag.key)}
		}
	}
	generic := l.measurement == "observation" || l.measurement == "figure"
	if fromTag != generic {
		return c, &rowError{field: "measurement", rule: RuleMalformedRow,
			msg: "the measurement is the indicator, or \"figure\" (or \"observation\") with an indicator tag"}
	}
	value := ""
	for _, f := range l.fields {
		switch f.key {
		case "value":
			value = f.val
		case "provider":
			// As store writes it: figure,indicator=x value=1,provider="zjw".
			p, ok := lpString(f.val)
			if !ok {
				return c, &rowError{field: "provider", rule: RuleMalformedRow, msg: fmt.Sprintf("field provider %s must be a string", f.val)}
			}
			c.source, c.sourceField = p, "provider"
		default:
			return c, &rowError{field: f.key, rule: RuleMalformedRow, msg: fmt.Sprintf("unknown field %q: the number goes in the field \"value\"", f.key)}
		}
	}
	if value == "" {
		return c, &rowError{field: "value", rule: RuleMissingValue, msg: "the line has no field \"value\""}
	}
	if l.timestamp == "" {
		return c, &rowError{field: "timestamp", rule: RuleBadTime, msg: "the line has no timestamp"}
	}
	ts, err := strconv.ParseInt(l.timestamp, 10, 64)
	if err != nil {
		return c, &rowError{field: "timestamp", rule: RuleBadTime, msg: fmt.Sprintf("timestamp %q is not a whole number", l.timestamp)}
	}
	c.time = unixTime(ts, prec)
	v, rule, msg := lpNumber(value)
	if rule != "" {
		return c, &rowError{field: "value", rule: rule, msg: msg}
	}
	c.value = v
	return c, nil
}
