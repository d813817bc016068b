package ingest

import (
	"bufio"
	"errors"
	"io"
	"unicode/utf8"
)

// tracker sits under a streaming decoder that reads ahead. It remembers the
// offsets of newlines and of invalid UTF-8 that the decoder has not yet
// passed, so that byte offsets can be turned into line numbers and a row can
// be told it holds bytes that are not UTF-8 — which encoding/json would
// otherwise replace with U+FFFD without a word. It keeps only what lies
// ahead of the decoder, so its memory is bounded by the read-ahead.
type tracker struct {
	r        io.Reader
	off      int64
	newlines []int64
	line     int // newlines already passed
	bad      []int64
	tail     []byte // an incomplete UTF-8 sequence ending the last chunk
	tailOff  int64
}

func (t *tracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.scan(p[:n], t.off)
		t.off += int64(n)
	}
	return n, err
}

func (t *tracker) scan(p []byte, base int64) {
	for i, b := range p {
		if b == '\n' {
			t.newlines = append(t.newlines, base+int64(i))
		}
	}
	i := 0
	if len(t.tail) > 0 {
		seq := append(t.tail, p[:min(4-len(t.tail), len(p))]...)
		if !utf8.FullRune(seq) {
			t.tail = seq
			return
		}
		r, size := utf8.DecodeRune(seq)
		if r == utf8.RuneError && size == 1 {
			t.markBad(t.tailOff)
		} else {
			i = size - len(t.tail)
		}
		t.tail = nil
	}
	for i < len(p) {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			t.tail = append([]byte(nil), p[i:]...)
			t.tailOff = base + int64(i)
			return
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size == 1 {
			t.markBad(base + int64(i))
		}
		i += size
	}
}

// markBad records an offset of invalid UTF-8. Bad offsets are forgotten as
// the decoder passes them, so at most a read-ahead's worth are kept.
func (t *tracker) markBad(off int64) { t.bad = append(t.bad, off) }

// lineAt returns the 1-based line of byte offset off. Offsets must not
// decrease from call to call; an earlier one gets the current line.
func (t *tracker) lineAt(off int64) int {
	k := 0
	for k < len(t.newlines) && t.newlines[k] < off {
		k++
	}
	t.line += k
	t.newlines = t.newlines[k:]
	return t.line + 1
}

// badBefore reports whether invalid UTF-8 lies before offset off, and
// forgets it.
func (t *tracker) badBefore(off int64) bool {
	k := 0
	for k < len(t.bad) && t.bad[k] < off {
		k++
	}
	t.bad = t.bad[k:]
	return k > 0
}

// lineReader reads lines of at most max bytes; longer ones are skipped to
// their end and reported, so one huge line costs no more than max memory.
type lineReader struct {
	br *bufio.Reader
	n  int
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, max)}
}

// next returns the next line without its line end, and its number. The
// line is valid until the next call. tooLong reports a line cut short.
func (l *lineReader) next() (line []byte, num int, tooLong bool, err error) {
	line, err = l.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		tooLong = true
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = l.br.ReadSlice('\n')
		}
		line = nil
	}
	if errors.Is(err, io.EOF) {
		if len(line) == 0 && !tooLong {
			return nil, 0, false, io.EOF
		}
		err = nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	l.n++
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
	}
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	return line[:n], l.n, tooLong, nil
}
