package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/models"
)

// Overrides are what the command line says over the configuration file:
// the shared flags of the commands. Precedence is flag > environment
// (GREENMETRICS_*) > config file > default.
type Overrides struct {
	// ConfigPath is the configuration file; empty: the defaults.
	ConfigPath string
	// Catalog replaces the configuration's catalogue file.
	Catalog string
	// InfluxURL, InfluxToken, InfluxOrg and InfluxBucket replace the
	// configuration's InfluxDB connection.
	InfluxURL, InfluxToken, InfluxOrg, InfluxBucket string
	// LogLevel replaces the configuration's log_level when LogLevelGiven
	// (the flag was on the command line; its shown default does not win).
	LogLevel      string
	LogLevelGiven bool
}

// Resolve returns the effective configuration: the file, the environment
// (getenv), then the overrides, validated.
func (o Overrides) Resolve(getenv func(string) string) (Config, error) {
	cfg, err := Load(o.ConfigPath)
	if err != nil {
		return cfg, err
	}
	cfg.ApplyEnv(getenv)
	override := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	override(&cfg.Influx.URL, o.InfluxURL)
	override(&cfg.Influx.Token, o.InfluxToken)
	override(&cfg.Influx.Org, o.InfluxOrg)
	override(&cfg.Influx.Bucket, o.InfluxBucket)
	override(&cfg.Catalog, o.Catalog)
	if o.LogLevelGiven {
		cfg.LogLevel = o.LogLevel
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// CatalogPath is the catalogue a command would use: the override, else
// GREENMETRICS_CATALOG, else cfg's catalog key — taken from the file even
// when the file has problems elsewhere (check reports them all).
func (o Overrides) CatalogPath(cfg Config, getenv func(string) string) string {
	if o.Catalog != "" {
		return o.Catalog
	}
	if env := getenv("GREENMETRICS_CATALOG"); env != "" {
		return env
	}
	return cfg.Catalog
}

// Setup is a loaded configuration with its catalogue and target plans.
type Setup struct {
	Config  Config
	Catalog *Catalog
	// Plans are the target plans in force (embedded and plans_dir); the
	// catalogue's indicators carry the latest year's targets as a
	// reference of their size (plausibility, demo), progress takes each
	// year's from Plans.
	Plans *models.PlanSet
}

// LoadSetup resolves the configuration and loads the catalogue and the
// plans it names; now gives the year whose targets the indicators carry.
func (o Overrides) LoadSetup(getenv func(string) string, now time.Time) (Setup, error) {
	cfg, err := o.Resolve(getenv)
	if err != nil {
		return Setup{Config: cfg}, err
	}
	cat, err := LoadCatalog(cfg.Catalog)
	if err != nil {
		return Setup{Config: cfg}, err
	}
	plans, err := LoadPlans(cfg.PlansDir, cat)
	if err != nil {
		return Setup{Config: cfg}, fmt.Errorf("target plans (greenmetrics check lists every problem):\n%w", err)
	}
	return Setup{Config: cfg, Catalog: cat.WithReference(plans, now.In(models.Shanghai).Year()), Plans: plans}, nil
}

// MakeRunConfig is the configuration `make run` writes (scripts/run.sh),
// relative to the source tree it runs in.
const MakeRunConfig = "var/greenmetrics.yaml"

// DefaultsHint is a one-line hint for a command about to run on the
// built-in defaults (neither --config nor GREENMETRICS_CONFIG) in dir,
// where `make run` left its configuration: make run exports
// GREENMETRICS_CONFIG for its own processes only, so `greenmetrics
// progress` typed in a second terminal would otherwise silently miss the
// demo's plans (var/plans). It is empty when a configuration was named or
// dir holds none of make run's.
func (o Overrides) DefaultsHint(dir string) string {
	if o.ConfigPath != "" {
		return ""
	}
	if fi, err := os.Stat(filepath.Join(dir, MakeRunConfig)); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return "hint: no --config or GREENMETRICS_CONFIG, so the built-in defaults apply, not make run's configuration; " +
		"to use it: export GREENMETRICS_CONFIG=" + MakeRunConfig
}

// LedgerDir is the revision ledger's directory: data_dir/ledger.
func (c Config) LedgerDir() string { return filepath.Join(c.DataDir, "ledger") }

// RejectDir is where ingestion keeps its month-by-month rejection log:
// data_dir/rejects.
func (c Config) RejectDir() string { return filepath.Join(c.DataDir, "rejects") }

// ReportDir is report.dir, else data_dir/reports.
func (c Config) ReportDir() string {
	if strings.TrimSpace(c.Report.Dir) != "" {
		return c.Report.Dir
	}
	return filepath.Join(c.DataDir, "reports")
}

// SpoolDir is the shared spool: ingest.spool_dir, else data_dir/spool.
func (c Config) SpoolDir() string {
	if c.Ingest.SpoolDir != "" {
		return c.Ingest.SpoolDir
	}
	return filepath.Join(c.DataDir, "spool")
}

// AllMappings gathers the mappings of the config file, of the files it
// lists in ingest.mapping_files (relative to the config file's directory,
// configPath) and of extra files, in that order.
func (c Config) AllMappings(configPath string, extra []string) ([]Mapping, error) {
	out := append([]Mapping(nil), c.Mappings...)
	base := "."
	if configPath != "" {
		base = filepath.Dir(configPath)
	}
	var paths []string
	for _, p := range c.Ingest.MappingFiles {
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		paths = append(paths, p)
	}
	for _, p := range append(paths, extra...) {
		ms, err := LoadMappings(p)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// SourceTree is the greenmetrics source tree the command runs in or was
// built into (bin/greenmetrics), or "." when neither is found: the demo's
// reference data and mappings default to it.
func SourceTree() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
				strings.HasPrefix(string(b), "module github.com/greenmetrics/greenmetrics\n") {
				return dir
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "."
}
