package water

import (
	"errors"
	"fmt"
	"strings"
)

// A WaterBody is the kind of water a section monitors. It decides which total
// phosphorus limits apply and whether total nitrogen is classified at all.
// The zero value is River, the common case: CNEMC classifies a section with
// river limits unless it is flagged as a lake or reservoir.
type WaterBody uint8

// The water bodies of GB 3838-2002. Reservoirs use the lake limits ("湖、库").
const (
	River WaterBody = iota
	Lake
	Reservoir
)

// ErrInvalidWaterBody is returned by ParseWaterBody for an unknown name.
var ErrInvalidWaterBody = errors.New("invalid water body")

var waterBodyNames = [...]string{"river", "lake", "reservoir"}

// String returns "river", "lake" or "reservoir".
func (b WaterBody) String() string {
	if int(b) < len(waterBodyNames) {
		return waterBodyNames[b]
	}
	return fmt.Sprintf("WaterBody(%d)", uint8(b))
}

// Valid reports whether b is River, Lake or Reservoir.
func (b WaterBody) Valid() bool { return b <= Reservoir }

// usesLakeLimits reports whether the lake-and-reservoir limits of Table 1
// apply (TP 0.01/0.025/0.05/0.1/0.2, and TN at all).
func (b WaterBody) usesLakeLimits() bool { return b == Lake || b == Reservoir }

// waterBodyAliases holds the English names and the Chinese ones used in
// section lists (河流, 湖泊, 水库, and 湖库 for "lake or reservoir").
var waterBodyAliases = map[string]WaterBody{
	"river": River, "lake": Lake, "reservoir": Reservoir,
	"河流": River, "河": River,
	"湖泊": Lake, "湖": Lake, "湖库": Lake,
	"水库": Reservoir, "库": Reservoir,
}

// ParseWaterBody parses "river", "lake" or "reservoir" (any case) or their
// Chinese names 河流, 湖泊, 水库 and 湖库.
func ParseWaterBody(s string) (WaterBody, error) {
	b, ok := waterBodyAliases[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return River, fmt.Errorf("parse %q: %w", s, ErrInvalidWaterBody)
	}
	return b, nil
}
