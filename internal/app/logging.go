package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// maxLogValue bounds the text of one log message or attribute value: an
// error joined from a hundred failed reads ("analysis run failed" once
// logged 57 KB on one line) is cut here, once for every log line of every
// command, and says how much was cut.
const maxLogValue = 2048

// boundedHandler is a slog.Handler that truncates long messages and
// attribute values (strings, errors, anything printed) to maxLogValue.
type boundedHandler struct{ next slog.Handler }

func (h boundedHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h boundedHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, truncateLog(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(boundAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h boundedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	bounded := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		bounded[i] = boundAttr(a)
	}
	return boundedHandler{h.next.WithAttrs(bounded)}
}

func (h boundedHandler) WithGroup(name string) slog.Handler {
	return boundedHandler{h.next.WithGroup(name)}
}

// boundAttr truncates the value of a.
func boundAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if len(v.String()) > maxLogValue {
			return slog.String(a.Key, truncateLog(v.String()))
		}
	case slog.KindGroup:
		group := v.Group()
		bounded := make([]any, len(group))
		for i, g := range group {
			bounded[i] = boundAttr(g)
		}
		return slog.Group(a.Key, bounded...)
	case slog.KindAny:
		var text string
		if err, ok := v.Any().(error); ok {
			text = err.Error()
		} else {
			text = fmt.Sprint(v.Any())
		}
		if len(text) > maxLogValue {
			return slog.String(a.Key, truncateLog(text))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// truncateLog cuts s to at most maxLogValue bytes, at a character
// boundary, and says how many bytes were cut.
func truncateLog(s string) string {
	if len(s) <= maxLogValue {
		return s
	}
	cut := maxLogValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… [%d more bytes cut]", s[:cut], len(s)-cut)
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(boundedHandler{slog.NewJSONHandler(w, opts)})
	}
	return slog.New(boundedHandler{slog.NewTextHandler(w, opts)})
}
