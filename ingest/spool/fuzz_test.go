package spool

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

func FuzzNextRecord(f *testing.F) {
	f.Add(appendRecord(nil, []byte("figure,indicator=pm25 provider=\"cnemc\",value=1 1717171200")))
	f.Add([]byte("00000000 x\n"))
	f.Add([]byte("zzzzzzzz abc\n"))
	f.Add([]byte("12345678"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		line, n, st := nextRecord(b)
		if n > len(b) || (len(b) > 0 && n == 0) {
			t.Fatalf("nextRecord(%q) spans %d bytes of %d", b, n, len(b))
		}
		switch st {
		case recordOK:
			if enc := appendRecord(nil, line); !bytes.EqualFold(enc, b[:n]) {
				t.Fatalf("nextRecord(%q) = %q, which encodes as %q", b, line, enc)
			}
		case recordTorn:
			if n != len(b) || bytes.IndexByte(b, '\n') >= 0 {
				t.Fatalf("nextRecord(%q) torn at %d with a newline present", b, n)
			}
		}
	})
}

// FuzzRecover writes intact records followed by arbitrary bytes (a torn
// or garbage tail, damage) into a segment and checks that recovery keeps
// every intact record before the damage, in order, and leaves a spool that
// accepts and returns new records.
func FuzzRecover(f *testing.F) {
	f.Add(uint8(3), []byte("1a2b3c4d figure,ent"))
	f.Add(uint8(0), []byte{0, 0, 0, 0})
	f.Add(uint8(5), []byte("00000000 bad\nffffffff also bad\n"))
	f.Add(uint8(1), bytes.Repeat([]byte("x"), 70_000))
	f.Add(uint8(2), appendRecord(nil, []byte("figure,indicator=so2 provider=\"\",value=3 1")))
	f.Fuzz(func(t *testing.T, n uint8, tail []byte) {
		dir := t.TempDir()
		segDir := filepath.Join(dir, "segments")
		if err := os.MkdirAll(segDir, 0o755); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		var seg []byte
		var want []string
		for i := range int(n % 20) {
			o := models.Observation{Time: t0.Add(time.Duration(i) * time.Hour), Indicator: "pm25", Value: float64(i)}
			line := store.AppendObservation(nil, o)
			want = append(want, string(line))
			seg = appendRecord(seg, line)
		}
		seg = append(seg, tail...)
		if err := os.WriteFile(filepath.Join(segDir, "00000000000000000000.seg"), seg, 0o644); err != nil {
			t.Fatal(err)
		}

		sp, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("Open over %d records + %q = %v", n%20, tail, err)
		}
		defer sp.Close()
		extra := models.Observation{Time: t0, Indicator: "no2", Value: 42}
		if err := sp.Append(context.Background(), []models.Observation{extra}); err != nil {
			t.Fatalf("Append after recovery = %v", err)
		}
		var got []string
		for {
			b, err := sp.TryNext(7)
			if err != nil {
				t.Fatalf("TryNext = %v", err)
			}
			if b.Empty() {
				break
			}
			got = append(got, b.Lines...)
			if err := sp.Ack(b); err != nil {
				t.Fatalf("Ack = %v", err)
			}
		}
		if len(got) < len(want)+1 {
			t.Fatalf("recovered %d lines, want at least %d", len(got), len(want)+1)
		}
		for i, w := range want {
			if got[i] != w {
				t.Fatalf("line %d = %q, want %q", i, got[i], w)
			}
		}
		if last := got[len(got)-1]; last != string(store.AppendObservation(nil, extra)) {
			t.Fatalf("last line = %q, want the record appended after recovery", last)
		}
		if st := sp.Stats(); st.PendingPoints != 0 {
			t.Fatalf("pending = %d after draining", st.PendingPoints)
		}
	})
}
