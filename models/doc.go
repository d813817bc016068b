// Package models defines the vocabulary of greenmetrics: indicators of the
// district work report, their observations, baselines and targets, and the
// units and magnitudes (万, 亿, 万平方米, 个百分点 …) they are written in,
// and the one implementation of periods and period figures (Period,
// Series: 本期/上期/上年同期/年初/累计) that ingest, metrics and the report
// share.
//
// It holds domain rules only. It imports nothing but the standard library, so
// every other package can depend on it and it can depend on none of them.
package models
