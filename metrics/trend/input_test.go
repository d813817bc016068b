package trend

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// sameFloats compares with NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	})
}

func TestReadSeries(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		in     string
		values []float64
		times  []string
		rows   [][]float64
	}{
		{"json numbers and nulls", " \n[1, null, 2.5e1]", []float64{1, nan, 25}, nil, nil},
		{"json empty", "[]", []float64{}, nil, nil},
		{"json rows", "[[1,null],[3,4]]", nil, nil, [][]float64{{1, nan}, {3, 4}}},
		{"byte-order mark", "\ufeff[7]", []float64{7}, nil, nil},
		{"csv value only", "value\n1\n2\n", []float64{1, 2}, nil, nil},
		{"csv with time and missing markers", "Time, Value\n2024-01,1.5\n2024-02,\n2024-03,NA\n2024-04,nan\n2024-05,-\n",
			[]float64{1.5, nan, nan, nan, nan}, []string{"2024-01", "2024-02", "2024-03", "2024-04", "2024-05"}, nil},
		{"csv extra columns", "site,value,unit\nA,3,mg/L\nA,4,mg/L\n", []float64{3, 4}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadSeries(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("ReadSeries(%q): %v", tc.in, err)
			}
			if !sameFloats(s.Values, tc.values) || (tc.values != nil) != (s.Values != nil) {
				t.Errorf("Values = %v; want %v", s.Values, tc.values)
			}
			if !slices.Equal(s.Times, tc.times) {
				t.Errorf("Times = %q; want %q", s.Times, tc.times)
			}
			if len(s.Rows) != len(tc.rows) {
				t.Fatalf("Rows = %v; want %v", s.Rows, tc.rows)
			}
			for i := range tc.rows {
				if !sameFloats(s.Rows[i], tc.rows[i]) {
					t.Errorf("Rows[%d] = %v; want %v", i, s.Rows[i], tc.rows[i])
				}
			}
		})
	}
}

func TestReadSeriesErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "  \n", "empty input"},
		{"json string element", `[1,"2"]`, "json array"},
		{"json out of range", `[1e400]`, "json array"},
		{"json ragged rows", `[[1,2],[3]]`, "json row 1 has 1 values, row 0 has 2"},
		{"csv no value column", "time,v\n1,2\n", `has no value column`},
		{"csv bad number", "value\n1\nabc\n", `csv line 3: value "abc"`},
		{"csv infinite", "value\nInf\n", `value "Inf" is not finite`},
		{"csv ragged", "value,time\n1\n", "csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSeries(strings.NewReader(tc.in))
			if err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadSeries(%q) = %v; want an ErrInput containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestNumberMarshal(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{math.NaN(), `"NaN"`}, {math.Inf(1), `"Inf"`}, {math.Inf(-1), `"-Inf"`},
		{0.1, `0.1`}, {1e-300, `1e-300`}, {-2, `-2`}, {123456789012, `123456789012`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(Number(tc.in))
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(Number(%v)) = %s, %v; want %s", tc.in, b, err, tc.want)
		}
	}
}

func TestAnalyzeRendersEveryMethod(t *testing.T) {
	s := Series{Values: []float64{1.2, 1.5, math.NaN(), 1.9, 2.4, 2.2, 2.8, 3.1, 2.9, 3.6, 3.3, 3.9, 4.4}}
	for _, m := range Methods {
		t.Run(m, func(t *testing.T) {
			rep, err := Analyze(s, Options{Method: m, Alpha: 0.05, Period: 4})
			if err != nil {
				t.Fatalf("Analyze(%s): %v", m, err)
			}
			var buf bytes.Buffer
			if err := rep.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("output %s: %v", buf.String(), err)
			}
			for _, key := range []string{"trend", "h", "p", "z", "tau", "s", "var_s", "slope", "intercept", "n", "n_valid", "method"} {
				if _, ok := got[key]; !ok {
					t.Errorf("key %q missing from %s", key, buf.String())
				}
			}
			if got["method"] != m {
				t.Errorf("method = %v; want %s", got["method"], m)
			}
			switch Direction(got["trend"].(string)) {
			case Increasing, Decreasing, NoTrend:
			default:
				t.Errorf("trend = %v; want a direction", got["trend"])
			}
		})
	}
}

func TestAnalyzeErrors(t *testing.T) {
	x := Series{Values: []float64{1, 2, 3, 4}}
	tests := []struct {
		name string
		s    Series
		o    Options
		want error
	}{
		{"unknown method", x, Options{Method: "loess", Alpha: 0.05}, ErrMethod},
		{"alpha zero", x, Options{Method: "original"}, ErrAlpha},
		{"period zero", x, Options{Method: "seasonal", Alpha: 0.05}, ErrPeriod},
		{"rows for one series", Series{Rows: [][]float64{{1}, {2}}}, Options{Method: "original", Alpha: 0.05}, ErrInput},
		{"huge value", Series{Values: []float64{1, 2e200, 3}}, Options{Method: "original", Alpha: 0.05}, ErrValue},
		{"correlated seasonal without complete cycles", Series{Values: []float64{1, 2, 3, math.NaN(), 5, 6}},
			Options{Method: "correlated-seasonal", Alpha: 0.05, Period: 4}, ErrTooFewValues},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Analyze(tc.s, tc.o); !errors.Is(err, tc.want) {
				t.Errorf("Analyze = %v; want %v", err, tc.want)
			}
		})
	}
}

func TestOrderedBits(t *testing.T) {
	vals := []float64{math.Inf(-1), -1e300, -1, -1e-300, math.Copysign(0, -1), 0, 1e-300, 1, 1e300, math.Inf(1)}
	for i := 1; i < len(vals); i++ {
		a, b := orderedBits(vals[i-1]), orderedBits(vals[i])
		if (vals[i-1] < vals[i]) != (a < b) || (vals[i-1] == vals[i]) != (a == b) {
			t.Errorf("orderedBits(%v) = %x, orderedBits(%v) = %x: order differs", vals[i-1], a, vals[i], b)
		}
	}
}
