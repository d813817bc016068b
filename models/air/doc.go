// Package air assesses ambient air quality the way the municipality ranks
// districts (docs/air.md): hourly station concentrations become HJ 663-2013
// daily values with their validity, HJ 633-2012 individual and daily air
// quality indices (IAQI, AQI) with levels and primary pollutants, and annual
// statistics (means, the CO 95th and O₃ 8-hour 90th percentiles, 优良天数比例,
// 重污染天数, the GB 3095-2012 class Ⅱ verdict) for a station or a region of
// stations.
//
// It holds rules only: no I/O, and it imports nothing of greenmetrics, so the
// CLI and the analysis engine compute the same numbers.
package air
