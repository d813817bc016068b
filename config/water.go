package config

import "fmt"

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
	seen := map[string]bool{}
	for i, s := range w.Sections {
		if s.Name == "" {
			return fmt.Errorf("sections[%d]: name is required", i)
		}
		if seen[s.Name] {
			return fmt.Errorf("sections[%d]: section %q listed twice", i, s.Name)
		}
		seen[s.Name] = true
		switch s.WaterBody {
		case "", "river", "lake", "reservoir":
		default:
			return fmt.Errorf("sections[%d] %s: water_body %q is not river, lake or reservoir", i, s.Name, s.WaterBody)
		}
		if s.TargetClass < 0 || s.TargetClass > 5 {
			return fmt.Errorf("sections[%d] %s: target_class %d must be 1–5", i, s.Name, s.TargetClass)
		}
	}
	return nil
}
