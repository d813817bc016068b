package deploy

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
)

// InfluxQLQuery is a raw InfluxQL query of Grafana's InfluxDB datasource in
// InfluxQL mode. The foundation SDK has no InfluxDB dataquery type, so this
// is the custom type its README describes, with the fields Grafana saves
// for a raw query.
type InfluxQLQuery struct {
	RefId      *string               `json:"refId,omitempty"`
	Hide       *bool                 `json:"hide,omitempty"`
	Datasource *common.DataSourceRef `json:"datasource,omitempty"`
	Query      string                `json:"query"`
	RawQuery   bool                  `json:"rawQuery"`
	// ResultFormat is time_series or table.
	ResultFormat string `json:"resultFormat"`
	// Alias names series; $tag_<key> inserts a GROUP BY tag.
	Alias string `json:"alias,omitempty"`
}

// ImplementsDataqueryVariant marks InfluxQLQuery as a dataquery.
func (InfluxQLQuery) ImplementsDataqueryVariant() {}

// DataqueryType is the datasource plugin id.
func (InfluxQLQuery) DataqueryType() string { return "influxdb" }

// Validate accepts any query: InfluxQL is checked against a real InfluxDB by
// the integration test.
func (InfluxQLQuery) Validate() error { return nil }

// Equals compares two dataqueries field by field.
func (q InfluxQLQuery) Equals(other variants.Dataquery) bool {
	o, ok := other.(InfluxQLQuery)
	return ok && reflect.DeepEqual(q, o)
}

// InfluxQLVariantConfig registers InfluxQLQuery with the SDK runtime, so the
// strict loader decodes influxdb targets into it and rejects unknown keys.
func InfluxQLVariantConfig() variants.DataqueryConfig {
	decode := func(raw []byte, strict bool) (variants.Dataquery, error) {
		var q InfluxQLQuery
		dec := json.NewDecoder(bytes.NewReader(raw))
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(&q); err != nil {
			return nil, err
		}
		return q, nil
	}
	return variants.DataqueryConfig{
		Identifier:                 "influxdb",
		DataqueryUnmarshaler:       func(raw []byte) (variants.Dataquery, error) { return decode(raw, false) },
		StrictDataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) { return decode(raw, true) },
	}
}

// influxQLBuilder builds an InfluxQLQuery for a panel's WithTarget.
type influxQLBuilder struct{ q InfluxQLQuery }

var _ cog.Builder[variants.Dataquery] = (*influxQLBuilder)(nil)

func (b *influxQLBuilder) Build() (variants.Dataquery, error) { return b.q, nil }
