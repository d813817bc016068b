package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeQueryResponse reads InfluxDB's JSON answer to /query into what
// encoding/json with UseNumber would give (FuzzDecodeQueryResponse holds
// it to that), without reflection: a report's answers are tens of
// megabytes of rows, and decoding them through encoding/json was a third
// of its CPU, most of it garbage for the collector. Numbers stay
// json.Number; strings are copied out of data, which is not retained.
// Anything after the answer but white space is an error.
func decodeQueryResponse(data []byte) (queryResponse, error) {
	d := decoder{data: data}
	var resp queryResponse
	err := d.nullableObject(func(key []byte) error {
		switch {
		case keyIs(key, "results"):
			return array(&d, &resp.Results, func(i int) error { return d.result(&resp.Results[i]) })
		case keyIs(key, "error"):
			return d.stringInto(&resp.Error)
		}
		return d.skip()
	})
	if err == nil {
		d.space()
		if d.i < len(d.data) {
			err = d.syntax("after the answer")
		}
	}
	if err != nil {
		return queryResponse{}, err
	}
	return resp, nil
}

func (d *decoder) result(r *queryResult) error {
	return d.nullableObject(func(key []byte) error {
		switch {
		case keyIs(key, "series"):
			return array(d, &r.Series, func(i int) error { return d.series(&r.Series[i]) })
		case keyIs(key, "error"):
			return d.stringInto(&r.Error)
		}
		return d.skip()
	})
}

func (d *decoder) series(s *Series) error {
	return d.nullableObject(func(key []byte) error {
		switch {
		case keyIs(key, "name"):
			return d.stringInto(&s.Name)
		case keyIs(key, "tags"):
			return d.tags(&s.Tags)
		case keyIs(key, "columns"):
			return array(d, &s.Columns, func(i int) error { return d.stringInto(&s.Columns[i]) })
		case keyIs(key, "values"):
			return array(d, &s.Values, func(i int) error { return d.row(&s.Values[i]) })
		}
		return d.skip()
	})
}

// tags reads an object of strings into *m, adding to a map already
// there, as encoding/json does; null clears it.
func (d *decoder) tags(m *map[string]string) error {
	if d.null() {
		*m = nil
		return nil
	}
	if d.peek() != '{' {
		return d.mismatch("an object of tags")
	}
	if *m == nil {
		*m = map[string]string{}
	}
	return d.object(func(key []byte) error {
		k := string(key) // key's bytes may be reused by the value's
		var v string
		if err := d.stringInto(&v); err != nil {
			return err
		}
		(*m)[k] = v
		return nil
	})
}

// row reads one row of values.
func (d *decoder) row(r *[]any) error {
	return array(d, r, func(i int) error {
		v, err := d.value()
		(*r)[i] = v
		return err
	})
}

// decoder is a cursor over a JSON text.
type decoder struct {
	data []byte
	i    int
	buf  []byte // reused for strings with escapes
}

var errSyntax = errors.New("influxql: decoding response: invalid JSON")

func (d *decoder) syntax(what string) error {
	return fmt.Errorf("%w at byte %d (%s)", errSyntax, d.i, what)
}

func (d *decoder) mismatch(want string) error {
	return fmt.Errorf("influxql: decoding response: byte %d: want %s", d.i, want)
}

func (d *decoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, 0 at the end.
func (d *decoder) peek() byte {
	d.space()
	if d.i >= len(d.data) {
		return 0
	}
	return d.data[d.i]
}

// null consumes a null if one is next.
func (d *decoder) null() bool {
	if d.peek() == 'n' && bytes.HasPrefix(d.data[d.i:], []byte("null")) {
		d.i += 4
		return true
	}
	return false
}

// keyIs matches a key as encoding/json matches a field name: exactly, or
// else without regard to case.
func keyIs(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

// nullableObject is object, but a null is read as nothing: what it would
// have filled stays as it was.
func (d *decoder) nullableObject(member func(key []byte) error) error {
	if d.null() {
		return nil
	}
	return d.object(member)
}

// object reads an object, calling member for each key with the cursor on
// its value; the key's bytes are valid until member reads a string.
func (d *decoder) object(member func(key []byte) error) error {
	if d.peek() != '{' {
		if d.i >= len(d.data) || !startsValue(d.data[d.i]) {
			return d.syntax("want a value")
		}
		if err := d.skip(); err != nil {
			return err
		}
		return d.mismatch("an object")
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntax("want a key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.syntax("want ':'")
		}
		d.i++
		if err := member(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.syntax("want ',' or '}'")
		}
	}
}

// array reads an array into *s, element by element through elem (which
// finds the element at index i of *s): elements already there are
// decoded into, as encoding/json does, and the slice ends at the last.
// null makes it nil.
func array[T any](d *decoder, s *[]T, elem func(i int) error) error {
	if d.null() {
		*s = nil
		return nil
	}
	if d.peek() != '[' {
		if d.i >= len(d.data) || !startsValue(d.data[d.i]) {
			return d.syntax("want a value")
		}
		if err := d.skip(); err != nil {
			return err
		}
		return d.mismatch("an array")
	}
	d.i++
	if *s == nil {
		*s = []T{}
	}
	n := 0
	if d.peek() == ']' {
		d.i++
		*s = (*s)[:0]
		return nil
	}
	for {
		if n == len(*s) { // elements already there are decoded into
			var zero T
			*s = append(*s, zero)
		}
		if err := elem(n); err != nil {
			return err
		}
		n++
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			*s = (*s)[:n]
			return nil
		default:
			return d.syntax("want ',' or ']'")
		}
	}
}

// stringInto reads a string into *s; null leaves it.
func (d *decoder) stringInto(s *string) error {
	if d.null() {
		return nil
	}
	if d.peek() != '"' {
		if d.i >= len(d.data) || !startsValue(d.data[d.i]) {
			return d.syntax("want a value")
		}
		if err := d.skip(); err != nil {
			return err
		}
		return d.mismatch("a string")
	}
	b, err := d.str()
	if err != nil {
		return err
	}
	*s = string(b)
	return nil
}

// str reads a string at the cursor (on its quote) and returns its bytes,
// unescaped, invalid UTF-8 replaced by U+FFFD as encoding/json does. The
// bytes are valid until the next call.
func (d *decoder) str() ([]byte, error) {
	d.i++ // the quote
	start := d.i
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			return d.data[start : d.i-1], nil
		case c == '\\' || c >= utf8.RuneSelf:
			return d.strSlow(start)
		case c < 0x20:
			return nil, d.syntax("control character in a string")
		}
		d.i++
	}
	return nil, d.syntax("unterminated string")
}

func (d *decoder) strSlow(start int) ([]byte, error) {
	b := append(d.buf[:0], d.data[start:d.i]...)
	defer func() { d.buf = b[:0] }()
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			return b, nil
		case c < 0x20:
			return nil, d.syntax("control character in a string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[d.i:])
			d.i += size
			b = utf8.AppendRune(b, r) // an invalid byte decodes to U+FFFD, size 1
		case c != '\\':
			b = append(b, c)
			d.i++
		default:
			d.i++
			if d.i >= len(d.data) {
				return nil, d.syntax("unterminated string")
			}
			e := d.data[d.i]
			d.i++
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return nil, d.syntax("bad \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r = d.pairSurrogate(r)
				}
				b = utf8.AppendRune(b, r)
			default:
				return nil, d.syntax("bad escape")
			}
		}
	}
	return nil, d.syntax("unterminated string")
}

const unicodeReplacement = '\uFFFD'

// pairSurrogate combines the surrogate just read with the \u escape right
// after it, consuming that escape only if the two pair; an unpaired
// surrogate reads as U+FFFD and the next escape on its own.
func (d *decoder) pairSurrogate(first rune) rune {
	if d.i+6 > len(d.data) || d.data[d.i] != '\\' || d.data[d.i+1] != 'u' {
		return unicodeReplacement
	}
	save := d.i
	d.i += 2
	if second, ok := d.hex4(); ok {
		if r := utf16.DecodeRune(first, second); r != unicodeReplacement {
			return r
		}
	}
	d.i = save
	return unicodeReplacement
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.i : d.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	d.i += 4
	return r, true
}

// number reads a JSON number and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.i
	if d.i < len(d.data) && d.data[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.data) && d.data[d.i] == '0':
		d.i++
	case d.i < len(d.data) && '1' <= d.data[d.i] && d.data[d.i] <= '9':
		d.digits()
	default:
		return nil, d.syntax("bad number")
	}
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, d.syntax("bad number")
		}
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return nil, d.syntax("bad number")
		}
	}
	return d.data[start:d.i], nil
}

func (d *decoder) digits() int {
	n := 0
	for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// value reads any value as encoding/json decodes into an interface with
// UseNumber: json.Number, string, bool, nil, []any, map[string]any.
func (d *decoder) value() (any, error) {
	switch c := d.peek(); {
	case c == '"':
		b, err := d.str()
		return string(b), err
	case c == '-' || ('0' <= c && c <= '9'):
		b, err := d.number()
		return json.Number(b), err
	case c == 't' && bytes.HasPrefix(d.data[d.i:], []byte("true")):
		d.i += 4
		return true, nil
	case c == 'f' && bytes.HasPrefix(d.data[d.i:], []byte("false")):
		d.i += 5
		return false, nil
	case d.null():
		return nil, nil
	case c == '[':
		var a []any
		err := array(d, &a, func(i int) error {
			v, err := d.value()
			a[i] = v
			return err
		})
		return a, err
	case c == '{':
		m := map[string]any{}
		err := d.object(func(key []byte) error {
			k := string(key)
			v, err := d.value()
			m[k] = v
			return err
		})
		return m, err
	}
	return nil, d.syntax("want a value")
}

// skip reads past a value of any type.
func (d *decoder) skip() error {
	_, err := d.value()
	return err
}
