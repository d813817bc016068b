package config

import (
	"errors"
	"fmt"
	"time"
)

// Ingest configures the ingestion pipeline: the spool that makes accepted
// data durable, the drop folder, and the limits of the push API.
type Ingest struct {
	// SpoolDir holds accepted observations until InfluxDB has them;
	// default DataDir/spool.
	SpoolDir string `yaml:"spool_dir"`
	// SpoolMaxBytes bounds the spool; when full, pushes get 503 with
	// Retry-After and the drop folder waits.
	SpoolMaxBytes int64 `yaml:"spool_max_bytes"`
	// BatchSize is the number of points per write to InfluxDB.
	BatchSize int `yaml:"batch_size"`
	// DropDir is the watched folder; empty disables it. Processed files
	// move to DropDir/done, rejected rows to DropDir/rejected.
	DropDir string `yaml:"drop_dir"`
	// TokensFile lists accepted bearer tokens, one per line (several allow
	// rotation). TokensEnv names a variable with comma-separated tokens.
	// With neither, the push API is open — only sensible on loopback.
	TokensFile string `yaml:"tokens_file"`
	TokensEnv  string `yaml:"tokens_env"`
	// MaxBodyBytes and MaxRows bound one push request.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	MaxRows      int   `yaml:"max_rows"`
	// TLSCert and TLSKey enable HTTPS when both are set.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// MaxFuture is how far past now an observation may be stamped.
	MaxFuture time.Duration `yaml:"max_future"`
	// RetryMin and RetryMax bound the exponential backoff of delivery.
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
	// ShutdownGrace is how long SIGTERM waits for delivery before leaving
	// the rest in the spool.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

func defaultIngest() Ingest {
	return Ingest{
		SpoolMaxBytes: 1 << 30,
		BatchSize:     5000,
		TokensEnv:     "GREENMETRICS_INGEST_TOKENS",
		MaxBodyBytes:  64 << 20,
		MaxRows:       1_000_000,
		MaxFuture:     48 * time.Hour,
		RetryMin:      500 * time.Millisecond,
		RetryMax:      time.Minute,
		ShutdownGrace: 10 * time.Second,
	}
}

func (in Ingest) validate() error {
	switch {
	case in.SpoolMaxBytes <= 0:
		return fmt.Errorf("spool_max_bytes %d must be positive", in.SpoolMaxBytes)
	case in.BatchSize <= 0 || in.BatchSize > 100_000:
		return fmt.Errorf("batch_size %d must be in 1..100000", in.BatchSize)
	case in.MaxBodyBytes <= 0 || in.MaxRows <= 0:
		return errors.New("max_body_bytes and max_rows must be positive")
	case (in.TLSCert == "") != (in.TLSKey == ""):
		return errors.New("tls_cert and tls_key must be set together")
	case in.RetryMin <= 0 || in.RetryMax < in.RetryMin:
		return fmt.Errorf("retry_min %v and retry_max %v must satisfy 0 < min <= max", in.RetryMin, in.RetryMax)
	}
	return nil
}

// Mapping reads a file layout other than the canonical long CSV
// (time,indicator,entity,value,unit): which columns hold the time, the
// entity and the values, and which indicator each value column is.
type Mapping struct {
	// Name identifies the mapping in errors and in the source tag.
	Name string `yaml:"name"`
	// Match is a file-name glob (e.g. "cnemc_water_*.csv") selecting files
	// in the drop folder and for import.
	Match string `yaml:"match"`
	// Layout is "long" (one value per row) or "wide" (one column per indicator).
	Layout string `yaml:"layout"`
	// Sheet is the Excel sheet to read; empty: the first.
	Sheet string `yaml:"sheet"`
	// Source is the source tag of the observations; default: Name.
	Source string `yaml:"source"`
	// TimeColumn holds the time; TimeColumns joins several (year, month,
	// day, hour) into one; Timezone is the IANA zone of times without an
	// offset (default Asia/Shanghai).
	TimeColumn  string   `yaml:"time_column"`
	TimeColumns []string `yaml:"time_columns"`
	Timezone    string   `yaml:"timezone"`
	// EntityColumn(s) name the section or station; joined with "/".
	EntityColumn  string   `yaml:"entity_column"`
	EntityColumns []string `yaml:"entity_columns"`
	// Long layout: the columns of indicator code, value and unit.
	IndicatorColumn string `yaml:"indicator_column"`
	ValueColumn     string `yaml:"value_column"`
	UnitColumn      string `yaml:"unit_column"`
	// Indicators renames indicator codes of a long file to catalogue codes.
	Indicators map[string]string `yaml:"indicators"`
	// Columns maps wide-layout columns to indicators and their units.
	Columns map[string]ColumnMapping `yaml:"columns"`
	// StatusColumn and StatusAccept keep only rows whose status is accepted
	// (CNEMC: 正常); other rows are reported as rejected with the status.
	StatusColumn string   `yaml:"status_column"`
	StatusAccept []string `yaml:"status_accept"`
}

// ColumnMapping says which indicator a wide-layout column holds, in which unit.
type ColumnMapping struct {
	Indicator string `yaml:"indicator"`
	Unit      string `yaml:"unit"`
}

func (m Mapping) validate() error {
	if m.Name == "" {
		return errors.New("name is required")
	}
	switch m.Layout {
	case "long":
		if m.ValueColumn == "" || m.IndicatorColumn == "" {
			return fmt.Errorf("mapping %q: long layout needs indicator_column and value_column", m.Name)
		}
	case "wide":
		if len(m.Columns) == 0 {
			return fmt.Errorf("mapping %q: wide layout needs columns", m.Name)
		}
	default:
		return fmt.Errorf("mapping %q: layout %q is not long or wide", m.Name, m.Layout)
	}
	if m.TimeColumn == "" && len(m.TimeColumns) == 0 {
		return fmt.Errorf("mapping %q: time_column or time_columns is required", m.Name)
	}
	return nil
}
