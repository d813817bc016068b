package exporter

import (
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestUnitFamiliesAreModelBaseUnits: every key is a base unit of models, so
// a value in the catalogue's unit is what the factor converts.
func TestUnitFamiliesAreModelBaseUnits(t *testing.T) {
	for base, fam := range unitFamilies {
		u, ok := models.LookupUnit(base)
		if !ok || u.Base != base {
			t.Errorf("models.LookupUnit(%q) = %+v, %v; want base %q", base, u, ok, base)
		}
		if fam.mul <= 0 || fam.div <= 0 || fam.suffix == "" || fam.help == "" {
			t.Errorf("unitFamilies[%q] = %+v; want a suffix, help and positive factors", base, fam)
		}
	}
}

// TestSharedSuffixSharesHelp: two units exported under one name must
// describe it identically, or the registry rejects the second Desc.
func TestSharedSuffixSharesHelp(t *testing.T) {
	help := map[string]string{}
	for base, fam := range unitFamilies {
		if prev, ok := help[fam.suffix]; ok && prev != fam.help {
			t.Errorf("suffix %q: help of %q differs from another unit's", fam.suffix, base)
		}
		help[fam.suffix] = fam.help
	}
}
