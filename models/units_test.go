package models_test

import (
	"errors"
	"math"
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in        string
		value     float64
		unit      string
		qualifier models.Qualifier
	}{
		{"300亿元", 3.0e10, "CNY", models.QualifierExact},
		{"超300亿元", 3.0e10, "CNY", models.QualifierMoreThan},
		{"135.1万平方米", 1_351_000, "m2", models.QualifierExact},
		{"95.4万㎡", 954_000, "m2", models.QualifierExact},
		{"6000余吨", 6000, "t", models.QualifierMoreThan},
		{"突破1亿吨", 1e8, "t", models.QualifierMoreThan},
		{"1.6万个", 16_000, "count", models.QualifierExact},
		{"338辆", 338, "count", models.QualifierExact},
		{"46.06%", 0.4606, "ratio", models.QualifierExact},
		{"5%以内", 0.05, "ratio", models.QualifierAtMost},
		{"5%左右", 0.05, "ratio", models.QualifierApprox},
		{"不少于1.5万人", 15_000, "count", models.QualifierAtLeast},
		{"超过65%", 0.65, "ratio", models.QualifierMoreThan},
		{"1.5个百分点", 0.015, "ratio", models.QualifierExact},
		{"千亿元", 1e11, "CNY", models.QualifierExact},
		{"94.11亿元", 9.411e9, "CNY", models.QualifierExact},
		{"30.08万亿元", 3.008e13, "CNY", models.QualifierExact},
		{"19.28万亩", 192_800 * 10000.0 / 15, "m2", models.QualifierExact},
		{"307.7公顷", 3_077_000, "m2", models.QualifierExact},
		{"12宗", 12, "count", models.QualifierExact},
		{"2,461家", 2461, "count", models.QualifierExact},
		{"0.5703 tCO2", 0.5703, "tCO2", models.QualifierExact},
		{"35 ug/m3", 35, "ug/m3", models.QualifierExact},
		{"1.2 mg/m3", 1200, "ug/m3", models.QualifierExact},
		{"-50%", -0.5, "ratio", models.QualifierExact},
		{"1e3吨", 1000, "t", models.QualifierExact},
		{"146", 146, "count", models.QualifierExact},
		{"200 MPN/100mL", 2000, "count/L", models.QualifierExact},
		{"8个", 8, "count", models.QualifierExact},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := models.ParseQuantity(tc.in)
			if err != nil {
				t.Fatalf("ParseQuantity(%q) error %v", tc.in, err)
			}
			if !near(got.Value, tc.value) || got.Unit != tc.unit || got.Qualifier != tc.qualifier {
				t.Errorf("ParseQuantity(%q) = %v %s %s; want %v %s %s", tc.in, got.Value, got.Unit, got.Qualifier, tc.value, tc.unit, tc.qualifier)
			}
		})
	}
}

func TestParseQuantityErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", models.ErrEmptyQuantity},
		{"元", models.ErrBadNumber},
		{"abc", models.ErrBadNumber},
		{"12 furlongs", models.ErrUnknownUnit},
		{"1e309", models.ErrNonFinite},
		{"1.2.3吨", models.ErrBadNumber},
		{"9e307亿元", models.ErrNonFinite},
	}
	for _, tc := range tests {
		if _, err := models.ParseQuantity(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("ParseQuantity(%q) error = %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		v        float64
		from, to string
		want     float64
		err      error
	}{
		{300, "亿元", "CNY", 3e10, nil},
		{3e10, "CNY", "亿元", 300, nil},
		{1, "万亿元", "亿元", 1e4, nil},
		{1, "公顷", "亩", 15, nil},
		{1, "万千瓦时", "MWh", 10, nil},
		{1, "万吨标准煤", "tce", 1e4, nil},
		{1, "亿元", "t", 0, models.ErrIncompatible},
		{1, "parsec", "t", 0, models.ErrUnknownUnit},
		{1, "%", "ratio", 0.01, nil},
	}
	for _, tc := range tests {
		got, err := models.Convert(tc.v, tc.from, tc.to)
		if !errors.Is(err, tc.err) || (err == nil && !near(got, tc.want)) {
			t.Errorf("Convert(%v, %q, %q) = %v, %v; want %v, %v", tc.v, tc.from, tc.to, got, err, tc.want, tc.err)
		}
	}
}

func TestFormatQuantity(t *testing.T) {
	tests := []struct {
		v             float64
		base, display string
		want          string
	}{
		{3.0e10, "CNY", "亿元", "300亿元"},
		{1_351_000, "m2", "万平方米", "135.1万平方米"},
		{0.4606, "ratio", "%", "46.06%"},
		{9.411e9, "CNY", "", "94.11亿元"},
		{16_000, "count", "", "1.6万个"},
		{338, "count", "辆", "338辆"},
		{3.008e13, "CNY", "万亿元", "30.08万亿元"},
		{0.125, "ratio", "%", "12.5%"},
		{0.125, "t", "吨", "0.12吨"}, // GB/T 8170: half to even (exact binary halves)
		{0.375, "t", "吨", "0.38吨"},
		{math.NaN(), "t", "吨", "—"},
		{0, "ratio", "%", "0%"},
	}
	for _, tc := range tests {
		if got := models.FormatQuantity(tc.v, tc.base, tc.display); got != tc.want {
			t.Errorf("FormatQuantity(%v, %q, %q) = %q, want %q", tc.v, tc.base, tc.display, got, tc.want)
		}
	}
	if got := models.FormatPoints(0.015); got != "1.5个百分点" {
		t.Errorf("FormatPoints(0.015) = %q, want 1.5个百分点", got)
	}
}

func TestParseFormatRoundTrip(t *testing.T) {
	for _, s := range []string{"300亿元", "135.1万平方米", "46.06%", "1.6万个", "94.11亿元"} {
		q, err := models.ParseQuantity(s)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := models.LookupUnit(s[len(numberPrefix(s)):])
		if got := models.FormatQuantity(q.Value, q.Unit, u.Symbol); got != s {
			t.Errorf("Format(Parse(%q)) = %q", s, got)
		}
	}
}

func numberPrefix(s string) string {
	for i, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return s[:i]
		}
	}
	return s
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"超300亿元", "135.1万平方米", "6000余吨", "46.06%", "5%以内", "千亿元", "1e309", "-0", "1,2,3", "万", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := models.ParseQuantity(s)
		if err != nil {
			return
		}
		if math.IsNaN(q.Value) || math.IsInf(q.Value, 0) {
			t.Fatalf("ParseQuantity(%q) = %v without error", s, q.Value)
		}
		if _, ok := models.LookupUnit(q.Unit); !ok {
			t.Fatalf("ParseQuantity(%q) returned unknown base unit %q", s, q.Unit)
		}
		_ = models.FormatQuantity(q.Value, q.Unit, "")
	})
}

func FuzzFormatQuantity(f *testing.F) {
	f.Add(3.0e10, "CNY", "亿元")
	f.Add(0.4606, "ratio", "%")
	f.Add(-1e-300, "t", "")
	f.Fuzz(func(t *testing.T, v float64, base, display string) {
		if s := models.FormatQuantity(v, base, display); s == "" {
			t.Fatalf("FormatQuantity(%v, %q, %q) is empty", v, base, display)
		}
	})
}

func near(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}
