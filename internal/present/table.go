package present

import (
	"io"
	"strings"

	"golang.org/x/text/width"
)

// WriteAligned prints rows in columns padded by display width: Chinese
// characters take two terminal cells, which text/tabwriter (counting
// runes) does not know. Columns are two cells apart; trailing blanks are
// dropped.
func WriteAligned(w io.Writer, rows [][]string) error {
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], DisplayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-DisplayWidth(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DisplayWidth is the number of terminal cells s takes: two for East
// Asian wide and fullwidth characters (Unicode's East Asian Width, from
// golang.org/x/text/width), one for the rest. Of the ambiguous characters
// only the Roman numerals (Ⅰ–Ⅻ, the water classes) count two, as CJK
// fonts draw them; dashes such as — and – stay one, as terminals draw them.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	case width.EastAsianAmbiguous:
		if r >= 'Ⅰ' && r <= 'ⅿ' { // U+2160–U+217F number forms
			return 2
		}
	}
	return 1
}
