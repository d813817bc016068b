package exporter

import (
	"testing"

	"github.com/greenmetrics/greenmetrics/models"
)

// TestUnitFamiliesAreModelBaseUnits: every key is a base unit of models,
// the unit every stored figure is in and the one the family exports.
func TestUnitFamiliesAreModelBaseUnits(t *testing.T) {
	for base, fam := range unitFamilies {
		u, ok := models.LookupUnit(base)
		if !ok || u.Base != base {
			t.Errorf("models.LookupUnit(%q) = %+v, %v; want base %q", base, u, ok, base)
		}
		if fam.suffix == "" || fam.help == "" {
			t.Errorf("unitFamilies[%q] = %+v; want a suffix and help", base, fam)
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

// TestEveryUnitHasItsOwnFamily: with no conversion, two units under one
// name would put different scales in one metric.
func TestEveryUnitHasItsOwnFamily(t *testing.T) {
	seen := map[string]string{}
	for base, fam := range unitFamilies {
		if other, ok := seen[fam.suffix]; ok {
			t.Errorf("units %q and %q share the family %q", base, other, fam.suffix)
		}
		seen[fam.suffix] = base
		if got := fam.convert(3.2); got != 3.2 {
			t.Errorf("unit %q: convert(3.2) = %v; the policy exports base units unchanged", base, got)
		}
	}
}
