package trend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// ErrMethod is returned for an unknown method name.
var ErrMethod = errors.New("unknown trend method")

// Methods lists the method names Analyze accepts, in the order the
// documentation presents them.
var Methods = []string{
	"original", "hamed-rao", "yue-wang", "pre-whitening", "trend-free-pre-whitening",
	"seasonal", "correlated-seasonal", "regional", "sens-slope", "seasonal-sens-slope",
	"pettitt", "spearman", "ols",
}

// Options select a method and its parameters.
type Options struct {
	Method string
	Alpha  float64 // significance level, e.g. 0.05
	Period int     // slots per cycle for the seasonal methods, e.g. 12
	Lag    int     // lags for hamed-rao and yue-wang; ≤ 0 means all
}

// Number is a float64 that renders NaN and infinities as the strings "NaN",
// "Inf" and "-Inf", which JSON has no numbers for.
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(f)
}

// Report is the outcome of one method on one input, shaped for JSON: the
// fields every method has (NaN where a method has no such quantity), then
// the extras of the method.
type Report struct {
	Method    string    `json:"method"`
	Trend     Direction `json:"trend"`
	H         bool      `json:"h"`
	P         Number    `json:"p"`
	Z         Number    `json:"z"`
	Tau       Number    `json:"tau"`
	S         Number    `json:"s"`
	VarS      Number    `json:"var_s"`
	Slope     Number    `json:"slope"`
	Intercept Number    `json:"intercept"`
	N         int       `json:"n"`
	NValid    int       `json:"n_valid"`
	Alpha     Number    `json:"alpha"`
	Period    int       `json:"period,omitempty"`

	// Variance-corrected tests (hamed-rao, yue-wang).
	Applicable  *bool      `json:"applicable,omitempty"`
	Correction  *Number    `json:"correction,omitempty"`
	MannKendall *PlainTest `json:"mann_kendall,omitempty"`
	Note        string     `json:"note,omitempty"`
	SlopeLower  *Number    `json:"slope_lower,omitempty"`
	SlopeUpper  *Number    `json:"slope_upper,omitempty"`
	ChangePoint any        `json:"change_point,omitempty"`

	ChangePointIndex *int    `json:"change_point_index,omitempty"`
	U                *Number `json:"u,omitempty"`
	K                *Number `json:"k,omitempty"`
	MeanBefore       *Number `json:"mean_before,omitempty"`
	MeanAfter        *Number `json:"mean_after,omitempty"`

	Rs         *Number `json:"r_s,omitempty"`
	T          *Number `json:"t,omitempty"`
	RsCritical *Number `json:"r_s_critical,omitempty"`
	// The 22号 verdict from the W_p table (spearman): |r_s| rounded to 3
	// decimals against w_p; absent below N = 5.
	RsRounded *Number   `json:"r_s_rounded,omitempty"`
	Wp        *Number   `json:"w_p,omitempty"`
	WpSource  string    `json:"w_p_source,omitempty"`
	H22       *bool     `json:"h_22,omitempty"`
	Trend22   Direction `json:"trend_22,omitempty"`

	R2              *Number `json:"r2,omitempty"`
	StdErr          *Number `json:"std_err,omitempty"`
	InterceptStdErr *Number `json:"intercept_std_err,omitempty"`
	ResidualStdErr  *Number `json:"residual_std_err,omitempty"`
	DF              *int    `json:"df,omitempty"`
	PredictionSlot  *int    `json:"prediction_slot,omitempty"`
	Prediction      *Number `json:"prediction,omitempty"`
	PredictionLower *Number `json:"prediction_lower,omitempty"`
	PredictionUpper *Number `json:"prediction_upper,omitempty"`
}

// PlainTest is the uncorrected Mann-Kendall verdict reported beside a
// corrected test that does not apply.
type PlainTest struct {
	Trend Direction `json:"trend"`
	H     bool      `json:"h"`
	P     Number    `json:"p"`
	Z     Number    `json:"z"`
	VarS  Number    `json:"var_s"`
}

// WriteJSON writes the report as one JSON object and a newline.
func (r Report) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func num(f float64) *Number {
	n := Number(f)
	return &n
}

func ptr[T any](v T) *T { return &v }

var nan = Number(math.NaN())

// Analyze runs o.Method on s.
func Analyze(s Series, o Options) (Report, error) {
	if err := checkAlpha(o.Alpha); err != nil {
		return Report{}, err
	}
	run, ok := analyzers[o.Method]
	if !ok {
		return Report{}, fmt.Errorf("%q: %w (one of %s)", o.Method, ErrMethod, strings.Join(Methods, ", "))
	}
	x := s.Values
	if o.Method != "regional" && s.Rows != nil {
		return Report{}, fmt.Errorf("method %s takes one series, not rows of sites: %w", o.Method, ErrInput)
	}
	rep, err := run(x, s, o)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", o.Method, err)
	}
	rep.Method, rep.Alpha = o.Method, Number(o.Alpha)
	return rep, nil
}

type analyzer func(x []float64, s Series, o Options) (Report, error)

var analyzers = map[string]analyzer{
	"original": func(x []float64, _ Series, o Options) (Report, error) {
		return mkReport(Original(x, o.Alpha))
	},
	"hamed-rao": func(x []float64, _ Series, o Options) (Report, error) {
		return correctedReport(HamedRao(x, o.Alpha, o.Lag))
	},
	"yue-wang": func(x []float64, _ Series, o Options) (Report, error) {
		return correctedReport(YueWang(x, o.Alpha, o.Lag))
	},
	"pre-whitening": func(x []float64, _ Series, o Options) (Report, error) {
		return mkReport(PreWhitening(x, o.Alpha))
	},
	"trend-free-pre-whitening": func(x []float64, _ Series, o Options) (Report, error) {
		return mkReport(TrendFreePreWhitening(x, o.Alpha))
	},
	"seasonal": func(x []float64, _ Series, o Options) (Report, error) {
		rep, err := mkReport(Seasonal(x, o.Period, o.Alpha))
		rep.Period = o.Period
		return rep, err
	},
	"correlated-seasonal": func(x []float64, _ Series, o Options) (Report, error) {
		rep, err := mkReport(CorrelatedSeasonal(x, o.Period, o.Alpha))
		rep.Period = o.Period
		return rep, err
	},
	"regional": func(x []float64, s Series, o Options) (Report, error) {
		rows := s.Rows
		if rows == nil {
			rows = columnOf(x)
		}
		return mkReport(Regional(rows, o.Alpha))
	},
	"sens-slope":          sensReport,
	"seasonal-sens-slope": seasonalSensReport,
	"pettitt":             pettittReport,
	"spearman":            spearmanReport,
	"ols":                 olsReport,
}

// columnOf turns one series into a single-site matrix.
func columnOf(x []float64) [][]float64 {
	rows := make([][]float64, len(x))
	for i, v := range x {
		rows[i] = []float64{v}
	}
	return rows
}

// mkReport renders a Mann-Kendall-type result.
func mkReport(r Result, err error) (Report, error) {
	if err != nil {
		return Report{}, err
	}
	return Report{
		Trend: r.Trend, H: r.H, P: Number(r.P), Z: Number(r.Z), Tau: Number(r.Tau),
		S: Number(r.S), VarS: Number(r.VarS), Slope: Number(r.Slope), Intercept: Number(r.Intercept),
		N: r.N, NValid: r.NValid,
	}, nil
}

// correctedReport adds the correction factor and, when the correction
// does not apply, the plain test.
func correctedReport(r Result, err error) (Report, error) {
	rep, err := mkReport(r, err)
	if err != nil {
		return Report{}, err
	}
	rep.Applicable = ptr(r.Applicable)
	rep.Correction = num(r.Correction)
	if u := r.Uncorrected; u != nil {
		rep.MannKendall = &PlainTest{Trend: u.Trend, H: u.H, P: Number(u.P), Z: Number(u.Z), VarS: Number(u.VarS)}
		rep.Note = "variance correction factor is not positive: the corrected test does not apply; " +
			"mann_kendall holds the uncorrected test"
	}
	return rep, nil
}

func sensReport(x []float64, _ Series, o Options) (Report, error) {
	mk, err := mannKendall(x, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	sen, err := Sens(x, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	mk.Slope, mk.Intercept = sen.Slope, sen.Intercept
	rep, _ := mkReport(mk, nil)
	rep.SlopeLower, rep.SlopeUpper = num(sen.Lower), num(sen.Upper)
	return rep, nil
}

func seasonalSensReport(x []float64, _ Series, o Options) (Report, error) {
	r, err := Seasonal(x, o.Period, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	sen, err := SeasonalSens(x, o.Period, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	rep, _ := mkReport(r, nil)
	rep.Period = o.Period
	rep.SlopeLower, rep.SlopeUpper = num(sen.Lower), num(sen.Upper)
	return rep, nil
}

// blank is a report whose Mann-Kendall fields do not apply.
func blank(n, nValid int) Report {
	return Report{P: nan, Z: nan, Tau: nan, S: nan, VarS: nan, Slope: nan, Intercept: nan, N: n, NValid: nValid}
}

func pettittReport(x []float64, s Series, o Options) (Report, error) {
	cp, err := Pettitt(x, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	rep := blank(cp.N, cp.NValid)
	rep.Trend, rep.H, rep.P = cp.Trend, cp.H, Number(cp.P)
	rep.ChangePointIndex = ptr(cp.Index)
	rep.ChangePoint = cp.Index
	if cp.Index < len(s.Times) {
		rep.ChangePoint = s.Times[cp.Index]
	}
	rep.U, rep.K = num(cp.U), num(cp.K)
	rep.MeanBefore, rep.MeanAfter = num(cp.MeanBefore), num(cp.MeanAfter)
	return rep, nil
}

func spearmanReport(x []float64, _ Series, o Options) (Report, error) {
	rc, err := Spearman(x, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	rep := blank(rc.N, rc.NValid)
	rep.Trend, rep.H, rep.P = rc.Trend, rc.H, Number(rc.P)
	rep.Rs, rep.T, rep.RsCritical = num(rc.Rs), num(rc.T), num(rc.Critical)
	if v := rc.Verdict22; v.Known {
		h := v.Significant
		rep.RsRounded, rep.Wp, rep.WpSource, rep.H22, rep.Trend22 = num(v.RsRounded), num(v.Wp), v.Source, &h, v.Trend
	}
	return rep, nil
}

// olsReport adds the prediction interval for the slot after the last.
func olsReport(x []float64, _ Series, o Options) (Report, error) {
	f, err := OLS(x, o.Alpha)
	if err != nil {
		return Report{}, err
	}
	rep := blank(f.N, f.NValid)
	rep.Trend, rep.H, rep.P = f.Trend, f.H, Number(f.P)
	rep.Slope, rep.Intercept = Number(f.Slope), Number(f.Intercept)
	rep.R2, rep.StdErr, rep.InterceptStdErr = num(f.R2), num(f.SlopeSE), num(f.InterceptSE)
	rep.ResidualStdErr, rep.T, rep.DF = num(f.ResidualSE), num(f.T), ptr(f.DF)
	next := len(x)
	y, lo, hi := f.Predict(float64(next), o.Alpha)
	rep.PredictionSlot = ptr(next)
	rep.Prediction, rep.PredictionLower, rep.PredictionUpper = num(y), num(lo), num(hi)
	return rep, nil
}
