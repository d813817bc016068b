package config

import "fmt"

// Carbon configures carbon accounting: the emission-factor table. Each
// factor has its series, year and source so every computed figure can say
// which factor it used.
type Carbon struct {
	// FactorsFile replaces the embedded factor table when set.
	FactorsFile string `yaml:"factors_file"`
	// ElectricityFactor selects the grid factor by id (e.g.
	// "mee_nbs_2022_beijing"); empty: the newest Beijing MEE/NBS factor.
	ElectricityFactor string `yaml:"electricity_factor"`
}

func defaultCarbon() Carbon { return Carbon{} }

func (c Carbon) validate() error {
	if c.ElectricityFactor != "" && len(c.ElectricityFactor) > 128 {
		return fmt.Errorf("electricity_factor %q is too long", c.ElectricityFactor)
	}
	return nil
}
