package trend

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// vectorsRel is where the reference vectors live relative to the module
// root.
const vectorsRel = "testdata/refdata/trend_vectors.json.gz"

// readGzip reads a whole gzip-compressed file.
func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

// vectorFile holds the parts of trend_vectors.json the tests use.
type vectorFile struct {
	Count int          `json:"count"`
	Cases []vectorCase `json:"cases"`
}

type vectorCase struct {
	Name     string          `json:"name"`
	Test     string          `json:"test"`
	Params   vectorParams    `json:"params"`
	N        int             `json:"n"`
	NValid   int             `json:"n_valid"`
	X        json.RawMessage `json:"x"`
	Expected expected        `json:"expected"`
	Cross    json.RawMessage `json:"crosscheck_scipy"`
}

type vectorParams struct {
	Alpha  *float64 `json:"alpha"`
	Period *int     `json:"period"`
	Lag    *int     `json:"lag"`
}

type expected struct {
	Trend     *string  `json:"trend"`
	H         *bool    `json:"h"`
	P         *jsonNum `json:"p"`
	Z         *jsonNum `json:"z"`
	Tau       *jsonNum `json:"Tau"`
	S         *jsonNum `json:"s"`
	VarS      *jsonNum `json:"var_s"`
	Slope     *jsonNum `json:"slope"`
	Intercept *jsonNum `json:"intercept"`
}

// jsonNum accepts a number or one of the strings "NaN", "Inf", "-Inf".
type jsonNum float64

func (j *jsonNum) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		switch s {
		case "NaN":
			*j = jsonNum(math.NaN())
		case "Inf":
			*j = jsonNum(math.Inf(1))
		case "-Inf":
			*j = jsonNum(math.Inf(-1))
		default:
			return fmt.Errorf("unknown number string %q", s)
		}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*j = jsonNum(f)
	return nil
}

// vectorsPath is the reference vectors' file in the repository's
// testdata (testdata/refdata/README.md names their origin).
func vectorsPath() string { return filepath.Join("..", "..", vectorsRel) }

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	path := vectorsPath()
	b, err := readGzip(path)
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if len(vf.Cases) == 0 || len(vf.Cases) != vf.Count {
		t.Fatalf("%s: %d cases, header says %d", path, len(vf.Cases), vf.Count)
	}
	return vf
}

// series decodes a case's x: a flat array with nulls, or rows of them.
func (c vectorCase) series(t *testing.T) ([]float64, [][]float64) {
	t.Helper()
	var flat []*float64
	if err := json.Unmarshal(c.X, &flat); err == nil {
		return derefAll(flat), nil
	}
	var rows [][]*float64
	if err := json.Unmarshal(c.X, &rows); err != nil {
		t.Fatalf("decode x: %v", err)
	}
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = derefAll(r)
	}
	return nil, out
}

func derefAll(p []*float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		if v == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *v
		}
	}
	return out
}

func (p vectorParams) alpha() float64 {
	if p.Alpha == nil {
		return 0.05
	}
	return *p.Alpha
}

func (p vectorParams) period() int {
	if p.Period == nil {
		return 12
	}
	return *p.Period
}

func (p vectorParams) lag() int {
	if p.Lag == nil {
		return 0
	}
	return *p.Lag
}

// runCase computes a case with the package API, in the shape of the
// expected block.
func runCase(t *testing.T, c vectorCase) Result {
	t.Helper()
	x, rows := c.series(t)
	a := c.Params.alpha()
	var (
		r   Result
		err error
	)
	switch c.Test {
	case "original_test":
		r, err = Original(x, a)
	case "hamed_rao_modification_test":
		r, err = HamedRao(x, a, c.Params.lag())
	case "yue_wang_modification_test":
		r, err = YueWang(x, a, c.Params.lag())
	case "pre_whitening_modification_test":
		r, err = PreWhitening(x, a)
	case "trend_free_pre_whitening_modification_test":
		r, err = TrendFreePreWhitening(x, a)
	case "seasonal_test":
		r, err = Seasonal(x, c.Params.period(), a)
	case "correlated_seasonal_test":
		r, err = CorrelatedSeasonal(x, c.Params.period(), a)
	case "regional_test":
		r, err = Regional(rows, a)
	case "sens_slope":
		var s SenSlope
		s, err = Sens(x, a)
		r = Result{Slope: s.Slope, Intercept: s.Intercept}
	case "seasonal_sens_slope":
		var s SenSlope
		s, err = SeasonalSens(x, c.Params.period(), a)
		r = Result{Slope: s.Slope, Intercept: s.Intercept}
	default:
		t.Fatalf("unknown test kind %q", c.Test)
	}
	if err != nil {
		t.Fatalf("%s: %v", c.Test, err)
	}
	return r
}

// tol is an absolute and relative tolerance; a value passes if it is
// within either.
type tol struct{ abs, rel float64 }

var tolerances = map[string]tol{
	"var_s":     {rel: 1e-9},
	"z":         {abs: 1e-12, rel: 1e-9},
	"p":         {abs: 1e-12},
	"Tau":       {abs: 1e-15, rel: 1e-12},
	"slope":     {abs: 1e-12, rel: 1e-9},
	"intercept": {abs: 1e-9, rel: 1e-9},
}

func closeEnough(got, want float64, tl tol) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	d := math.Abs(got - want)
	return d <= tl.abs || d <= tl.rel*math.Abs(want)
}

func TestReferenceVectors(t *testing.T) {
	vf := loadVectors(t)
	passed := 0
	for _, c := range vf.Cases {
		ok := t.Run(c.Name, func(t *testing.T) {
			checkCase(t, c, runCase(t, c))
		})
		if ok {
			passed++
		}
	}
	t.Logf("reference vectors: %d/%d cases passed", passed, len(vf.Cases))
}

func checkCase(t *testing.T, c vectorCase, r Result) {
	t.Helper()
	e := c.Expected
	if e.Trend != nil && string(r.Trend) != *e.Trend {
		t.Errorf("trend = %q; want %q", r.Trend, *e.Trend)
	}
	if e.H != nil && r.H != *e.H {
		t.Errorf("h = %v; want %v", r.H, *e.H)
	}
	if e.S != nil && r.S != float64(*e.S) {
		t.Errorf("s = %v; want %v", r.S, float64(*e.S))
	}
	nums := []struct {
		key  string
		got  float64
		want *jsonNum
	}{
		{"var_s", r.VarS, e.VarS}, {"z", r.Z, e.Z}, {"p", r.P, e.P}, {"Tau", r.Tau, e.Tau},
		{"slope", r.Slope, e.Slope}, {"intercept", r.Intercept, e.Intercept},
	}
	for _, n := range nums {
		if n.want == nil {
			continue
		}
		if !closeEnough(n.got, float64(*n.want), tolerances[n.key]) {
			t.Errorf("%s = %.17g; want %.17g", n.key, n.got, float64(*n.want))
		}
	}
	if c.N != 0 && r.N != 0 && r.N != c.N {
		t.Errorf("n = %d; want %d", r.N, c.N)
	}
	if c.NValid != 0 && r.NValid != 0 && r.NValid != c.NValid {
		t.Errorf("n_valid = %d; want %d", r.NValid, c.NValid)
	}
}
