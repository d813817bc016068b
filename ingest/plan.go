package ingest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// defaultMissing are the cell texts that mean "not measured" in a wide
// layout when a mapping lists none: what CNEMC, UCI and department sheets
// write for a gap.
var defaultMissing = []string{"", "-", "--", "*", "NA", "N/A", "n/a", "null", "NULL"}

// plan is a mapping compiled against the catalogue.
type plan struct {
	m       config.Mapping
	loc     *time.Location
	missing map[string]bool
	accept  map[string]bool
	source  string
}

// compilePlan checks what a mapping names against the catalogue, once, so
// a typo in a mapping is a start-up error instead of a rejection per row.
func compilePlan(cat *config.Catalog, m config.Mapping) (*plan, error) {
	pl := &plan{m: m, loc: models.Shanghai, missing: map[string]bool{}, accept: map[string]bool{}, source: m.Source}
	if pl.source == "" {
		pl.source = m.Name
	}
	// Asia/Shanghai by name means the bureau's fixed +08:00 (see
	// models.Shanghai), not the tz database's historical offsets.
	if m.Timezone != "" && m.Timezone != "Asia/Shanghai" {
		loc, err := time.LoadLocation(m.Timezone)
		if err != nil {
			return nil, fmt.Errorf("mapping %q: timezone: %w", m.Name, err)
		}
		pl.loc = loc
	}
	missing := m.Missing
	if len(missing) == 0 {
		missing = defaultMissing
	}
	for _, s := range missing {
		pl.missing[strings.TrimSpace(s)] = true
	}
	for _, s := range m.StatusAccept {
		pl.accept[strings.TrimSpace(s)] = true
	}
	for col, c := range m.Columns {
		if err := checkTarget(cat, c.Indicator, c.Unit); err != nil {
			return nil, fmt.Errorf("mapping %q: columns[%q]: %w", m.Name, col, err)
		}
	}
	for from, to := range m.Indicators {
		if err := checkTarget(cat, to, ""); err != nil {
			return nil, fmt.Errorf("mapping %q: indicators[%q]: %w", m.Name, from, err)
		}
	}
	for entity, renames := range m.EntityIndicators {
		for from, to := range renames {
			if err := checkTarget(cat, to, ""); err != nil {
				return nil, fmt.Errorf("mapping %q: entity_indicators[%q][%q]: %w", m.Name, entity, from, err)
			}
		}
	}
	return pl, nil
}

// checkTarget checks that code is in the catalogue and unit converts to its unit.
func checkTarget(cat *config.Catalog, code, unit string) error {
	ind, ok := cat.Lookup(code)
	if !ok {
		return fmt.Errorf("indicator %q is not in the catalogue", code)
	}
	if unit == "" {
		return nil
	}
	if err := models.ConvertibleUnits(unit, ind.Unit); err != nil {
		return fmt.Errorf("indicator %s: %w", code, err)
	}
	return nil
}

// sortWide puts wide columns in file order.
func sortWide(cols []wideCol) {
	sort.Slice(cols, func(i, j int) bool { return cols[i].idx < cols[j].idx })
}
