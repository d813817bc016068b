package trend

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// MaxInputBytes bounds what ReadSeries accepts, so a runaway pipe cannot
// exhaust memory.
const MaxInputBytes = 1 << 30

// ErrInput is wrapped by every ReadSeries error about the content.
var ErrInput = errors.New("bad series input")

// Series is a parsed input: one series (Values, with optional Times labels
// of the same length) or, for the regional test, a matrix (Rows, one row
// per time step, one column per site). NaN marks a missing value.
type Series struct {
	Values []float64
	Times  []string
	Rows   [][]float64
}

// ReadSeries parses a series from r. Input starting (after white space and
// an optional UTF-8 byte-order mark) with '[' is JSON: an array of numbers
// and nulls, or an array of such arrays of equal length. Anything else is
// CSV with a header naming a `value` column and optionally a `time` column;
// empty cells and NA, NaN, null or - mark missing values.
func ReadSeries(r io.Reader) (Series, error) {
	b, err := readAll(r)
	if err != nil {
		return Series{}, fmt.Errorf("read series: %w", err)
	}
	if len(b) > MaxInputBytes {
		return Series{}, fmt.Errorf("input larger than %d bytes: %w", MaxInputBytes, ErrInput)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	body := bytes.TrimLeft(b, " \t\r\n")
	if len(body) == 0 {
		return Series{}, fmt.Errorf("empty input: %w", ErrInput)
	}
	if body[0] == '[' {
		return parseJSON(body)
	}
	return parseCSV(b)
}

// readAll reads r to its end, at most MaxInputBytes+1 bytes. A file that
// tells its size is read into a buffer of that size in one read, where
// io.ReadAll would grow its buffer by doubling from 512 bytes (eight
// copies for 10⁴ values).
func readAll(r io.Reader) ([]byte, error) {
	r = io.LimitReader(r, MaxInputBytes+1)
	f, ok := r.(*io.LimitedReader).R.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return io.ReadAll(r)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return io.ReadAll(r)
	}
	// One byte more than the size, so that the read that finds the end
	// needs no new buffer; a file that grew meanwhile still reads whole.
	b := make([]byte, 0, min(fi.Size(), MaxInputBytes)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case errors.Is(err, io.EOF):
			return b, nil
		case err != nil:
			return b, err
		case len(b) == cap(b):
			b = append(b, 0)[:len(b)]
		}
	}
}

// parseJSON decodes a flat or nested array; the first element decides
// which.
func parseJSON(b []byte) (Series, error) {
	if nested(b) {
		var rows [][]*float64
		if err := json.Unmarshal(b, &rows); err != nil {
			return Series{}, fmt.Errorf("json rows: %w: %w", ErrInput, err)
		}
		out := Series{Rows: make([][]float64, len(rows))}
		for i, row := range rows {
			if len(rows[0]) != len(row) {
				return Series{}, fmt.Errorf("json row %d has %d values, row 0 has %d: %w", i, len(row), len(rows[0]), ErrInput)
			}
			out.Rows[i] = nullsToNaN(row)
		}
		return out, nil
	}
	vals, err := parseFlatJSON(b)
	if err != nil {
		return Series{}, fmt.Errorf("json array: %w: %w", ErrInput, err)
	}
	return Series{Values: vals}, nil
}

// parseFlatJSON reads a JSON array of numbers and nulls (b starts with
// '[') into values, NaN for null. It accepts exactly what encoding/json
// accepts into []*float64 and gives the same values (both parse numbers
// with strconv.ParseFloat), in a tenth of the time and one allocation:
// encoding/json allocates a float per element, which at 10⁴ values took
// longer than the trend test itself.
func parseFlatJSON(b []byte) ([]float64, error) {
	vals := make([]float64, 0, bytes.Count(b, []byte{','})+1)
	p := skipSpace(b, 1)
	if p < len(b) && b[p] == ']' {
		return vals, trailing(b, p+1)
	}
	for {
		p = skipSpace(b, p)
		switch {
		case bytes.HasPrefix(b[p:], []byte("null")):
			vals = append(vals, math.NaN())
			p += 4
		default:
			end := scanNumber(b, p)
			if end == p {
				return nil, fmt.Errorf("value %d at byte %d: not a number or null", len(vals), p)
			}
			v, ok := exactDecimal(b[p:end])
			if !ok {
				var err error
				if v, err = strconv.ParseFloat(string(b[p:end]), 64); err != nil {
					return nil, fmt.Errorf("value %d (%s) at byte %d is out of range", len(vals), b[p:end], p)
				}
			}
			vals = append(vals, v)
			p = end
		}
		p = skipSpace(b, p)
		if p == len(b) {
			return nil, fmt.Errorf("unexpected end of input after value %d", len(vals)-1)
		}
		switch b[p] {
		case ',':
			p++
		case ']':
			return vals, trailing(b, p+1)
		default:
			return nil, fmt.Errorf("byte %d: %q after value %d, want ',' or ']'", p, b[p], len(vals)-1)
		}
	}
}

// exactDecimal converts a JSON number (as scanNumber delimits it) whose
// significant digits fit in 53 bits and whose decimal exponent lies within
// ±22: m and 10^e are then exact doubles, and one multiplication or
// division rounds m·10^e correctly, to the value strconv.ParseFloat
// returns (its own exact fast path is this one). Other numbers report
// false and go to strconv.ParseFloat. Measured values, six or so
// significant digits, always take this path, at a fraction of the cost of
// ParseFloat's general entry.
func exactDecimal(num []byte) (float64, bool) {
	p := 0
	neg := num[0] == '-'
	if neg {
		p++
	}
	// m·10^exp is the value; m stays below 2⁶⁴ while it is below 2⁶⁰
	// before a digit (leading zeros keep it 0).
	var m uint64
	exp := 0
	for ; p < len(num) && num[p] >= '0' && num[p] <= '9'; p++ {
		if m >= 1<<60 {
			return 0, false
		}
		m = m*10 + uint64(num[p]-'0')
	}
	if p < len(num) && num[p] == '.' {
		p++
		start := p
		for ; p < len(num) && num[p] >= '0' && num[p] <= '9'; p++ {
			if m >= 1<<60 {
				return 0, false
			}
			m = m*10 + uint64(num[p]-'0')
		}
		exp = start - p
	}
	if p < len(num) { // the exponent part: [eE][+-]?[0-9]+
		p++
		sign := 1
		switch num[p] {
		case '-':
			sign = -1
			p++
		case '+':
			p++
		}
		e := 0
		for ; p < len(num); p++ {
			if e > 1000 {
				return 0, false
			}
			e = e*10 + int(num[p]-'0')
		}
		exp += sign * e
	}
	f := float64(m)
	switch {
	case m == 0:
	case m>>53 != 0:
		return 0, false
	case exp > 0 && exp <= 22:
		f *= exactPow10[exp]
	case exp < 0 && exp >= -22:
		f /= exactPow10[-exp]
	case exp != 0:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// exactPow10 holds the powers of ten a double represents exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// skipSpace returns the first position at or after p that is not JSON
// white space.
func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

// trailing fails if anything but white space follows the array.
func trailing(b []byte, p int) error {
	if q := skipSpace(b, p); q != len(b) {
		return fmt.Errorf("byte %d: %q after the array", q, b[q])
	}
	return nil
}

// scanNumber returns the end of the JSON number starting at p (RFC 8259:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or p if there is none.
func scanNumber(b []byte, p int) int {
	q := p
	if q < len(b) && b[q] == '-' {
		q++
	}
	switch {
	case q < len(b) && b[q] == '0':
		q++
	case q < len(b) && b[q] >= '1' && b[q] <= '9':
		q = digits(b, q)
	default:
		return p
	}
	if q < len(b) && b[q] == '.' {
		d := digits(b, q+1)
		if d == q+1 {
			return p
		}
		q = d
	}
	if q < len(b) && (b[q] == 'e' || b[q] == 'E') {
		q++
		if q < len(b) && (b[q] == '+' || b[q] == '-') {
			q++
		}
		d := digits(b, q)
		if d == q {
			return p
		}
		q = d
	}
	return q
}

// digits returns the end of the run of decimal digits starting at p.
func digits(b []byte, p int) int {
	for p < len(b) && b[p] >= '0' && b[p] <= '9' {
		p++
	}
	return p
}

// nested reports whether the array's first element is itself an array.
func nested(b []byte) bool {
	rest := bytes.TrimLeft(b[1:], " \t\r\n")
	return len(rest) > 0 && rest[0] == '['
}

func nullsToNaN(p []*float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		if v == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *v
		}
	}
	return out
}

// parseCSV reads the value (and time) column of a CSV with a header.
func parseCSV(b []byte) (Series, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return Series{}, fmt.Errorf("csv header: %w: %w", ErrInput, err)
	}
	valueCol, timeCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "value":
			valueCol = i
		case "time":
			timeCol = i
		}
	}
	if valueCol < 0 {
		return Series{}, fmt.Errorf("csv header %q has no value column: %w", strings.Join(header, ","), ErrInput)
	}
	var out Series
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Series{}, fmt.Errorf("csv: %w: %w", ErrInput, err)
		}
		line, _ := cr.FieldPos(valueCol)
		v, err := parseCell(rec[valueCol])
		if err != nil {
			return Series{}, fmt.Errorf("csv line %d: %w", line, err)
		}
		out.Values = append(out.Values, v)
		if timeCol >= 0 {
			out.Times = append(out.Times, strings.TrimSpace(rec[timeCol]))
		}
	}
	return out, nil
}

// parseCell turns a CSV cell into a value, NaN for the missing markers.
func parseCell(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "na", "nan", "null", "-":
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q: %w", s, ErrInput)
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not finite: %w", s, ErrInput)
	}
	return v, nil
}
