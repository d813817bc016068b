package trend

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzReadSeries feeds arbitrary bytes to the parser and, when they parse,
// every method: nothing may panic, and a report must render as JSON.
func FuzzReadSeries(f *testing.F) {
	for _, seed := range []string{
		"[1,2,3,null,5]", "[[1,2],[null,4],[5,6]]", "value\n1\n\n3\n", "time,value\n2024-01,1\n2024-02,NA\n",
		"[]", "[[]]", "\ufeff[1e308,-1e308,0]", "value\n1e400\n", "[1,\"x\"]", "a,b\n\"unterminated\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSeries(bytes.NewReader(data))
		if err != nil {
			return
		}
		if s.Times != nil && len(s.Times) != len(s.Values) {
			t.Fatalf("%d times for %d values", len(s.Times), len(s.Values))
		}
		if len(s.Values)+len(s.Rows) > 2000 {
			return // keep the per-input work small; size is covered by the benchmarks
		}
		for _, m := range Methods {
			rep, err := Analyze(s, Options{Method: m, Alpha: 0.05, Period: 3, Lag: 2})
			if err != nil {
				continue
			}
			var buf bytes.Buffer
			if err := rep.WriteJSON(&buf); err != nil {
				t.Fatalf("%s: %v", m, err)
			}
		}
	})
}

// floatsFrom decodes fuzz bytes into a series: 8 bytes per value, with
// NaN kept as a missing value and other non-finite values dropped.
func floatsFrom(data []byte) []float64 {
	var x []float64
	for len(data) >= 8 && len(x) < 300 {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data))
		data = data[8:]
		if !math.IsInf(v, 0) {
			x = append(x, v)
		}
	}
	return x
}

// FuzzOriginal checks the Mann-Kendall test and Sen's slope on arbitrary
// values against the O(n²) definitions, and that the results are finite
// or flagged by an error.
func FuzzOriginal(f *testing.F) {
	enc := func(vals ...float64) []byte {
		b := make([]byte, 0, 8*len(vals))
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(enc(1, 2, 3))
	f.Add(enc(1, math.NaN(), 1, 1, 0.1, 0.2, 0.30000000000000004))
	f.Add(enc(3e10, 3e10+1, 3e10-1, 5e-324, -5e-324, 0, math.Copysign(0, -1)))
	f.Add(enc(1e100, -1e100, 1e100))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := floatsFrom(data)
		r, err := Original(x, 0.05)
		if err != nil {
			if !strings.Contains(err.Error(), "need at least") && !strings.Contains(err.Error(), "beyond") {
				t.Fatalf("Original: unexpected error %v", err)
			}
			return
		}
		p := seriesPoints(x)
		if want := bruteS(p.x); r.S != want {
			t.Fatalf("S = %v; want %v", r.S, want)
		}
		if all := bruteSlopes([]points{p}); r.Slope != bruteMedian(all) {
			t.Fatalf("slope = %v; want %v", r.Slope, bruteMedian(all))
		}
		for name, v := range map[string]float64{"p": r.P, "z": r.Z, "tau": r.Tau, "var_s": r.VarS, "slope": r.Slope, "intercept": r.Intercept} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s = %v for %v", name, v, x)
			}
		}
		if r.P < 0 || r.P > 1 || math.Abs(r.Tau) > 1 || r.VarS < 0 {
			t.Fatalf("p %v, tau %v, var_s %v out of range", r.P, r.Tau, r.VarS)
		}
	})
}

// FuzzParseFlatJSON checks the flat-array parser against encoding/json on
// arbitrary input: both accept the same inputs and give bit-identical
// values (null as NaN).
func FuzzParseFlatJSON(f *testing.F) {
	for _, seed := range []string{
		"[1,2,3,null,5]", "[]", " [ ] ", "[1e400]", "[1e-400]", "[-0]", "[01]", "[1.]", "[.5]", "[+1]", "[1,]",
		"[null,nul]", "[1 2]", "[1]x", "[\"1\"]", "[true]", "[1,[2]]", "[-1.5E+3, 2e-3,\n\t0.1]", "[", "[-]", "[1e]",
		"[NaN]", "[Infinity]", "[0x10]", "[1_0]", "[4.9406564584124654e-324, 1.7976931348623157e308]",
		"[0.1, -2.345678, 9007199254740993, 9007199254740992e-5, 1.000000000000000111, -0.000123e-20, 1e22, 1e23]",
		"[123456.789e3, 0.0e999, -0.0, 00, 12345678901234567890, 4.5e-22, 45e-23, 1E+2, 3.14159265358979]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '[' {
			return
		}
		got, err := parseFlatJSON(data)
		var ref []*float64
		refErr := json.Unmarshal(data, &ref)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("%q: parseFlatJSON error %v, encoding/json error %v", data, err, refErr)
		}
		if err != nil {
			return
		}
		want := nullsToNaN(ref)
		if len(got) != len(want) {
			t.Fatalf("%q: %d values; encoding/json gives %d", data, len(got), len(want))
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Fatalf("%q: value %d = %v; encoding/json gives %v", data, i, got[i], want[i])
			}
		}
	})
}

// FuzzExactDecimal checks the exact fast path of the JSON number parser
// against strconv.ParseFloat, bit for bit, on numbers built from random
// digits, points and exponents (the fast path must either decline or
// agree).
func FuzzExactDecimal(f *testing.F) {
	f.Add(uint64(123456), uint8(3), int8(0), false)
	f.Add(uint64(9007199254740993), uint8(0), int8(-5), true)
	f.Add(uint64(1), uint8(0), int8(22), false)
	f.Add(uint64(0), uint8(4), int8(-30), true)
	f.Fuzz(func(t *testing.T, digits uint64, frac uint8, exp int8, neg bool) {
		s := strconv.FormatUint(digits, 10)
		if k := int(frac % 25); k > 0 {
			for len(s) <= k {
				s = "0" + s
			}
			s = s[:len(s)-k] + "." + s[len(s)-k:]
		}
		if exp != 0 {
			s += "e" + strconv.Itoa(int(exp))
		}
		if neg {
			s = "-" + s
		}
		if scanNumber([]byte(s), 0) != len(s) {
			return // not a JSON number
		}
		got, ok := exactDecimal([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s: fast path %v (%x), strconv %v (%x, %v)", s, got, math.Float64bits(got), want, math.Float64bits(want), err)
		}
	})
}
