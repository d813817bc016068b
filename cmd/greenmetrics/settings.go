package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/internal/app"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/store"
)

// settings are the flags the subcommands share. Each command registers only
// the groups it uses (registerConfig, registerInflux, registerLog), so help
// never offers a flag that does nothing. Precedence is flag > environment
// (GREENMETRICS_*) > config file > default.
type settings struct {
	configPath   string
	catalogPath  string
	influxURL    string
	influxToken  string
	influxOrg    string
	influxBucket string
	logLevel     string
	// logCmds are the commands with --log-level; the one that runs says
	// whether the flag was given.
	logCmds []*cobra.Command
	// plans are the target plans loadAll read (embedded and plans_dir).
	plans *models.PlanSet
}

// defaultLogLevel is the level when neither --log-level,
// GREENMETRICS_LOG_LEVEL nor the config's log_level says otherwise.
const defaultLogLevel = "info"

// registerConfig adds --config and --catalog: for commands that read the
// configuration or the catalogue.
func (s *settings) registerConfig(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.configPath, "config", os.Getenv("GREENMETRICS_CONFIG"), "daemon config file (YAML); env GREENMETRICS_CONFIG")
	f.StringVar(&s.catalogPath, "catalog", "", "indicator catalogue file replacing the embedded one; env GREENMETRICS_CATALOG")
}

// registerInflux adds the InfluxDB connection flags: only for commands that
// read or write InfluxDB.
func (s *settings) registerInflux(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.influxURL, "influx-url", "", "InfluxDB URL; env GREENMETRICS_INFLUX_URL")
	f.StringVar(&s.influxToken, "influx-token", "", "InfluxDB token; env GREENMETRICS_INFLUX_TOKEN")
	f.StringVar(&s.influxOrg, "influx-org", "", "InfluxDB organisation (2.x); env GREENMETRICS_INFLUX_ORG")
	f.StringVar(&s.influxBucket, "influx-bucket", "", "bucket: db/rp on 1.8, bucket on 2.x, database on 3.x; env GREENMETRICS_INFLUX_BUCKET")
}

// registerLog adds --log-level for commands that log. Its shown default is
// the level in effect without a config file's log_level: the environment's,
// else info. An explicit flag beats the config file; the default does not.
func (s *settings) registerLog(cmd *cobra.Command) {
	def := os.Getenv("GREENMETRICS_LOG_LEVEL")
	if def == "" {
		def = defaultLogLevel
	}
	cmd.Flags().StringVar(&s.logLevel, "log-level", def, "debug, info, warn or error; env GREENMETRICS_LOG_LEVEL")
	s.logCmds = append(s.logCmds, cmd)
}

// logLevelGiven tells whether --log-level was on the command line: only
// then does it beat the environment and the config file.
func (s *settings) logLevelGiven() bool {
	for _, cmd := range s.logCmds {
		if cmd.Flags().Changed("log-level") {
			return true
		}
	}
	return false
}

// load returns the effective configuration.
func (s *settings) load() (config.Config, error) {
	cfg, err := config.Load(s.configPath)
	if err != nil {
		return cfg, err
	}
	cfg.ApplyEnv(os.Getenv)
	override := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	override(&cfg.Influx.URL, s.influxURL)
	override(&cfg.Influx.Token, s.influxToken)
	override(&cfg.Influx.Org, s.influxOrg)
	override(&cfg.Influx.Bucket, s.influxBucket)
	override(&cfg.Catalog, s.catalogPath)
	if s.logLevelGiven() {
		cfg.LogLevel = s.logLevel
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// loadAll returns the configuration and the catalogue it names.
func (s *settings) loadAll() (config.Config, *config.Catalog, error) {
	cfg, err := s.load()
	if err != nil {
		return cfg, nil, err
	}
	cat, err := config.LoadCatalog(cfg.Catalog)
	if err != nil {
		return cfg, nil, err
	}
	plans, err := config.LoadPlans(cfg.PlansDir, cat)
	if err != nil {
		return cfg, nil, fmt.Errorf("target plans (greenmetrics check lists every problem):\n%w", err)
	}
	s.plans = plans
	// The indicators carry the latest targets as a reference of their size
	// (plausibility, demo); progress takes each year's from s.plans.
	return cfg, cat.WithReference(plans, time.Now().In(models.Shanghai).Year()), nil
}

func openStore(cfg config.Config) (*store.Store, error) { return app.OpenStore(cfg) }

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(boundedHandler{slog.NewJSONHandler(w, opts)})
	}
	return slog.New(boundedHandler{slog.NewTextHandler(w, opts)})
}

// pushTokens loads the push API's named tokens as configured
// (ingest.tokens_file and the variable ingest.tokens_env names).
func pushTokens(cfg config.Config) (httpapi.Tokens, error) {
	tokens, err := httpapi.LoadTokensAllowingOpen(cfg.Ingest.TokensFile, cfg.Ingest.TokensEnv, os.Getenv, cfg.Ingest.AllowOpenAPI)
	if err != nil {
		return tokens, fmt.Errorf("push tokens (ingest.tokens_file, $%s): %w", cfg.Ingest.TokensEnv, err)
	}
	return tokens, nil
}

// pipelineOptions are the pipeline options of the configuration, with the
// push tokens' names reserved: no file or row may claim a token's name as
// its provider. serve and import share them.
func pipelineOptions(cfg config.Config) (ingest.Options, error) {
	opts := ingest.OptionsFrom(cfg.Ingest)
	tokens, err := pushTokens(cfg)
	if err != nil {
		return opts, err
	}
	opts.ReservedProviders = tokens.Names()
	opts.Scope = cfg.Scope
	// The duplicate index of a large input spills to disk beside the data,
	// not to the system temp folder, which is often a RAM-backed tmpfs.
	if cfg.DataDir != "" {
		opts.IndexSpillDir = filepath.Join(cfg.DataDir, "tmp")
	}
	return opts, nil
}
