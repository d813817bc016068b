package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Config is the daemon configuration. Its zero value is not used directly:
// Default returns the values every unset key takes.
type Config struct {
	// Listen is the address of the HTTP server (ingest API, /metrics, health).
	Listen string `yaml:"listen"`
	// DataDir holds the spool, drop folder and reports unless those are set.
	DataDir string `yaml:"data_dir"`
	// Catalog is a catalogue file replacing the embedded one; empty: embedded.
	Catalog string `yaml:"catalog"`
	// PlansDir holds the bureau's target plans (YAML, CSV or xlsx, read at
	// start and by check, no rebuild), in force beside the embedded ones;
	// empty: the embedded plans only (docs/progress.md §4).
	PlansDir string `yaml:"plans_dir"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json.
	LogFormat string `yaml:"log_format"`

	Influx   Influx    `yaml:"influx"`
	Ingest   Ingest    `yaml:"ingest"`
	Mappings []Mapping `yaml:"mappings"`
	Water    Water     `yaml:"water"`
	Carbon   Carbon    `yaml:"carbon"`
	Analysis Analysis  `yaml:"analysis"`
	Report   Report    `yaml:"report"`
	Scope    Scope     `yaml:"scope"`
}

// Influx says where observations are stored. The same settings serve
// InfluxDB 1.8 (bucket "db/rp", any token), 2.x (a bucket with a DBRP
// mapping for InfluxQL reads) and 3.x (bucket = database, token required).
type Influx struct {
	URL string `yaml:"url"`
	// Token authenticates as "Authorization: Token …". Prefer TokenFile or
	// the GREENMETRICS_INFLUX_TOKEN variable to a token in the file.
	Token     string        `yaml:"token"`
	TokenFile string        `yaml:"token_file"`
	Org       string        `yaml:"org"`
	Bucket    string        `yaml:"bucket"`
	Timeout   time.Duration `yaml:"timeout"`
}

// Default returns the configuration used when a key is not set.
func Default() Config {
	return Config{
		Listen:    "127.0.0.1:9464",
		DataDir:   "var",
		LogLevel:  "info",
		LogFormat: "text",
		Influx: Influx{
			URL:     "http://127.0.0.1:8086",
			Org:     "greenmetrics",
			Bucket:  "greenmetrics/autogen",
			Timeout: 20 * time.Second,
		},
		Ingest:   defaultIngest(),
		Water:    defaultWater(),
		Carbon:   defaultCarbon(),
		Analysis: defaultAnalysis(),
		Report:   defaultReport(),
		Scope:    defaultScope(),
	}
}

// Load reads a configuration file over the defaults. An empty path gives
// the defaults. It reports every problem of the file at once (Errors), each
// with its line and key: unknown keys, values of the wrong type, values
// breaking a rule.
func Load(path string) (Config, error) {
	cfg := Default()
	if path == "" {
		return cfg, cfg.Validate()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("reading config: %w", err)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil { // broken YAML: nothing further can be read
		return cfg, &Error{File: path, Line: yamlErrorLine(err), Err: cleanYAMLError(err)}
	}
	var body ast.Node
	if len(file.Docs) > 0 {
		body = file.Docs[0].Body
	}
	var errs Errors
	if err := yaml.UnmarshalWithOptions(data, &cfg, yaml.DisallowUnknownField()); err != nil {
		// The decoder stops at its first problem; go key by key for all.
		cfg = Default()
		if body != nil {
			errs = decodeProblems(path, body, reflect.ValueOf(&cfg).Elem(), "")
		}
		if len(errs) == 0 {
			return cfg, &Error{File: path, Line: yamlErrorLine(err), Err: cleanYAMLError(err)}
		}
	}
	if err := cfg.resolveSecrets(); err != nil {
		errs = append(errs, &Error{File: path, Line: keyLine(body, "influx.token_file"), Field: "influx.token_file", Err: err})
	}
	errs = append(errs, ruleProblems(path, body, cfg.Validate(), errs)...)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return lineOrder(errs[i].Line) < lineOrder(errs[j].Line) })
		return cfg, errs
	}
	return cfg, nil
}

// ruleProblems are the problems Validate found, in file and located by
// key, except those under a key that did not decode: that key kept its
// default, and its decode problem says what to fix.
func ruleProblems(path string, body ast.Node, err error, decodeErrs Errors) Errors {
	var out Errors
	for _, e := range prefixFile(path, err) {
		if underAny(e.Field, decodeErrs) {
			continue
		}
		if body != nil {
			e.Line = keyLine(body, e.Field)
		}
		out = append(out, e)
	}
	return out
}

func underAny(key string, errs Errors) bool {
	for _, e := range errs {
		if key == e.Field || strings.HasPrefix(key, e.Field+".") || strings.HasPrefix(key, e.Field+"[") {
			return true
		}
	}
	return false
}

// lineOrder sorts problems by line, those without a line last.
func lineOrder(line int) int {
	if line == 0 {
		return int(^uint(0) >> 1)
	}
	return line
}

func yamlErrorLine(err error) int {
	var line, col int
	if _, scanErr := fmt.Sscanf(err.Error(), "[%d:%d]", &line, &col); scanErr == nil {
		return line
	}
	return 0
}

// prefixFile lists the problems of err (Validate's) as problems of path.
func prefixFile(path string, err error) Errors {
	if err == nil {
		return nil
	}
	var es Errors
	if errors.As(err, &es) {
		for _, e := range es {
			e.File = path
		}
		return es
	}
	return Errors{{File: path, Err: err}}
}

func (c *Config) resolveSecrets() error {
	if c.Influx.TokenFile == "" {
		return nil
	}
	b, err := os.ReadFile(c.Influx.TokenFile)
	if err != nil {
		return err
	}
	c.Influx.Token = strings.TrimSpace(string(b))
	return nil
}

// ApplyEnv overrides settings from GREENMETRICS_* variables, which rank
// above the file and below command-line flags. getenv is os.Getenv in
// production and a map lookup in tests.
func (c *Config) ApplyEnv(getenv func(string) string) {
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&c.Influx.URL, "GREENMETRICS_INFLUX_URL")
	set(&c.Influx.Token, "GREENMETRICS_INFLUX_TOKEN")
	set(&c.Influx.Org, "GREENMETRICS_INFLUX_ORG")
	set(&c.Influx.Bucket, "GREENMETRICS_INFLUX_BUCKET")
	set(&c.Listen, "GREENMETRICS_LISTEN")
	set(&c.DataDir, "GREENMETRICS_DATA_DIR")
	set(&c.Catalog, "GREENMETRICS_CATALOG")
	set(&c.PlansDir, "GREENMETRICS_PLANS_DIR")
	set(&c.LogLevel, "GREENMETRICS_LOG_LEVEL")
}

// Validate checks every section and returns all problems found.
func (c *Config) Validate() error {
	var errs Errors
	add := func(field string, err error) {
		errs = append(errs, sectionErrors("config", field, err)...)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		add("listen", fmt.Errorf("%q must be host:port", c.Listen))
	}
	add("influx", c.Influx.validate())
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("log_level", fmt.Errorf("%q must be debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		add("log_format", fmt.Errorf("%q must be text or json", c.LogFormat))
	}
	add("ingest", c.Ingest.validate())
	for i := range c.Mappings {
		add(fmt.Sprintf("mappings[%d]", i), c.Mappings[i].validate())
	}
	add("water", c.Water.validate())
	add("carbon", c.Carbon.validate())
	add("analysis", c.Analysis.validate())
	add("report", c.Report.validate())
	add("scope", c.Scope.validate())
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (in Influx) validate() error {
	var errs []error
	u, err := url.Parse(in.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, keyed("url", fmt.Errorf("%q must be http(s)://host:port", in.URL)))
	}
	if in.Bucket == "" {
		errs = append(errs, keyed("bucket", errors.New("is required (InfluxDB 1.8: db/rp)")))
	}
	if in.Timeout <= 0 {
		errs = append(errs, keyed("timeout", fmt.Errorf("%v must be positive", in.Timeout)))
	}
	return errors.Join(errs...)
}

// Database and RetentionPolicy split the bucket the way InfluxDB 2.x maps a
// bucket "db/rp" for InfluxQL (DBRP); a bucket without "/" is the database
// with its default retention policy.
func (in Influx) Database() string {
	db, _, _ := strings.Cut(in.Bucket, "/")
	return db
}

// RetentionPolicy is the part of the bucket after "/", or "" for the default.
func (in Influx) RetentionPolicy() string {
	_, rp, _ := strings.Cut(in.Bucket, "/")
	return rp
}
