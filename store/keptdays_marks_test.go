package store

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// figureIndicatorTimeByBytes is figureIndicatorTime read byte by byte,
// without the fast path for keys with no backslash: the reference the
// fuzz target holds the fast path to.
func figureIndicatorTimeByBytes(line string) (string, int64, bool) {
	prefix := MeasurementFigure + ","
	if !strings.HasPrefix(line, prefix) {
		return "", 0, false
	}
	end := -1
	for i := len(prefix); i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == ' ' {
			end = i
			break
		}
	}
	sp := strings.LastIndexByte(line, ' ')
	if end < 0 || sp <= end {
		return "", 0, false
	}
	ts, err := strconv.ParseInt(line[sp+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	tags := line[len(prefix):end]
	for start, i := 0, 0; i <= len(tags); i++ {
		if i < len(tags) && tags[i] == '\\' {
			i++
			continue
		}
		if i == len(tags) || tags[i] == ',' {
			if v, ok := strings.CutPrefix(tags[start:i], TagIndicator+"="); ok && v != "" {
				return v, ts, true
			}
			start = i + 1
		}
	}
	return "", 0, false
}

func FuzzFigureIndicatorTime(f *testing.F) {
	for _, l := range []string{
		`figure,entity=A,indicator=pm25 provider="x",value=1 1717171200`,
		`figure,entity=a\,b\=c\ d,indicator=so2 provider="x y",value=1 1717257600`,
		`figure,indicator=gdp provider="tjj",value=1 1717171199`,
		`figure,indicator=gdp`, `figure,indicator=gdp 12`, `figure,indicator= x 1`,
		`figure,entity=A\ ,indicator=x v=1 5`, `figure,entity=A\\ ,indicator=x v=1 5`,
		`derived,indicator=pm25 provider="derived",value=1 1717171200`, `garbage`,
	} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ind, ts, ok := figureIndicatorTime(line)
		wind, wts, wok := figureIndicatorTimeByBytes(line)
		if ind != wind || ts != wts || ok != wok {
			t.Fatalf("figureIndicatorTime(%q) = %q %d %v, byte by byte %q %d %v", line, ind, ts, ok, wind, wts, wok)
		}
	})
}

// TestMarkLinesManyMonths: a batch of many months (a monthly series over
// years) gets one mark per month, past the list the months are first
// looked for in.
func TestMarkLinesManyMonths(t *testing.T) {
	var lines []string
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for rep := range 2 {
		for m := range 50 {
			ts := start.AddDate(0, m, rep).Unix()
			lines = append(lines, fmt.Sprintf(`figure,indicator=gdp provider="tjj",value=%d %d`, m, ts))
			lines = append(lines, fmt.Sprintf(`figure,entity=S%d,indicator=pm25 provider="x",value=%d %d`, rep, m, ts))
		}
	}
	marks := markLines(lines, "0123456789abcdef")
	if len(marks) != 100 {
		t.Fatalf("%d marks, want 100 (50 months of two indicators)", len(marks))
	}
	seen := map[string]bool{}
	for _, m := range marks {
		if seen[m] {
			t.Errorf("mark %q twice", m)
		}
		seen[m] = true
	}
	for m := range 50 {
		want := markLine("gdp", "0123456789abcdef", start.AddDate(0, m, 0).Unix())
		if !seen[want] {
			t.Errorf("no mark %q", want)
		}
	}
}
