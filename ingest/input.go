package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// sniffSize is how much of an input is looked at to tell its format and
// whether it is text.
const sniffSize = 8 << 10

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zipMagic  = []byte("PK\x03\x04")
	utf8BOM   = []byte{0xef, 0xbb, 0xbf}
)

// decode opens the input — gzip, format, mapping — and runs the decoder of
// its format. Whatever the path (a push with or without Content-Encoding,
// a drop-folder or imported .gz file, a workbook's parts), unpacking is
// bounded by one limit, r.maxBytes; past it the input is refused as too
// large, whatever error its decoder made of the cut-off stream.
func (r *run) decode() error {
	var unpacked *unpackLimit
	err := r.decodeLimited(&unpacked)
	if unpacked != nil && unpacked.over {
		return r.tooLarge("it decompresses")
	}
	return err
}

// maxBytes is the limit on what the input unpacks to, and the name of the
// setting it comes from.
func (r *run) maxBytes() (int64, string) {
	if r.in.MaxBytes > 0 {
		name := r.in.LimitName
		if name == "" {
			name = "max_decompressed_bytes"
		}
		return r.in.MaxBytes, name
	}
	return r.p.opts.MaxDecompressedBytes, "max_decompressed_bytes"
}

// tooLarge refuses the input: what unpacks past the limit.
func (r *run) tooLarge(what string) error {
	limit, name := r.maxBytes()
	return r.inputErr(0, RuleTooLarge, fmt.Sprintf("%s to more than %d bytes, the limit (%s); split the input (rows before the limit were processed)", what, limit, name))
}

func (r *run) decodeLimited(unpacked **unpackLimit) error {
	br := bufio.NewReaderSize(r.in.Reader, 64<<10)
	name := r.in.Name
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("reading: %v", err))
	}
	if r.in.Gzip || bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return r.inputErr(0, RuleMalformedInput, fmt.Sprintf("gzip: %v", err))
		}
		defer zr.Close()
		limit, _ := r.maxBytes()
		*unpacked = &unpackLimit{r: zr, left: limit}
		br = bufio.NewReaderSize(&gzipErrors{*unpacked}, 64<<10)
		name = strings.TrimSuffix(name, ".gz")
	}
	head, _ = br.Peek(sniffSize)
	if len(head) == 0 {
		return r.inputErr(0, RuleEmptyInput, "the input is empty")
	}
	pl, err := r.p.planFor(r.in)
	if err != nil {
		return r.inputErr(0, RuleUnsupportedFormat, err.Error())
	}
	if pl != nil {
		r.res.Mapping = pl.m.Name
		// A mapping names its provider (its source, else its name); only a
		// push's own provider (its token's name) overrides it.
		if !r.in.FixedProvider || r.res.Provider == "" {
			r.res.Provider = pl.source
		}
	}
	format, err := detectFormat(r.in.Format, name, head)
	if err != nil {
		return r.inputErr(0, RuleUnsupportedFormat, err.Error())
	}
	r.res.Format = format
	if pl != nil && format != FormatCSV && format != FormatXLSX {
		return r.inputErr(0, RuleUnsupportedFormat, fmt.Sprintf("mapping %q applies to CSV and Excel files, not %s", pl.m.Name, format))
	}
	if format == FormatXLSX {
		return r.decodeXLSX(br, pl)
	}
	if err := checkText(head); err != nil {
		return r.inputErr(0, RuleBadEncoding, err.Error())
	}
	text, err := r.textReader(br, pl, format)
	if err != nil {
		return err
	}
	switch format {
	case FormatCSV:
		return r.decodeCSV(text, pl)
	case FormatJSON:
		return r.decodeJSON(text)
	case FormatNDJSON:
		return r.decodeNDJSON(text)
	default:
		return r.decodeLP(text)
	}
}

func (r *run) inputErr(row int, rule, msg string) error {
	return &InputError{Source: r.in.Name, Row: row, Rule: rule, Message: msg}
}

// errUnpackedTooLarge is the read error past the unpacking limit.
var errUnpackedTooLarge = errors.New("decompressed input over the size limit")

// unpackLimit fails reads of a decompressed stream past its limit and
// remembers that it did. It reads one byte beyond the limit, so that an
// input of exactly the limit passes.
type unpackLimit struct {
	r    io.Reader
	left int64
	over bool
}

func (l *unpackLimit) Read(p []byte) (int, error) {
	if l.over {
		return 0, errUnpackedTooLarge
	}
	if l.left <= 0 {
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			l.over = true
			return 0, errUnpackedTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// gzipErrors marks errors of a gzip stream so they are reported as a broken
// input rather than a broken row.
type gzipErrors struct{ r io.Reader }

func (g *gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

// textReader strips a UTF-8 byte-order mark and, for GBK text, transcodes.
func (r *run) textReader(br *bufio.Reader, pl *plan, format Format) (*bufio.Reader, error) {
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(3)
	}
	enc := r.in.Encoding
	if enc == "" && pl != nil {
		enc = pl.m.Encoding
	}
	switch strings.ToLower(enc) {
	case "", "utf-8", "utf8":
		return br, nil
	case "gbk", "gb18030":
		if format != FormatCSV {
			return nil, r.inputErr(0, RuleUnsupportedFormat, fmt.Sprintf("encoding %s applies to CSV files; %s must be UTF-8", enc, format))
		}
		return bufio.NewReaderSize(transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), 64<<10), nil
	}
	return nil, r.inputErr(0, RuleUnsupportedFormat, fmt.Sprintf("encoding %q is not utf-8, gbk or gb18030", enc))
}

// detectFormat picks the format: the one given, else the extension, else
// the first bytes.
func detectFormat(given Format, name string, head []byte) (Format, error) {
	if given != "" && given != FormatAuto {
		if _, err := ParseFormat(string(given)); err != nil {
			return "", err
		}
		return given, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return FormatCSV, nil
	case ".json":
		return FormatJSON, nil
	case ".ndjson", ".jsonl":
		return FormatNDJSON, nil
	case ".lp", ".line":
		return FormatLP, nil
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".xls":
		return "", errors.New("Excel 97-2003 workbooks (.xls) are not supported: save the file as .xlsx")
	}
	return sniffFormat(head), nil
}

// sniffFormat tells a format from the first bytes: a zip is a workbook,
// '[' opens JSON, '{' NDJSON, a first line with '=' (key=value) is line
// protocol, and anything else is read as CSV.
func sniffFormat(head []byte) Format {
	if bytes.HasPrefix(head, zipMagic) {
		return FormatXLSX
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	switch {
	case bytes.HasPrefix(t, []byte("[")):
		return FormatJSON
	case bytes.HasPrefix(t, []byte("{")):
		return FormatNDJSON
	}
	if line, _, _ := bytes.Cut(t, []byte("\n")); bytes.Contains(line, []byte("=")) {
		return FormatLP
	}
	return FormatCSV
}

// checkText rejects inputs that are not text at all: UTF-16, or binary data
// with NUL bytes. Invalid UTF-8 in an otherwise textual input is reported
// per row instead.
func checkText(head []byte) error {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return errors.New("UTF-16 text (byte-order mark " + fmt.Sprintf("% X", head[:2]) + "): save the file as UTF-8")
	}
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return fmt.Errorf("binary data (a NUL byte at offset %d), not UTF-8 text", i)
	}
	return nil
}

// encodingMessage explains a row that is not UTF-8. A row with no valid
// multi-byte UTF-8 character that reads as Chinese in GB18030 is GBK text,
// as Chinese Windows tools save CSV; otherwise the UTF-8 is damaged, and the
// first bad byte is named.
func encodingMessage(raw []byte) string {
	bad, multi := -1, false
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			if bad < 0 {
				bad = i
			}
		case size > 1:
			multi = true
		}
		i += size
	}
	if !multi {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
		if err == nil && utf8.Valid(dec) && containsHan(dec) {
			sample := []rune(strings.TrimSpace(string(dec)))
			if len(sample) > 24 {
				sample = append(sample[:24], '…')
			}
			return fmt.Sprintf("not valid UTF-8; it reads as GBK/GB18030 text (%q): save the file as UTF-8 or import it with encoding gbk", string(sample))
		}
	}
	if bad < 0 {
		return "not valid UTF-8; save the file as UTF-8"
	}
	return fmt.Sprintf("not valid UTF-8: byte 0x%02X at offset %d of the row starts a truncated or damaged character", raw[bad], bad)
}

func containsHan(b []byte) bool {
	for _, r := range string(b) {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// errRecordTooLong is returned by a limiter when one record exceeds its bound.
var errRecordTooLong = errors.New("record too long")

// limiter bounds the bytes read between resets, so that one enormous line
// or field ends in an error instead of an unbounded buffer. Readers above
// it read ahead by at most a buffer, so the bound is approximate by that.
type limiter struct {
	r   io.Reader
	n   int
	max int
}

func (l *limiter) Read(p []byte) (int, error) {
	if l.n > l.max {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

func (l *limiter) reset() { l.n = 0 }
