package water

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func readAll(t *testing.T, in string) (*CSVReader, []Record, error) {
	t.Helper()
	cr, err := NewCSVReader(strings.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	var recs []Record
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return cr, recs, nil
		}
		if err != nil {
			return cr, recs, err
		}
		recs = append(recs, rec)
	}
}

func TestCSVReader(t *testing.T) {
	in := "\ufeffsection,time,water_body,ph,DO,codmn,oil,cond,chla\r\n" +
		"东店,2021-04-01T08:00:00+08:00,river,7.75,5.70,5.54,--,731.2,*\r\n" +
		"密云水库,2021-04-01 12:00,lake, 8.13 ,*,,0.01,300,0.002\r\n" +
		"\"新八里桥\",2021-04-02,,7.9,6.1,6.03,0.02,650,--\r\n"
	cr, recs, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := cr.Ignored(); !slices.Equal(got, []string{"cond", "chla"}) {
		t.Errorf("Ignored() = %q; want [cond chla]", got)
	}
	if got := cr.Items(); !slices.Equal(got, []string{"ph", "do", "codmn", "petroleum"}) {
		t.Errorf("Items() = %q; want [ph do codmn petroleum]", got)
	}
	want := []Record{
		{Line: 2, TimeText: "2021-04-01T08:00:00+08:00", WaterBody: River, HasWaterBody: true, Sample: Sample{
			Section: "东店", Time: time.Date(2021, 4, 1, 8, 0, 0, 0, beijing),
			Values: map[string]float64{"ph": 7.75, "do": 5.70, "codmn": 5.54}}},
		{Line: 3, TimeText: "2021-04-01 12:00", WaterBody: Lake, HasWaterBody: true, Sample: Sample{
			Section: "密云水库", Time: time.Date(2021, 4, 1, 12, 0, 0, 0, beijing),
			Values: map[string]float64{"ph": 8.13, "petroleum": 0.01}}},
		{Line: 4, TimeText: "2021-04-02", Sample: Sample{
			Section: "新八里桥", Time: time.Date(2021, 4, 2, 0, 0, 0, 0, beijing),
			Values: map[string]float64{"ph": 7.9, "do": 6.1, "codmn": 6.03, "petroleum": 0.02}}},
	}
	if len(recs) != len(want) {
		t.Fatalf("read %d records; want %d", len(recs), len(want))
	}
	for i, got := range recs {
		w := want[i]
		if got.Line != w.Line || got.TimeText != w.TimeText || got.WaterBody != w.WaterBody ||
			got.HasWaterBody != w.HasWaterBody || got.Sample.Section != w.Sample.Section ||
			!got.Sample.Time.Equal(w.Sample.Time) || !mapsEqual(got.Sample.Values, w.Sample.Values) {
			t.Errorf("record %d = %+v; want %+v", i, got, w)
		}
	}
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestCSVReaderTimestampColumn(t *testing.T) {
	// CNEMC exports have "timestamp" (and "monitor_time"), not "time".
	cr, recs, err := readAll(t, "section,monitor_time,timestamp,tp\n三岔口,04-01 08:00,2021-04-01T08:00:00+08:00,0.084\n三岔口,*,,--\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].TimeText != "2021-04-01T08:00:00+08:00" || !recs[1].Sample.Time.IsZero() || len(recs[1].Sample.Values) != 0 {
		t.Errorf("records = %+v; want the timestamp column as time, and a blank time as zero", recs)
	}
	if got := cr.Ignored(); !slices.Equal(got, []string{"monitor_time"}) {
		t.Errorf("Ignored() = %q; want [monitor_time]", got)
	}
}

func TestCSVReaderErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty", "", "line 1: no header row"},
		{"no section", "time,tp\n", `line 1: no "section" column`},
		{"duplicate alias", "section,oil,petroleum\n", `line 1, column 3 "petroleum": same column as column 2 "oil"`},
		{"bad number", "section,time,do\ns,2021-04-01,abc\n", `line 2, column "do": value "abc" is not a number`},
		{"NaN", "section,do\ns,NaN\n", `line 2, column "do": value "NaN" is not a finite number`},
		{"negative", "section,tp\ns,-0.1\n", `line 2, column "tp": tp = -0.1: invalid value`},
		{"bad time", "section,time,tp\ns,yesterday,0.1\n", `line 2, column "time": time "yesterday": want RFC 3339 or YYYY-MM-DD[ hh:mm[:ss]]`},
		{"bad water body", "section,water_body,tp\ns,sea,0.1\n", `line 2, column "water_body": parse "sea": invalid water body`},
		{"empty section", "section,tp\n,0.1\n", `line 2, column "section": empty section`},
		{"short row", "section,tp,do\ns,0.1,7\ns,0.1\n", "record on line 3: wrong number of fields"},
		{"bad quote", "section,tp\ns,0\"1\n", `parse error on line 2, column 4: bare " in non-quoted-field`},
		{"line after multi-line cell", "section,tp\n\"a\nb\",0.1\nc,x\n", `line 4, column "tp": value "x" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(t, tc.in)
			if err == nil || !strings.HasSuffix(err.Error(), tc.wantErr) {
				t.Errorf("read(%q) error = %v; want %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

func FuzzCSVReader(f *testing.F) {
	f.Add("section,time,ph,do,codmn,nh3n,tp\n东店,2021-04-01T08:00:00+08:00,7.75,5.70,5.54,0.139,0.084\n")
	f.Add("\ufeffsection,timestamp,water_body,tn,fc\r\ns,2021-04-01,lake,1.2,*\r\n")
	f.Add("section,oil,s2\n\"a,b\",--,0.1\n")
	f.Add("section,tp\n\"a\nb\",1e400\n")
	f.Add("section,ph,cd,hg\ns,7,0.0005L,<0.0001\ns,0.1L,ND,＜0\n")
	f.Fuzz(func(t *testing.T, in string) {
		cr, err := NewCSVReader(strings.NewReader(in))
		if err != nil {
			return
		}
		last := 0
		for {
			rec, err := cr.Read()
			if err != nil {
				if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "line ") {
					t.Fatalf("error %q names no line", err)
				}
				return
			}
			if rec.Line <= last {
				t.Fatalf("line %d after line %d", rec.Line, last)
			}
			last = rec.Line
			if rec.Sample.Section == "" {
				t.Fatalf("line %d: record without a section", rec.Line)
			}
			// Whatever the reader accepts, evaluation must accept.
			if _, err := (SectionConfig{Name: rec.Sample.Section, WaterBody: rec.WaterBody}).Evaluate(rec.Sample); err != nil {
				t.Fatalf("line %d: Evaluate(%v) = %v", rec.Line, rec.Sample.Values, err)
			}
		}
	})
}
