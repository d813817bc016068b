package config

import (
	"errors"
	"fmt"
)

// Water configures surface-water evaluation: the assessed sections with
// their water body, target class and evaluated items.
type Water struct {
	Sections []WaterSection `yaml:"sections"`
}

// WaterSection is one assessed section (考核断面).
type WaterSection struct {
	// Name is the entity name the section's observations carry.
	Name string `yaml:"name"`
	// WaterBody is river, lake or reservoir (lakes and reservoirs use the
	// lake TP limits and report TN).
	WaterBody string `yaml:"water_body"`
	// TargetClass is the assessment target, 1–5 (Ⅰ–Ⅴ).
	TargetClass int `yaml:"target_class"`
	// Items are the evaluated item codes; empty: the 21 items of 环办〔2011〕22号.
	Items []string `yaml:"items"`
	// Level is national, municipal or district.
	Level string `yaml:"level"`
}

func defaultWater() Water { return Water{} }

func (w Water) validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, s := range w.Sections {
		key := fmt.Sprintf("sections[%d]", i)
		switch {
		case s.Name == "":
			errs = append(errs, keyed(key+".name", errors.New("is required")))
		case seen[s.Name]:
			errs = append(errs, keyed(key+".name", fmt.Errorf("section %q listed twice", s.Name)))
		}
		seen[s.Name] = true
		switch s.WaterBody {
		case "", "river", "lake", "reservoir":
		default:
			errs = append(errs, keyed(key+".water_body", fmt.Errorf("%s: %q is not river, lake or reservoir", s.Name, s.WaterBody)))
		}
		if s.TargetClass < 0 || s.TargetClass > 5 {
			errs = append(errs, keyed(key+".target_class", fmt.Errorf("%s: %d must be 1–5", s.Name, s.TargetClass)))
		}
	}
	return errors.Join(errs...)
}
