package app

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestLogLinesAreBounded: a long error (as a joined error of many failed
// reads makes) is cut in the log line, which says how much was cut; short
// values and Chinese text pass untouched.
func TestLogLinesAreBounded(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log := newLogger(&buf, "info", format).With("component", "analysis")
		long := errors.New(strings.Repeat("读取 gdp 失败: connection refused; ", 2000))
		log.Error("analysis run failed", "err", long, "indicator", "万平方米")
		line := buf.String()
		if len(line) > 3*maxLogValue {
			t.Errorf("%s: log line of %d bytes, want at most about %d", format, len(line), maxLogValue)
		}
		if !strings.Contains(line, "more bytes cut]") || !strings.Contains(line, "万平方米") || !strings.Contains(line, "analysis run failed") {
			t.Errorf("%s: log line lacks the cut count or the short values: %.300s", format, line)
		}
	}
}
