// Package trend implements the monotonic-trend statistics the bureau reports
// on: the Mann-Kendall family (original, Hamed-Rao, Yue-Wang, pre-whitening,
// trend-free pre-whitening, seasonal, correlated seasonal and regional),
// Sen's slope with its confidence interval, Pettitt's change point, the
// Spearman rank-correlation test prescribed by 环办〔2011〕22号, ordinary
// least squares, and projections of a series against a target.
//
// Results reproduce pyMannKendall (v1.4.3-4-gec2e3ab) to floating-point
// tolerance so that published numbers can be checked against the reference
// implementation, with two deliberate differences: the Hamed-Rao correction
// uses the signed autocorrelation sum of the 1998 paper (and says so when the
// corrected variance is not positive), and alpha is honoured by every test.
//
// Missing observations are NaN. They are skipped by the tests but keep their
// time slot, so slopes are per original time step.
//
// Kendall's S is computed in O(n log n) by counting inversions (Knight 1966)
// and Sen's slope by randomised slope selection (Matoušek 1991; Dillencourt,
// Mount and Netanyahu 1992) in O(n log n) expected time and O(n) memory, so
// hourly or daily series of millions of values are practical.
package trend
