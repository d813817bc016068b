package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/metrics"
	"github.com/greenmetrics/greenmetrics/models"
)

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

// analysisOptions are the engine options every command shares: the
// catalogue, the analysis, the water sections, the entity scope and the
// carbon factor table, and the target plans (each run takes its year's
// targets from them).
// serve, progress and report differ only in where results go (Reader,
// Writer, State, Logger, set by the caller), so that a report computes
// the same figures as the daemon's snapshot.
func analysisOptions(cfg config.Config, inds []models.Indicator, plans *models.PlanSet) (metrics.Options, error) {
	factors, err := cfg.Carbon.Factors()
	if err != nil {
		return metrics.Options{}, err
	}
	return metrics.Options{Indicators: inds, Plans: plans, Analysis: cfg.Analysis, Water: cfg.Water, Scope: cfg.Scope,
		Factors: factors.Table, Selection: cfg.Carbon.Selection(), Now: clockNow}, nil
}

// checkProvider refuses a provider name import may not give: malformed,
// or one the system reserves (derived, demo).
func checkProvider(p string) error {
	switch {
	case !ingest.ValidProviderName(p):
		return fmt.Errorf("--provider %q: 1 to 64 letters, digits, '_', '.', ':' or '-'", p)
	case models.IsReservedProvider(p):
		return fmt.Errorf("--provider %q is reserved: %s marks the engine's figures, %s the demo's", p, models.ProviderDerived, models.ProviderDemo)
	}
	return nil
}
