package water

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// ErrTooFewSamples is returned when a period has fewer samples than
// 环办〔2011〕22号 requires for it (see Period.MinSamples).
var ErrTooFewSamples = errors.New("too few samples")

// A Sample is one reading of a section: the values of the items measured at
// one time, keyed by item code (aliases accepted). An item that was not
// measured is absent; it is skipped, never taken as zero.
type Sample struct {
	Section string
	Time    time.Time
	Values  map[string]float64
	// NonDetects are the items measured below their detection limit
	// (written "0.01L" or "<0.01" in monitoring reports), keyed like Values,
	// with the detection limit as the value. An item is in Values or in
	// NonDetects, not both.
	NonDetects map[string]float64
}

// reading is what an item contributes to a classification: a measured
// value, or a non-detect, whose value is half its detection limit (the
// statistics convention for non-detects).
type reading struct {
	value float64
	nd    bool    // every sample behind it was below the detection limit
	dl    float64 // the detection limit of a non-detect (the largest)
}

// A SectionConfig says how a section is evaluated.
type SectionConfig struct {
	Name      string
	WaterBody WaterBody
	// TargetClass is the section's assessment target (考核目标), Ⅰ–Ⅴ, or
	// ClassUnknown when it has none.
	TargetClass Class
	// Items are the evaluated items. Empty means DefaultItems, the 21 items
	// of 22号; national sections use NationalItems ("5+X").
	Items []string
}

// Validate checks the water body, the target class and the items.
func (c SectionConfig) Validate() error {
	_, err := c.evaluated()
	return err
}

// evaluated validates c and returns the set of its evaluated item codes.
func (c SectionConfig) evaluated() (map[string]bool, error) {
	if !c.WaterBody.Valid() {
		return nil, c.wrap(fmt.Errorf("%w: %d", ErrInvalidWaterBody, c.WaterBody))
	}
	if c.TargetClass != ClassUnknown && (!c.TargetClass.Valid() || c.TargetClass == ClassWorseThanV) {
		return nil, c.wrap(fmt.Errorf("target %s: a target must be Ⅰ–Ⅴ: %w", c.TargetClass, ErrInvalidClass))
	}
	codes := c.Items
	if len(codes) == 0 {
		codes = DefaultItems()
	}
	codes, err := canonicalItems(codes)
	if err != nil {
		return nil, c.wrap(err)
	}
	set := make(map[string]bool, len(codes))
	for _, code := range codes {
		set[code] = true
	}
	return set, nil
}

// wrap names the section in err, when the configuration has a name.
func (c SectionConfig) wrap(err error) error {
	if c.Name == "" {
		return err
	}
	return fmt.Errorf("section %q: %w", c.Name, err)
}

// An ItemResult is the evaluation of one item.
type ItemResult struct {
	Code  string
	Value float64 // the value classified: the sample's, or the period mean
	Class Class
	// Exceedance is the 超标倍数 (C − C_Ⅲ)/C_Ⅲ when the value exceeds the
	// class Ⅲ limit, else 0. It is always 0 for pH and dissolved oxygen.
	Exceedance float64
	// NonDetect: the item was below its detection limit (in every sample
	// of the period); Value is then half the limit of detection.
	NonDetect      bool
	DetectionLimit float64 // of a non-detect; over a period the largest
	// AtWorst is, for a non-detect that could not be judged, the worst
	// class its true value can have: the best class whose limit the
	// detection limit meets (石油类 "<0.06" is at worst Ⅳ, limit 0.5), 劣Ⅴ
	// when it meets none. ClassUnknown for every other result.
	AtWorst Class
}

// A Result is the evaluation of a section for one sample or one period.
type Result struct {
	Section   string
	WaterBody WaterBody
	Target    Class  // the section's target, ClassUnknown if none
	Period    Period // zero for a single sample
	Samples   int    // samples behind the values
	// Class is the worst class of the evaluated items (单因子评价法), or
	// ClassUnknown when no evaluated item was measured.
	Class Class
	// Items are the evaluated items that had a value, in Table 1 order.
	Items []ItemResult
	// Reported are items classified but kept out of Class: total nitrogen
	// of a lake or reservoir, and faecal coliform.
	Reported []ItemResult
	// NotJudged are non-detects whose detection limit is above the item's
	// class Ⅰ limit: the true value may be anywhere below the limit of
	// detection, so the item says nothing about the class (Class ClassUnknown).
	NotJudged []ItemResult
	// Unevaluated are items measured in the samples that the section's
	// configured items leave out (COD at a "5+X" national section),
	// classified on their own, never in Class: Notes says so, and whether
	// they would change the class.
	Unevaluated []ItemResult
}

// Evaluate classifies one sample: each evaluated item that has a value, then
// the section as its worst item.
func (c SectionConfig) Evaluate(s Sample) (Result, error) {
	set, err := c.evaluated()
	if err != nil {
		return Result{}, err
	}
	readings, err := canonicalReadings(s)
	if err != nil {
		return Result{}, fmt.Errorf("section %q: %w", s.Section, err)
	}
	r, err := c.classify(set, readings)
	if err != nil {
		return Result{}, err
	}
	if r.Section == "" {
		r.Section = s.Section
	}
	r.Samples = 1
	return r, nil
}

// EvaluatePeriod classifies the section over a period. It takes the samples
// of the section (Sample.Section equal to c.Name) whose time falls in the
// period, averages each item over the samples that measured it, and
// classifies the means; classes are never averaged. Means are exact
// decimal means of the values as given, so samples all at a limit have their
// mean at that limit.
func (c SectionConfig) EvaluatePeriod(p Period, samples []Sample) (Result, error) {
	set, err := c.evaluated()
	if err != nil {
		return Result{}, err
	}
	if !p.Kind.Valid() {
		return Result{}, fmt.Errorf("section %q: %w: %d", c.Name, errInvalidPeriod, p.Kind)
	}
	var in []Sample
	for _, s := range samples {
		if s.Section == c.Name && p.Contains(s.Time) {
			in = append(in, s)
		}
	}
	if len(in) < p.MinSamples() {
		return Result{}, fmt.Errorf("section %q, %s: %d samples, need %d: %w", c.Name, p, len(in), p.MinSamples(), ErrTooFewSamples)
	}
	r, err := c.evaluateMeans(set, in)
	if err != nil {
		return Result{}, err
	}
	r.Period = p
	return r, nil
}

// EvaluateSamples classifies the section on the mean of each item over
// samples, whatever their span and number: for spans that are not a
// period of 22号, such as a year to date. Means are formed as in
// EvaluatePeriod (exact decimal means, non-detects at half their limit).
func (c SectionConfig) EvaluateSamples(samples []Sample) (Result, error) {
	set, err := c.evaluated()
	if err != nil {
		return Result{}, err
	}
	return c.evaluateMeans(set, samples)
}

func (c SectionConfig) evaluateMeans(set map[string]bool, samples []Sample) (Result, error) {
	byItem := make(map[string][]reading)
	for _, s := range samples {
		readings, err := canonicalReadings(s)
		if err != nil {
			return Result{}, fmt.Errorf("section %q, sample at %s: %w", c.Name, s.Time.Format(time.RFC3339), err)
		}
		for code, rd := range readings {
			byItem[code] = append(byItem[code], rd)
		}
	}
	means := make(map[string]reading, len(byItem))
	for code, rds := range byItem {
		means[code] = meanReading(rds)
	}
	r, err := c.classify(set, means)
	if err != nil {
		return Result{}, err
	}
	r.Samples = len(samples)
	return r, nil
}

// classify evaluates canonical readings: items in set decide the class,
// separately reported items are classified on their own, and the rest (water
// temperature, items the section does not evaluate) are ignored.
func (c SectionConfig) classify(set map[string]bool, readings map[string]reading) (Result, error) {
	r := Result{Section: c.Name, WaterBody: c.WaterBody, Target: c.TargetClass}
	for _, it := range catalogue {
		rd, ok := readings[it.Code]
		if !ok {
			continue
		}
		v := rd.value
		if _, hasLimits := it.Limits(c.WaterBody); !hasLimits && it.bound != boundRange {
			// Total nitrogen in a river, water temperature: Table 1 has
			// nothing to compare with.
			continue
		}
		if !set[it.Code] && !it.ReportedSeparately() {
			// Measured but not in the section's evaluation set: kept out
			// of the class, but not dropped without a word.
			ir, err := it.classifyReading(rd, v, c.WaterBody)
			if err != nil {
				return Result{}, fmt.Errorf("section %q: %w", c.Name, err)
			}
			r.Unevaluated = append(r.Unevaluated, ir)
			continue
		}
		if rd.nd {
			ir, judged := it.classifyNonDetect(rd, c.WaterBody)
			switch {
			case !judged:
				r.NotJudged = append(r.NotJudged, ir)
				continue
			case !set[it.Code]:
				r.Reported = append(r.Reported, ir)
				continue
			}
			r.Items = append(r.Items, ir)
			r.Class = max(r.Class, ir.Class)
			continue
		}
		class, err := it.Classify(v, c.WaterBody)
		if err != nil {
			return Result{}, fmt.Errorf("section %q: %w", c.Name, err)
		}
		ir := ItemResult{Code: it.Code, Value: v, Class: class, Exceedance: it.Exceedance(v, c.WaterBody)}
		if !set[it.Code] {
			r.Reported = append(r.Reported, ir)
			continue
		}
		r.Items = append(r.Items, ir)
		r.Class = max(r.Class, class)
	}
	return r, nil
}

// canonicalReadings resolves the item codes of a sample, rejecting unknown
// codes, an item given twice (under two spellings, or as both a value and
// a non-detect), impossible values and detection limits.
func canonicalReadings(s Sample) (map[string]reading, error) {
	out := make(map[string]reading, len(s.Values)+len(s.NonDetects))
	given := make(map[string]string, len(s.Values)+len(s.NonDetects))
	add := func(code string, v float64, nd bool) error {
		it, err := Lookup(code)
		if err != nil {
			return err
		}
		if prev, dup := given[it.Code]; dup {
			return fmt.Errorf("item %q given as both %q and %q", it.Code, prev, code)
		}
		if err := it.check(v); err != nil {
			return err
		}
		given[it.Code] = code
		if !nd {
			out[it.Code] = reading{value: v}
			return nil
		}
		if !it.CanBeNonDetect() || v <= 0 {
			return fmt.Errorf("%s below a detection limit of %v: %w", it.Code, v, ErrInvalidNonDetect)
		}
		out[it.Code] = reading{value: v / 2, nd: true, dl: v}
		return nil
	}
	for code, v := range s.Values {
		if err := add(code, v, false); err != nil {
			return nil, err
		}
	}
	for code, dl := range s.NonDetects {
		if err := add(code, dl, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// meanReading is an item's reading over a period: the mean of its samples,
// a non-detect counting as half its detection limit. Only when every sample
// was a non-detect is the result one, with the largest detection limit.
func meanReading(rds []reading) reading {
	values := make([]float64, len(rds))
	all := true
	dl := 0.0
	for i, rd := range rds {
		values[i] = rd.value
		if rd.nd {
			dl = max(dl, rd.dl)
		} else {
			all = false
		}
	}
	if all {
		return reading{value: mean(values), nd: true, dl: dl}
	}
	return reading{value: mean(values)}
}

// mean returns the arithmetic mean of values, computed exactly on their
// shortest decimal forms and rounded once. A float64 running sum would turn
// three monthly samples of TP 0.1 into 0.10000000000000002, class Ⅲ instead
// of Ⅱ, although every sample is at the Ⅱ limit.
func mean(values []float64) float64 {
	var sum, x big.Rat
	for _, v := range values {
		// The shortest form of a finite float always parses.
		x.SetString(strconv.FormatFloat(v, 'g', -1, 64))
		sum.Add(&sum, &x)
	}
	sum.Quo(&sum, x.SetInt64(int64(len(values))))
	f, _ := sum.Float64()
	return f
}

// MeetsTarget reports whether the section attains its target class (达标).
// It is false when the section has no target or no class.
func (r Result) MeetsTarget() bool { return r.Class.Meets(r.Target) }

// Limiting returns the codes of the items that determine the class: those
// at the section's class, in Table 1 order. For a class Ⅰ section every item
// is at Ⅰ, so every evaluated item is listed.
func (r Result) Limiting() []string {
	var codes []string
	for _, ir := range r.Items {
		if r.Class.Valid() && ir.Class == r.Class {
			codes = append(codes, ir.Code)
		}
	}
	return codes
}

// MainPollutants returns the main pollutants (主要污染指标) of a section worse
// than Ⅲ: up to 3 items worse than Ⅲ, the worst class first, ties broken by
// the larger 超标倍数. pH and dissolved oxygen have no 超标倍数, so within a
// class they follow the items that have one; remaining ties keep Table 1
// order. It returns nil for a section at Ⅲ or better.
func (r Result) MainPollutants() []ItemResult {
	if r.Class <= ClassIII {
		return nil
	}
	var worse []ItemResult
	for _, ir := range r.Items {
		if ir.Class > ClassIII {
			worse = append(worse, ir)
		}
	}
	slices.SortStableFunc(worse, func(a, b ItemResult) int {
		if c := cmp.Compare(b.Class, a.Class); c != 0 {
			return c
		}
		if c := cmp.Compare(hasExceedance(b.Code), hasExceedance(a.Code)); c != 0 {
			return c
		}
		return cmp.Compare(b.Exceedance, a.Exceedance)
	})
	return worse[:min(3, len(worse))]
}

// classifyNonDetect judges an item below its detection limit: class Ⅰ when
// the detection limit meets the class Ⅰ limit (the true value is lower
// still), else not judged (domain.md: a detection limit above the limit
// being tested cannot be judged), with AtWorst the worst class the value
// can have.
func (it Item) classifyNonDetect(rd reading, body WaterBody) (ItemResult, bool) {
	ir := ItemResult{Code: it.Code, Value: rd.value, NonDetect: true, DetectionLimit: rd.dl}
	lim, ok := it.Limits(body)
	if !ok {
		return ir, false
	}
	if rd.dl > lim[0] {
		ir.AtWorst = ClassWorseThanV
		for k, l := range lim {
			if rd.dl <= l {
				ir.AtWorst = Class(k + 1)
				break
			}
		}
		return ir, false
	}
	ir.Class = ClassI
	return ir, true
}

// classifyReading classifies a reading on its own: a value by the limits,
// a non-detect as classifyNonDetect does (Class ClassUnknown when it
// cannot be judged).
func (it Item) classifyReading(rd reading, v float64, body WaterBody) (ItemResult, error) {
	if rd.nd {
		ir, _ := it.classifyNonDetect(rd, body)
		return ir, nil
	}
	class, err := it.Classify(v, body)
	if err != nil {
		return ItemResult{}, err
	}
	return ItemResult{Code: it.Code, Value: v, Class: class, Exceedance: it.Exceedance(v, body)}, nil
}

// hasExceedance is 1 for items that have a 超标倍数 and 0 for the others, so
// that it sorts.
func hasExceedance(code string) int {
	if it, err := Lookup(code); err == nil && it.HasExceedance() {
		return 1
	}
	return 0
}
