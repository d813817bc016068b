// Package config loads and validates what greenmetrics is told from outside:
// the daemon configuration file and the indicator catalogue (指标目录).
//
// Decoding is strict — unknown keys, duplicate codes and bad units are
// errors that name the file and line — and defaults are values, so a zero
// configuration is a working one. This package reads no flags; the command
// line is cmd's business, environment variables are applied by ApplyEnv.
package config
