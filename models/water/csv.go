package water

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// The columns of a wide sample file that are not items.
const (
	columnSection   = "section"
	columnTime      = "time"
	columnTimestamp = "timestamp" // accepted when there is no "time" column, as in CNEMC exports
	columnWaterBody = "water_body"
)

// beijing is the offset of times written without one: the bureau's and
// CNEMC's data are in Beijing time. A fixed zone needs no tzdata.
var beijing = time.FixedZone("CST", 8*60*60)

// timeLayouts are the time formats accepted in the time column, most
// specific first.
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// A Record is one row of a wide sample file.
type Record struct {
	Line   int // line of the row in the input, from 1
	Sample Sample
	// TimeText is the time cell as written, for echoing it back unchanged.
	TimeText string
	// WaterBody is the row's water_body cell; HasWaterBody is false when the
	// file has no such column or the cell is blank.
	WaterBody    WaterBody
	HasWaterBody bool
}

// A CSVReader reads samples from a wide CSV file: a header row, then one row
// per sample. Columns are "section" (required), "time" (or "timestamp"),
// an optional "water_body" (river, lake, reservoir), and one column per item
// named by its code or alias. A blank cell, "--", "*" or "EF" means not measured;
// "0.01L" or "<0.01" is a non-detect with its detection limit.
// Other columns are skipped and listed by Ignored. A UTF-8 byte-order mark
// and CRLF line ends are accepted. Times without an offset are Beijing time.
type CSVReader struct {
	r       *csv.Reader
	header  []string
	items   map[int]Item // column index → item
	section int
	time    int // -1 when absent
	body    int // -1 when absent
	ignored []string
}

// NewCSVReader reads and checks the header row.
func NewCSVReader(r io.Reader) (*CSVReader, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // cannot fail: the bytes were peeked
	}
	cr := csv.NewReader(br)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("line 1: no header row")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	cr.FieldsPerRecord = len(header)
	c := &CSVReader{r: cr, items: make(map[int]Item), section: -1, time: -1, body: -1}
	if err := c.mapHeader(header); err != nil {
		return nil, err
	}
	return c, nil
}

// mapHeader assigns the header's columns to their roles.
func (c *CSVReader) mapHeader(header []string) error {
	timestamp := -1
	seen := make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		key := name
		if it, err := Lookup(name); err == nil {
			key = it.Code
		}
		if j, dup := seen[key]; dup && key != "" {
			return fmt.Errorf("line 1, column %d %q: same column as column %d %q", i+1, h, j+1, header[j])
		}
		seen[key] = i
		c.header = append(c.header, name)
		switch name {
		case columnSection:
			c.section = i
		case columnTime:
			c.time = i
		case columnTimestamp:
			timestamp = i
		case columnWaterBody:
			c.body = i
		default:
			if it, err := Lookup(name); err == nil {
				c.items[i] = it
			} else if name != "" {
				c.ignored = append(c.ignored, strings.TrimSpace(h))
			}
		}
	}
	if c.section < 0 {
		return fmt.Errorf("line 1: no %q column", columnSection)
	}
	if c.time < 0 {
		c.time = timestamp
	} else if timestamp >= 0 {
		c.ignored = append(c.ignored, strings.TrimSpace(header[timestamp]))
	}
	return nil
}

// Ignored returns the header names of the columns that are neither an item
// nor section, time or water_body, in file order.
func (c *CSVReader) Ignored() []string { return append([]string(nil), c.ignored...) }

// Items returns the catalogue codes of the item columns, in file order.
func (c *CSVReader) Items() []string {
	var codes []string
	for i := range c.header {
		if it, ok := c.items[i]; ok {
			codes = append(codes, it.Code)
		}
	}
	return codes
}

// Read returns the next row, or io.EOF after the last. Errors name the line
// and the column.
func (c *CSVReader) Read() (Record, error) {
	row, err := c.r.Read()
	if err != nil {
		// io.EOF passes unwrapped; csv.ParseError already names the line.
		return Record{}, err
	}
	line, _ := c.r.FieldPos(0)
	rec := Record{Line: line, Sample: Sample{Values: make(map[string]float64)}}
	for i, cell := range row {
		if err := c.setCell(&rec, i, strings.TrimSpace(cell)); err != nil {
			line, _ := c.r.FieldPos(i)
			return Record{}, fmt.Errorf("line %d, column %q: %w", line, c.header[i], err)
		}
	}
	if rec.Sample.Section == "" {
		return Record{}, fmt.Errorf("line %d, column %q: empty section", line, columnSection)
	}
	return rec, nil
}

// setCell stores one cell of a row in rec according to its column.
func (c *CSVReader) setCell(rec *Record, i int, cell string) error {
	switch i {
	case c.section:
		rec.Sample.Section = cell
	case c.time:
		t, err := parseTime(cell)
		if err != nil {
			return err
		}
		rec.Sample.Time, rec.TimeText = t, cell
	case c.body:
		if cell == "" {
			return nil
		}
		b, err := ParseWaterBody(cell)
		if err != nil {
			return err
		}
		rec.WaterBody, rec.HasWaterBody = b, true
	default:
		it, ok := c.items[i]
		if !ok {
			return nil
		}
		v, measured, nd, err := parseValue(cell)
		if err != nil || !measured {
			return err
		}
		if err := it.check(v); err != nil {
			return err
		}
		if nd {
			if !it.CanBeNonDetect() {
				return fmt.Errorf("value %q: %s has no detection limit: %w", cell, it.Code, ErrInvalidNonDetect)
			}
			if rec.Sample.NonDetects == nil {
				rec.Sample.NonDetects = make(map[string]float64)
			}
			rec.Sample.NonDetects[it.Code] = v
			return nil
		}
		rec.Sample.Values[it.Code] = v
	}
	return nil
}

// parseValue parses an item cell. Blank, "--", "*" and "EF" are CNEMC's
// marks for "not measured" (no analyser, maintenance, invalid reading); they
// are not zero. A non-detect is written with its detection limit, as
// monitoring reports do: "0.01L" (limit followed by L) or "<0.01"; v is then
// the detection limit and nd is true.
func parseValue(cell string) (v float64, measured, nd bool, err error) {
	switch cell {
	case "", "--", "*", "EF":
		return 0, false, false, nil
	}
	number := cell
	if rest, ok := strings.CutSuffix(cell, "L"); ok {
		number, nd = strings.TrimSpace(rest), true
	} else if rest, ok := cutAnyPrefix(cell, "<", "＜"); ok {
		number, nd = strings.TrimSpace(rest), true
	}
	v, err = strconv.ParseFloat(number, 64)
	var numErr *strconv.NumError
	if errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrSyntax) {
		if isBareNonDetect(cell) {
			return 0, false, false, fmt.Errorf("value %q is a non-detect without its detection limit: write the limit, e.g. 0.01L or <0.01", cell)
		}
		return 0, false, false, fmt.Errorf("value %q is not a number", cell)
	}
	// Out-of-range numbers parse to ±Inf with ErrRange: no reading is that.
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, false, fmt.Errorf("value %q is not a finite number", cell)
	}
	if nd && v <= 0 {
		return 0, false, false, fmt.Errorf("value %q: a detection limit must be positive", cell)
	}
	return v, true, nd, nil
}

func cutAnyPrefix(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return s, false
}

// isBareNonDetect reports the ways reports write "not detected" without
// saying below what.
func isBareNonDetect(cell string) bool {
	switch strings.ToUpper(strings.TrimSpace(cell)) {
	case "ND", "N.D.", "未检出", "L":
		return true
	}
	return false
}

// parseTime parses a time cell. A blank cell gives the zero time: CNEMC
// leaves the time of stations under maintenance blank.
func parseTime(cell string) (time.Time, error) {
	if cell == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, cell, beijing); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 or YYYY-MM-DD[ hh:mm[:ss]]", cell)
}
