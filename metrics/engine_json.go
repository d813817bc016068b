package metrics

import (
	"encoding/json"
	"math"
)

// MarshalJSON encodes d with null for a ratio that cannot be computed (the
// attainment rate without targets, every share without sections):
// encoding/json refuses NaN, and a Snapshot must always encode.
func (d DistrictStanding) MarshalJSON() ([]byte, error) {
	type plain struct {
		Sections        int      `json:"sections"`
		IVOrBetter      int      `json:"iv_or_better"`
		IIIOrBetter     int      `json:"iii_or_better"`
		GoodRatio       *float64 `json:"good_ratio"`
		InferiorVRatio  *float64 `json:"inferior_v_ratio"`
		AttainmentRatio *float64 `json:"attainment_ratio"`
	}
	return json.Marshal(plain{
		Sections: d.Sections, IVOrBetter: d.IVOrBetter, IIIOrBetter: d.IIIOrBetter,
		GoodRatio: finiteOrNil(d.GoodRatio), InferiorVRatio: finiteOrNil(d.InferiorVRatio), AttainmentRatio: finiteOrNil(d.AttainmentRatio),
	})
}

// UnmarshalJSON decodes d, reading null ratios as NaN.
func (d *DistrictStanding) UnmarshalJSON(b []byte) error {
	var v struct {
		Sections        int      `json:"sections"`
		IVOrBetter      int      `json:"iv_or_better"`
		IIIOrBetter     int      `json:"iii_or_better"`
		GoodRatio       *float64 `json:"good_ratio"`
		InferiorVRatio  *float64 `json:"inferior_v_ratio"`
		AttainmentRatio *float64 `json:"attainment_ratio"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = DistrictStanding{Sections: v.Sections, IVOrBetter: v.IVOrBetter, IIIOrBetter: v.IIIOrBetter,
		GoodRatio: nanIfNil(v.GoodRatio), InferiorVRatio: nanIfNil(v.InferiorVRatio), AttainmentRatio: nanIfNil(v.AttainmentRatio)}
	return nil
}

func finiteOrNil(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func nanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
