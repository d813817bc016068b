package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/greenmetrics/greenmetrics/models"
)

// Ingest configures the ingestion pipeline: the spool that makes accepted
// data durable, the drop folder, and the limits of the push API.
type Ingest struct {
	// SpoolDir holds accepted observations until InfluxDB has them;
	// default DataDir/spool.
	SpoolDir string `yaml:"spool_dir"`
	// SpoolMaxBytes bounds the undelivered bytes of the spool; when full,
	// pushes get 503 with Retry-After, /readyz answers not ready and the
	// drop folder waits. A push whose own data is larger than this can
	// never fit and gets 413. check warns when it is below one push.
	SpoolMaxBytes int64 `yaml:"spool_max_bytes"`
	// BatchSize is the number of points per write to InfluxDB.
	BatchSize int `yaml:"batch_size"`
	// DeliveryConcurrency is the number of writes to InfluxDB in flight
	// at once; each point's revisions still arrive in order (one writer
	// per point).
	DeliveryConcurrency int `yaml:"delivery_concurrency"`
	// DropDir is the watched folder; empty disables it. Processed files
	// move to DropDir/done, rejected rows to DropDir/rejected.
	DropDir string `yaml:"drop_dir"`
	// TokensFile lists the accepted bearer tokens with their names, one
	// "NAME TOKEN" per line (blank lines and # comments allowed). The name
	// is the provider of every figure pushed with the token: lower-case
	// ASCII letters, digits, '_', '.', '-', at most 64, not derived, demo,
	// drop, http or import. Several tokens may share a name, so a token can
	// be rotated. TokensEnv names a variable holding comma-separated
	// "name:token" pairs. With neither, the push API is open, its pushes
	// provided by "http" — only sensible on loopback. The files are read
	// by serve, import and check (package ingest/httpapi), not here, so
	// that loading the config never reads a secret.
	TokensFile string `yaml:"tokens_file"`
	TokensEnv  string `yaml:"tokens_env"`
	// AllowOpenAPI says the push API may run without tokens. Without it
	// the API fails closed: a tokens file holding no token is an error,
	// and serve refuses to start with no tokens at all unless listen is a
	// loopback address (only local processes can push then).
	AllowOpenAPI bool `yaml:"allow_open_api"`
	// MaxBodyBytes and MaxRows bound one push request.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	MaxRows      int   `yaml:"max_rows"`
	// MaxDecompressedBytes bounds what a drop-folder or imported file
	// unpacks to: a .gz file's content, an Excel workbook's parts. A push
	// is bounded by MaxBodyBytes after decompression instead.
	MaxDecompressedBytes int64 `yaml:"max_decompressed_bytes"`
	// BodyReadTimeout bounds the reading of one push body, from its
	// headers to its last byte; a client trickling it is cut off then.
	BodyReadTimeout time.Duration `yaml:"body_read_timeout"`
	// MaxConcurrentPushes bounds the pushes processed at once; more get
	// 503 with Retry-After at once. MaxConnections bounds the open HTTP
	// connections; more wait for the kernel to hand them over.
	MaxConcurrentPushes int `yaml:"max_concurrent_pushes"`
	MaxConnections      int `yaml:"max_connections"`
	// MemoryLimit is serve's soft memory limit in bytes (Go's GOMEMLIMIT,
	// which wins when set): the garbage collector works harder as the heap
	// nears it. Zero: half of the memory limit of the daemon's cgroup, or
	// of the machine's memory without one.
	MemoryLimit int64 `yaml:"memory_limit"`
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
	// MappingFiles are YAML files holding more column mappings under a
	// top-level "mappings" key (see LoadMappings); relative paths are read
	// from the directory of the config file. They are added to Mappings.
	MappingFiles []string `yaml:"mapping_files"`
}

func defaultIngest() Ingest {
	return Ingest{
		SpoolMaxBytes: 1 << 30,
		BatchSize:     5000,
		TokensEnv:     "GREENMETRICS_INGEST_TOKENS",
		MaxBodyBytes:  64 << 20,
		MaxRows:       1_000_000,
		// A million-row CSV is about 60 MB; four times that leaves room
		// without letting one file unpack to gigabytes.
		MaxDecompressedBytes: 256 << 20,
		BodyReadTimeout:      time.Minute,
		MaxConcurrentPushes:  16,
		MaxConnections:       256,
		DeliveryConcurrency:  2,
		MaxFuture:            48 * time.Hour,
		RetryMin:             500 * time.Millisecond,
		RetryMax:             time.Minute,
		ShutdownGrace:        10 * time.Second,
	}
}

func (in Ingest) validate() error {
	var errs []error
	check := func(bad bool, key string, err error) {
		if bad {
			errs = append(errs, keyed(key, err))
		}
	}
	check(in.SpoolMaxBytes <= 0, "spool_max_bytes", fmt.Errorf("%d must be positive", in.SpoolMaxBytes))
	check(in.BatchSize <= 0 || in.BatchSize > 100_000, "batch_size", fmt.Errorf("%d must be in 1..100000", in.BatchSize))
	check(in.DeliveryConcurrency <= 0 || in.DeliveryConcurrency > 64, "delivery_concurrency", fmt.Errorf("%d must be in 1..64", in.DeliveryConcurrency))
	check(in.MaxBodyBytes <= 0, "max_body_bytes", fmt.Errorf("%d must be positive", in.MaxBodyBytes))
	check(in.MaxRows <= 0, "max_rows", fmt.Errorf("%d must be positive", in.MaxRows))
	check(in.MaxDecompressedBytes <= 0, "max_decompressed_bytes", fmt.Errorf("%d must be positive", in.MaxDecompressedBytes))
	check(in.BodyReadTimeout <= 0, "body_read_timeout", fmt.Errorf("%v must be positive", in.BodyReadTimeout))
	check(in.MaxConcurrentPushes <= 0, "max_concurrent_pushes", fmt.Errorf("%d must be positive", in.MaxConcurrentPushes))
	check(in.MaxConnections < in.MaxConcurrentPushes+8, "max_connections",
		fmt.Errorf("%d must leave room above max_concurrent_pushes %d for health checks and scrapes (at least %d)", in.MaxConnections, in.MaxConcurrentPushes, in.MaxConcurrentPushes+8))
	check(in.MemoryLimit < 0 || (in.MemoryLimit > 0 && in.MemoryLimit < 64<<20), "memory_limit",
		fmt.Errorf("%d must be 0 (automatic) or at least 64 MiB", in.MemoryLimit))
	check(in.TLSCert != "" && in.TLSKey == "", "tls_key", errors.New("is required with tls_cert (both or neither)"))
	check(in.TLSCert == "" && in.TLSKey != "", "tls_cert", errors.New("is required with tls_key (both or neither)"))
	check(in.RetryMin <= 0, "retry_min", fmt.Errorf("%v must be positive", in.RetryMin))
	check(in.RetryMin > 0 && in.RetryMax < in.RetryMin, "retry_max", fmt.Errorf("%v must not be below retry_min %v", in.RetryMax, in.RetryMin))
	// Not repeated: a value that is no variable name may be the tokens.
	check(in.TokensEnv != "" && !envNamePattern.MatchString(in.TokensEnv), "tokens_env",
		errors.New("is not the name of an environment variable (letters, digits and '_', not starting with a digit); it names the variable holding name:token pairs, not the tokens"))
	return errors.Join(errs...)
}

// envNamePattern is a portable environment variable name.
var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Mapping reads a file layout other than the canonical long CSV
// (time,indicator,entity,value,unit): which columns hold the time, the
// entity and the values, and which indicator each value column is.
// Column names are matched to the header without regard to case or
// surrounding space.
type Mapping struct {
	// Name identifies the mapping in errors and in the source tag.
	Name string `yaml:"name"`
	// Match is a file-name glob (e.g. "cnemc_water_*.csv") selecting files
	// in the drop folder and for import. It is matched against the base
	// name; a ".gz" suffix is ignored.
	Match string `yaml:"match"`
	// Layout is "long" (one value per row) or "wide" (one column per indicator).
	Layout string `yaml:"layout"`
	// Sheet is the Excel sheet to read; empty: the first.
	Sheet string `yaml:"sheet"`
	// HeaderRow is the 1-based row holding the column names; rows above it
	// (a title, a unit line) are skipped. Zero means 1.
	HeaderRow int `yaml:"header_row"`
	// Encoding is the text encoding of CSV files: utf-8 (the default) or
	// gbk / gb18030 (transcoded), for files saved by Chinese Windows tools.
	Encoding string `yaml:"encoding"`
	// Source is the source tag of the observations; default: Name.
	Source string `yaml:"source"`
	// TimeColumn holds the time; TimeColumns joins several numeric columns,
	// in the order year, month, day, hour, minute (1 to 5 of them), into one;
	// Timezone is the IANA zone of times without an offset (default
	// Asia/Shanghai).
	TimeColumn  string   `yaml:"time_column"`
	TimeColumns []string `yaml:"time_columns"`
	Timezone    string   `yaml:"timezone"`
	// TimeFormat is a Go time layout (e.g. "20060102") for TimeColumn when
	// its times are in none of the forms models.ParseTime accepts.
	TimeFormat string `yaml:"time_format"`
	// EntityColumn(s) name the section or station; joined with "/".
	// Entity is a fixed entity for files about one section or station.
	// EntityPrefix is put before every entity read from the file (e.g.
	// "BJ-" so that station "Dongsi" becomes "BJ-Dongsi").
	EntityColumn  string   `yaml:"entity_column"`
	EntityColumns []string `yaml:"entity_columns"`
	Entity        string   `yaml:"entity"`
	EntityPrefix  string   `yaml:"entity_prefix"`
	// Long layout: the columns of indicator code, value and unit.
	IndicatorColumn string `yaml:"indicator_column"`
	ValueColumn     string `yaml:"value_column"`
	UnitColumn      string `yaml:"unit_column"`
	// Indicators renames indicator codes of a long file to catalogue codes.
	Indicators map[string]string `yaml:"indicators"`
	// EntityIndicators renames indicator codes for one entity only, after
	// Indicators: entity → (file code → catalogue code). It routes a series
	// that shares a code with others but not their unit, e.g. the EU ETS
	// price (EUR) to carbon_price_eua while the Chinese pilots' prices (CNY)
	// stay carbon_price.
	EntityIndicators map[string]map[string]string `yaml:"entity_indicators"`
	// Units renames unit strings of the file to unit symbols the unit table
	// knows (e.g. "class(1=I..6=劣V)" → "class").
	Units map[string]string `yaml:"units"`
	// Columns maps wide-layout columns to indicators and their units.
	Columns map[string]ColumnMapping `yaml:"columns"`
	// Missing lists the cell texts that mean "not measured" in a wide
	// layout; such cells are counted, not rejected. Empty means blank, "-",
	// "--", "*", "NA", "N/A" and "null".
	Missing []string `yaml:"missing"`
	// StatusColumn and StatusAccept keep only rows whose status is accepted
	// (CNEMC: 正常); other rows are reported as rejected with the status.
	StatusColumn string   `yaml:"status_column"`
	StatusAccept []string `yaml:"status_accept"`
}

// ColumnMapping says which indicator a wide-layout column holds, in which
// unit; an empty Unit means the indicator's base unit.
type ColumnMapping struct {
	Indicator string `yaml:"indicator"`
	Unit      string `yaml:"unit"`
}

// Layouts of a mapping.
const (
	LayoutLong = "long"
	LayoutWide = "wide"
)

// validate reports the first problem of each part of the mapping (name,
// layout, columns, options), so one pass finds most of them.
func (m Mapping) validate() error {
	var errs []error
	if m.Name == "" {
		// Not keyed: the name is absent, so the item's line is the place.
		errs = append(errs, errors.New("name is required"))
	}
	for _, err := range []error{m.validateLayout(), m.validateColumns(), m.validateOptions()} {
		if err != nil && m.Name != "" {
			err = fmt.Errorf("mapping %q: %w", m.Name, err)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m Mapping) validateLayout() error {
	switch m.Layout {
	case LayoutLong:
		if m.ValueColumn == "" || m.IndicatorColumn == "" {
			return errors.New("long layout needs indicator_column and value_column")
		}
		if len(m.Columns) > 0 {
			return errors.New("columns is for the wide layout; a long layout uses indicator_column and value_column")
		}
	case LayoutWide:
		if len(m.Columns) == 0 {
			return errors.New("wide layout needs columns")
		}
		if m.IndicatorColumn != "" || m.ValueColumn != "" || m.UnitColumn != "" || len(m.Indicators) > 0 || len(m.EntityIndicators) > 0 {
			return errors.New("indicator_column, value_column, unit_column, indicators and entity_indicators are for the long layout")
		}
	default:
		return fmt.Errorf("layout %q is not long or wide", m.Layout)
	}
	return nil
}

func (m Mapping) validateColumns() error {
	switch {
	case m.TimeColumn == "" && len(m.TimeColumns) == 0:
		return errors.New("time_column or time_columns is required")
	case m.TimeColumn != "" && len(m.TimeColumns) > 0:
		return errors.New("time_column and time_columns exclude each other")
	case len(m.TimeColumns) > 5:
		return fmt.Errorf("time_columns has %d columns; at most 5 (year, month, day, hour, minute)", len(m.TimeColumns))
	case m.TimeFormat != "" && m.TimeColumn == "":
		return errors.New("time_format applies to time_column only")
	}
	n := 0
	for _, set := range []bool{m.EntityColumn != "", len(m.EntityColumns) > 0, m.Entity != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("entity_column, entity_columns and entity exclude each other")
	}
	for col, c := range m.Columns {
		if strings.TrimSpace(col) == "" {
			return errors.New("columns: a column name is empty")
		}
		if c.Indicator == "" {
			return fmt.Errorf("columns[%q]: indicator is required", col)
		}
		if c.Unit != "" {
			if _, ok := models.LookupUnit(c.Unit); !ok {
				return fmt.Errorf("columns[%q]: unit %q: %w", col, c.Unit, models.ErrUnknownUnit)
			}
		}
	}
	return nil
}

func (m Mapping) validateOptions() error {
	if m.HeaderRow < 0 {
		return fmt.Errorf("header_row %d must be 1 or more (0: the first row)", m.HeaderRow)
	}
	switch strings.ToLower(m.Encoding) {
	case "", "utf-8", "utf8", "gbk", "gb18030":
	default:
		return fmt.Errorf("encoding %q is not utf-8, gbk or gb18030", m.Encoding)
	}
	if m.Timezone != "" {
		if _, err := time.LoadLocation(m.Timezone); err != nil {
			return fmt.Errorf("timezone: %w", err)
		}
	}
	if m.Match != "" {
		if _, err := filepath.Match(m.Match, ""); err != nil {
			return fmt.Errorf("match %q: %w", m.Match, err)
		}
	}
	if (m.StatusColumn == "") != (len(m.StatusAccept) == 0) {
		return errors.New("status_column and status_accept go together")
	}
	for from, to := range m.Units {
		if _, ok := models.LookupUnit(to); !ok {
			return fmt.Errorf("units[%q]: %q: %w", from, to, models.ErrUnknownUnit)
		}
	}
	for entity, renames := range m.EntityIndicators {
		if entity == "" || len(renames) == 0 {
			return errors.New("entity_indicators: each entry needs an entity and at least one rename")
		}
	}
	return nil
}

// mappingFile is the shape of a file of mappings.
type mappingFile struct {
	Mappings []Mapping `yaml:"mappings"`
}

// LoadMappings reads a YAML file whose only top-level key is "mappings",
// a list of Mapping, decoded strictly and validated. Names must be unique
// within the file.
func LoadMappings(path string) ([]Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading mappings: %w", err)
	}
	var mf mappingFile
	if err := yaml.UnmarshalWithOptions(data, &mf, yaml.DisallowUnknownField()); err != nil {
		return nil, &Error{File: path, Line: yamlErrorLine(err), Err: cleanYAMLError(err)}
	}
	if len(mf.Mappings) == 0 {
		return nil, &Error{File: path, Err: errors.New("no mappings")}
	}
	var errs Errors
	seen := map[string]bool{}
	for i, m := range mf.Mappings {
		field := fmt.Sprintf("mappings[%d]", i)
		if err := m.validate(); err != nil {
			errs = append(errs, sectionErrors(path, field, err)...)
			continue
		}
		if seen[m.Name] {
			errs = append(errs, &Error{File: path, Field: field, Err: fmt.Errorf("mapping %q defined twice", m.Name)})
		}
		seen[m.Name] = true
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return mf.Mappings, nil
}
