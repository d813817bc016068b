package config

import (
	"fmt"

	"github.com/greenmetrics/greenmetrics/models/carbon"
)

// Carbon configures carbon accounting: the emission-factor table and which
// grid factor electricity uses. Each factor has its series, year and source
// so every computed figure can say which factor it used.
type Carbon struct {
	// FactorsFile replaces the embedded factor table (config/factors.yaml)
	// when set; it is validated as strictly as the embedded one.
	FactorsFile string `yaml:"factors_file"`
	// ElectricityFactor pins the grid factor by id (e.g.
	// "mee_nbs_2022_beijing"). Empty: the factor of ElectricitySeries and
	// ElectricityRegion for the data year, or the newest before it.
	ElectricityFactor string `yaml:"electricity_factor"`
	// ElectricitySeries is the grid-factor series: mee_nbs (location-based,
	// the default), mee_nbs_excl_market (market-based) or ets (enterprise
	// ETS reporting). Series are never mixed.
	ElectricitySeries string `yaml:"electricity_series"`
	// ElectricityRegion is the grid: beijing (default), north_china or
	// national.
	ElectricityRegion string `yaml:"electricity_region"`
}

func defaultCarbon() Carbon {
	return Carbon{ElectricitySeries: carbon.SeriesMEENBS, ElectricityRegion: "beijing"}
}

// Factors loads the factor table the configuration names (the embedded one
// by default) and checks that the electricity choice resolves in it.
func (c Carbon) Factors() (*FactorTable, error) {
	t, err := LoadFactors(c.FactorsFile)
	if err != nil {
		return nil, err
	}
	if err := c.checkElectricity(t.Table); err != nil {
		return nil, &Error{File: t.Name, Field: "carbon", Err: err}
	}
	return t, nil
}

// Selection is the emission-factor choice per activity: the package default
// (guideline fuels, coal convention for tce) with electricity as configured.
func (c Carbon) Selection() carbon.Selection {
	sel := carbon.DefaultEmissionSelection()
	sel[carbon.Electricity] = carbon.Choice{FactorID: c.ElectricityFactor, Series: c.ElectricitySeries, Region: c.ElectricityRegion}
	return sel
}

func (c Carbon) checkElectricity(t *carbon.Table) error {
	if c.ElectricityFactor != "" {
		f, ok := t.Lookup(c.ElectricityFactor)
		switch {
		case !ok:
			return fmt.Errorf("electricity_factor %q: %w", c.ElectricityFactor, carbon.ErrNoFactor)
		case f.Activity != carbon.Electricity || f.Output() != carbon.OutputCO2:
			return fmt.Errorf("electricity_factor %q is a %s factor for %s, not a grid CO2 factor", f.ID, f.Output(), f.Activity)
		}
		return nil
	}
	_, err := t.Select(carbon.Query{Activity: carbon.Electricity, Output: carbon.OutputCO2,
		Series: c.ElectricitySeries, Region: c.ElectricityRegion})
	if err != nil {
		return fmt.Errorf("electricity_series %q, electricity_region %q: %w", c.ElectricitySeries, c.ElectricityRegion, err)
	}
	return nil
}

func (c Carbon) validate() error {
	if len(c.ElectricityFactor) > 128 {
		return keyed("electricity_factor", fmt.Errorf("%q is too long", c.ElectricityFactor))
	}
	if c.ElectricityFactor == "" && (c.ElectricitySeries == "" || c.ElectricityRegion == "") {
		return fmt.Errorf("electricity_series and electricity_region are required unless electricity_factor is set")
	}
	_, err := c.Factors()
	return err
}
