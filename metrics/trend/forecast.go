package trend

import (
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Aggregate says how the slots of a calendar year combine into the figure
// a target is set on.
type Aggregate int

const (
	// AtEnd takes the year's last slot: stocks (a loan balance) and
	// cumulative totals since inception.
	AtEnd Aggregate = iota
	// Sum adds the year's slots: flows, whose target is on the
	// year-to-date sum.
	Sum
	// Mean averages the year's slots: levels such as concentrations.
	Mean
)

// minSeasonalCycles is how many cycles a seasonal history needs before the
// seasonal Sen model is used; with fewer, seasons and trend cannot be
// told apart and a straight line is fitted instead.
const minSeasonalCycles = 3

// ErrHistory is returned for a history that cannot be projected.
var ErrHistory = errors.New("unusable history")

// History is a regular series: Values[i] is the slot that starts 12/Period
// months after slot i-1, slot 0 starting at Start. NaN marks a missing slot.
type History struct {
	Start  time.Time
	Period int // slots per year: 12 monthly, 4 quarterly, 1 annual; must divide 12
	Values []float64
}

// Goal is a target on one calendar year's figure.
type Goal struct {
	Year           int
	Target         float64
	HigherIsBetter bool
	Aggregate      Aggregate
}

// Projection is the expected figure of a goal's year with its uncertainty.
type Projection struct {
	// Projected is the expected figure: observed slots as they are, the
	// others from the fitted pace.
	Projected float64
	// SD is the standard deviation of the prediction distribution (noise
	// of the unobserved slots plus the uncertainty of the fitted pace).
	SD float64
	// Lower and Upper bound the figure at Level = 1-alpha (Student's t
	// with DF degrees of freedom).
	Lower, Upper, Level float64
	DF                  int
	// Probability is that of meeting the target (≥ when higher is
	// better, ≤ otherwise), from the normal approximation N(Projected, SD²).
	Probability float64
	// ReachDate is when, at the current pace, the figure reaches the
	// target: for Sum the day the year-to-date sum of the goal's year
	// reaches it (for a lower-is-better cap, the day the allowance runs
	// out); for AtEnd and Mean the day the deseasonalised trend line
	// crosses into meeting it, which is in the past if the line already
	// meets it. Zero when the pace never gets there.
	ReachDate time.Time
	// SlopePerYear is the fitted pace in units per year.
	SlopePerYear float64
	// Method is "seasonal-sen" (seasonal Sen slope with per-season levels)
	// or "ols" (straight line by least squares).
	Method string
}

// Meets reports whether value satisfies target; bounds count as met
// (以上/以下 include the bound).
func Meets(value, target float64, higherIsBetter bool) bool {
	if higherIsBetter {
		return value >= target
	}
	return value <= target
}

// pace is a fitted model of a history.
type pace struct {
	lm     *linearModel
	row    func(slot int) []float64
	level  func(t float64) float64 // deseasonalised value at fractional slot t
	perYr  float64
	method string
}

// Project projects h to the end of g.Year and measures the result against
// g.Target at level 1-alpha.
func Project(h History, g Goal, alpha float64) (Projection, error) {
	if err := checkAlpha(alpha); err != nil {
		return Projection{}, err
	}
	first, err := h.yearSlots(g.Year)
	if err != nil {
		return Projection{}, err
	}
	if err := checkSeries(h.Values, 3); err != nil {
		return Projection{}, fmt.Errorf("history: %w", err)
	}
	if math.IsNaN(g.Target) || math.IsInf(g.Target, 0) {
		return Projection{}, fmt.Errorf("target %v: %w", g.Target, ErrValue)
	}
	pc, err := fitPace(h)
	if err != nil {
		return Projection{}, err
	}
	pr := pc.aggregate(h, g, first)
	pr.DF, pr.Level = pc.lm.df, 1-alpha
	half := tQuantile(1-alpha/2, pc.lm.df) * pr.SD
	pr.Lower, pr.Upper = pr.Projected-half, pr.Projected+half
	pr.Probability = meetProbability(pr.Projected, pr.SD, g)
	pr.SlopePerYear, pr.Method = pc.perYr, pc.method
	if g.Aggregate == Sum {
		pr.ReachDate = pc.sumReach(h, g, first)
	} else {
		pr.ReachDate = pc.lineReach(h, g)
	}
	return pr, nil
}

// step is the slot length in months.
func (h History) step() int { return 12 / h.Period }

// yearSlots returns the index of the first slot of the calendar year,
// checking that slots tile the year.
func (h History) yearSlots(year int) (int, error) {
	if h.Period < 1 || 12%h.Period != 0 {
		return 0, fmt.Errorf("period %d does not divide 12: %w", h.Period, ErrHistory)
	}
	if (int(h.Start.Month())-1)%h.step() != 0 {
		return 0, fmt.Errorf("start %s is not the start of a slot of the calendar year: %w",
			h.Start.Format("2006-01"), ErrHistory)
	}
	months := (year-h.Start.Year())*12 - (int(h.Start.Month()) - 1)
	first := months / h.step()
	if months < 0 && months%h.step() != 0 {
		first--
	}
	if first+h.Period <= 0 {
		return 0, fmt.Errorf("target year %d ends before the history starts: %w", year, ErrHistory)
	}
	return first, nil
}

// slotTime is the start of fractional slot t.
func (h History) slotTime(t float64) time.Time {
	whole := math.Floor(t)
	start := h.Start.AddDate(0, int(whole)*h.step(), 0)
	next := h.Start.AddDate(0, (int(whole)+1)*h.step(), 0)
	return start.Add(time.Duration((t - whole) * float64(next.Sub(start))))
}

// fitPace chooses and fits the model: seasonal Sen when the history is
// seasonal and long enough, else a least-squares line.
func fitPace(h History) (*pace, error) {
	p := seriesPoints(h.Values)
	if h.Period > 1 && seasonalEnough(h) {
		return fitSeasonal(h, p)
	}
	return fitLine(p, h.Period)
}

// seasonalEnough requires minSeasonalCycles cycles with data and two
// values in every season.
func seasonalEnough(h History) bool {
	perSeason := make([]int, h.Period)
	cycles := map[int]bool{}
	for i, v := range h.Values {
		if !math.IsNaN(v) {
			perSeason[i%h.Period]++
			cycles[i/h.Period] = true
		}
	}
	for _, c := range perSeason {
		if c < 2 {
			return false
		}
	}
	return len(cycles) >= minSeasonalCycles
}

func fitLine(p points, period int) (*pace, error) {
	n := len(p.x)
	meanT := npSum(p.t) / float64(n)
	design := mat.NewDense(n, 2, nil)
	for i, t := range p.t {
		design.Set(i, 0, 1)
		design.Set(i, 1, t-meanT)
	}
	lm, err := newLinearModel(design, p.x)
	if err != nil {
		return nil, fmt.Errorf("pace: %w", err)
	}
	if err := lm.fitOLS(); err != nil {
		return nil, err
	}
	return &pace{
		lm:     lm,
		row:    func(slot int) []float64 { return []float64{1, float64(slot) - meanT} },
		level:  func(t float64) float64 { return lm.theta[0] + lm.theta[1]*(t-meanT) },
		perYr:  lm.theta[1] * float64(period),
		method: "ols",
	}, nil
}

// fitSeasonal fits x = a_season + β·cycle with β the seasonal Sen slope
// and a_season the median of x - β·cycle within the season. Its
// uncertainty is approximated by the least-squares covariance of the same
// design with the residuals of the robust fit.
func fitSeasonal(h History, p points) (*pace, error) {
	period := h.Period
	groups := matrixPoints(pad(h.Values, period), period)
	beta := newSlopeSet(groups).median()
	theta := make([]float64, period+1)
	var levels float64
	for s, g := range groups {
		adj := make([]float64, len(g.x))
		for i, v := range g.x {
			adj[i] = v - beta*g.t[i]
		}
		theta[s] = median(adj)
		levels += theta[s]
	}
	theta[period] = beta
	row := func(slot int) []float64 {
		r := make([]float64, period+1)
		r[((slot%period)+period)%period] = 1
		r[period] = float64(floorDiv(slot, period))
		return r
	}
	design := mat.NewDense(len(p.t), period+1, nil)
	for i, t := range p.t {
		design.SetRow(i, row(int(t)))
	}
	lm, err := newLinearModel(design, p.x)
	if err != nil {
		return nil, fmt.Errorf("seasonal pace: %w", err)
	}
	lm.setTheta(theta)
	mid := float64(period-1) / 2
	meanLevel := levels / float64(period)
	return &pace{
		lm:     lm,
		row:    row,
		level:  func(t float64) float64 { return meanLevel + beta*(t-mid)/float64(period) },
		perYr:  beta,
		method: "seasonal-sen",
	}, nil
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// weights returns the weight of each slot of the year in its figure.
func weights(agg Aggregate, period int) []float64 {
	w := make([]float64, period)
	switch agg {
	case Sum:
		for i := range w {
			w[i] = 1
		}
	case Mean:
		for i := range w {
			w[i] = 1 / float64(period)
		}
	default:
		w[period-1] = 1
	}
	return w
}

// value returns slot's observation, or its prediction and false.
func (pc *pace) value(h History, slot int) (float64, bool) {
	if slot >= 0 && slot < len(h.Values) && !math.IsNaN(h.Values[slot]) {
		return h.Values[slot], true
	}
	return pc.lm.predict(pc.row(slot)), false
}

// aggregate forms the year's figure as a weighted sum of slots; its
// variance is the noise of the predicted slots plus gᵀ Cov(θ) g, g the
// weighted sum of their design rows.
func (pc *pace) aggregate(h History, g Goal, first int) Projection {
	w := weights(g.Aggregate, h.Period)
	var figure, noise float64
	gsum := make([]float64, len(pc.lm.theta))
	for i, wi := range w {
		if wi == 0 {
			continue
		}
		v, observed := pc.value(h, first+i)
		figure += wi * v
		if observed {
			continue
		}
		noise += wi * wi
		for j, c := range pc.row(first + i) {
			gsum[j] += wi * c
		}
	}
	variance := pc.lm.s2 * noise
	if noise > 0 {
		variance += pc.lm.s2 * pc.lm.leverage(gsum)
	}
	return Projection{Projected: figure, SD: math.Sqrt(variance)}
}

// meetProbability is P(figure meets target) under N(mean, sd²).
func meetProbability(mean, sd float64, g Goal) float64 {
	if sd == 0 || math.IsNaN(sd) {
		if Meets(mean, g.Target, g.HigherIsBetter) {
			return 1
		}
		return 0
	}
	z := (g.Target - mean) / sd
	if g.HigherIsBetter {
		return distuv.UnitNormal.Survival(z)
	}
	return distuv.UnitNormal.CDF(z)
}

// sumReach walks the year's slots, observed or predicted, and interpolates
// within the slot where the running sum reaches the target.
func (pc *pace) sumReach(h History, g Goal, first int) time.Time {
	var cum float64
	if g.Target <= 0 {
		return h.slotTime(float64(first))
	}
	for i := range h.Period {
		v, _ := pc.value(h, first+i)
		if v > 0 && cum+v >= g.Target {
			return h.slotTime(float64(first+i) + (g.Target-cum)/v)
		}
		cum += v
	}
	return time.Time{}
}

// lineReach finds where the deseasonalised trend line crosses the target
// into meeting it; that may lie in the past. A line that moves away from
// the target, or is flat, never gets there.
func (pc *pace) lineReach(h History, g Goal) time.Time {
	a := pc.level(0)
	b := pc.level(1) - a
	if !(g.HigherIsBetter && b > 0) && !(!g.HigherIsBetter && b < 0) {
		return time.Time{}
	}
	t := (g.Target - a) / b
	if math.Abs(t) > float64(len(h.Values))+1e6 {
		return time.Time{}
	}
	return h.slotTime(t)
}
