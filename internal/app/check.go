package app

import (
	"net"
	"os"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
)

// CheckReport is what greenmetrics check found, in the order it prints
// it: the config file, the catalogue and the plans, the push tokens, the
// spool's size.
type CheckReport struct {
	// ConfigSource is the config file checked, "(defaults)" without one.
	ConfigSource string
	Config       config.Config
	ConfigErr    error
	// CatalogPath is the catalogue checked (its embedded name when none is
	// configured), Catalog it loaded.
	CatalogPath string
	Catalog     *config.Catalog
	CatalogErr  error
	// Plans are checked only when the catalogue loaded.
	Plans      PlansCheck
	Tokens     TokensCheck
	SmallSpool bool
}

// PlansCheck is the check of the target plans.
type PlansCheck struct {
	Count int
	Err   error
	// Gaps are indicators the embedded plans name that the catalogue has
	// not.
	Gaps []string
	// Years are the years the plans set targets for.
	Years []int
}

// TokensCheck is the check of the push tokens: names only, never tokens.
type TokensCheck struct {
	Err error
	// Count is the number of tokens, Names their distinct names.
	Count int
	Names []string
	// Env is the variable ingest.tokens_env names; OpenWhy says why an
	// API without tokens is allowed open.
	Env, OpenWhy string
}

// SpoolRowBytes is a generous size of one observation in the spool (a
// checksummed line-protocol record; typical ones take about 150 bytes),
// for comparing the spool with the largest push.
const SpoolRowBytes = 250

// Check validates the config file, the catalogue, the plans and the push
// tokens, collecting every problem so that one pass fixes them all.
func Check(o config.Overrides) CheckReport {
	var r CheckReport
	r.Config, r.ConfigErr = o.Resolve(os.Getenv)
	r.ConfigSource = o.ConfigPath
	if r.ConfigSource == "" {
		r.ConfigSource = "(defaults)"
	}
	// The catalogue and the tokens are checked even when the config has
	// problems: all of them are reported in one run.
	catPath := o.CatalogPath(r.Config, os.Getenv)
	r.Catalog, r.CatalogErr = config.LoadCatalog(catPath)
	if catPath == "" {
		catPath = config.DefaultCatalogName
	}
	r.CatalogPath = catPath
	if r.CatalogErr == nil {
		r.Plans = checkPlans(r.Config, r.Catalog)
	}
	r.Tokens = checkTokens(r.Config)
	in := r.Config.Ingest
	largest := min(in.MaxBodyBytes, int64(in.MaxRows)*SpoolRowBytes)
	r.SmallSpool = in.SpoolMaxBytes > 0 && in.SpoolMaxBytes < largest
	return r
}

// checkPlans validates the target plans — the embedded ones and those of
// plans_dir (GREENMETRICS_PLANS_DIR wins) — against the catalogue.
func checkPlans(cfg config.Config, cat *config.Catalog) PlansCheck {
	dir := cfg.PlansDir
	if env := os.Getenv("GREENMETRICS_PLANS_DIR"); env != "" {
		dir = env
	}
	set, err := config.LoadPlans(dir, cat)
	if err != nil {
		return PlansCheck{Err: err}
	}
	return PlansCheck{Count: len(set.Plans()), Years: set.Years(), Gaps: config.EmbeddedPlanGaps(cat)}
}

// checkTokens loads the push tokens and applies the fail-closed rules
// serve applies (a tokens file without tokens; no tokens with a
// non-loopback listen address).
func checkTokens(cfg config.Config) TokensCheck {
	tc := TokensCheck{Env: cfg.Ingest.TokensEnv}
	tokens, err := httpapi.LoadTokensAllowingOpen(cfg.Ingest.TokensFile, cfg.Ingest.TokensEnv, os.Getenv, cfg.Ingest.AllowOpenAPI)
	if err != nil {
		tc.Err = err
		return tc
	}
	// A listen value that is no host:port is the config's problem,
	// already reported.
	if _, _, lerr := net.SplitHostPort(cfg.Listen); lerr == nil {
		if err := httpapi.RequireAuth(tokens, cfg.Listen, cfg.Ingest.AllowOpenAPI); err != nil {
			tc.Err = err
			return tc
		}
	}
	tc.Count, tc.Names = tokens.Len(), tokens.Names()
	tc.OpenWhy = "listen " + cfg.Listen + " is loopback"
	if cfg.Ingest.AllowOpenAPI {
		tc.OpenWhy = "ingest.allow_open_api is set"
	}
	return tc
}

// OpenProvider is the provider of pushes to an API without tokens.
const OpenProvider = httpapi.OpenProvider
