package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/config"
)

// settings are the flags the subcommands share. Each command registers only
// the groups it uses (registerConfig, registerInflux, registerLog), so help
// never offers a flag that does nothing. Precedence is flag > environment
// (GREENMETRICS_*) > config file > default.
type settings struct {
	config.Overrides
	// logCmds are the commands with --log-level; the one that runs says
	// whether the flag was given.
	logCmds []*cobra.Command
}

// defaultLogLevel is the level when neither --log-level,
// GREENMETRICS_LOG_LEVEL nor the config's log_level says otherwise.
const defaultLogLevel = "info"

// registerConfig adds --config and --catalog: for commands that read the
// configuration or the catalogue.
func (s *settings) registerConfig(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.ConfigPath, "config", os.Getenv("GREENMETRICS_CONFIG"), "daemon config file (YAML); env GREENMETRICS_CONFIG")
	f.StringVar(&s.Catalog, "catalog", "", "indicator catalogue file replacing the embedded one; env GREENMETRICS_CATALOG")
}

// registerInflux adds the InfluxDB connection flags: only for commands that
// read or write InfluxDB.
func (s *settings) registerInflux(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.InfluxURL, "influx-url", "", "InfluxDB URL; env GREENMETRICS_INFLUX_URL")
	f.StringVar(&s.InfluxToken, "influx-token", "", "InfluxDB token; env GREENMETRICS_INFLUX_TOKEN")
	f.StringVar(&s.InfluxOrg, "influx-org", "", "InfluxDB organisation (2.x); env GREENMETRICS_INFLUX_ORG")
	f.StringVar(&s.InfluxBucket, "influx-bucket", "", "bucket: db/rp on 1.8, bucket on 2.x, database on 3.x; env GREENMETRICS_INFLUX_BUCKET")
}

// registerLog adds --log-level for commands that log. Its shown default is
// the level in effect without a config file's log_level: the environment's,
// else info. An explicit flag beats the config file; the default does not.
func (s *settings) registerLog(cmd *cobra.Command) {
	def := os.Getenv("GREENMETRICS_LOG_LEVEL")
	if def == "" {
		def = defaultLogLevel
	}
	cmd.Flags().StringVar(&s.LogLevel, "log-level", def, "debug, info, warn or error; env GREENMETRICS_LOG_LEVEL")
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

// overrides are the shared flags' values, for the application layer.
func (s *settings) overrides() config.Overrides {
	o := s.Overrides
	o.LogLevelGiven = s.logLevelGiven()
	return o
}
