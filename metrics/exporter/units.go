package exporter

// unitFamily names the metric-name suffix an indicator base unit is
// exported under, the factor from the catalogue's base unit to it, and the
// words its HELP text uses.
//
// Prometheus wants base units in names (seconds, grams, joules, meters).
// Where the catalogue's unit has an exact SI base equivalent the value is
// converted (kWh → joules, mg/L → grams per cubic metre, count/L → per cubic
// metre), so promtool and promlint accept the name. Units with no SI base —
// currencies, tonnes of CO₂, tonnes of coal equivalent, NTU, pH, water
// class — keep the catalogue's unit, spelled out in the name and in HELP.
type unitFamily struct {
	suffix string
	// A value in the base unit is exported as value × mul / div. Two
	// factors keep µg/m³ → g/m³ exact (35 / 1e6 rounds once; 35 × 1e-6
	// would not).
	mul, div float64
	help     string
}

// convert is v in the family's unit.
func (f unitFamily) convert(v float64) float64 { return v * f.mul / f.div }

// unitFamilies maps every base unit of models (models/units.go) to its
// family. A catalogue unit missing here is reported by New.
var unitFamilies = map[string]unitFamily{
	"CNY":          {"cny", 1, 1, "renminbi yuan (CNY, 元)"},
	"USD":          {"usd", 1, 1, "US dollars (USD)"},
	"EUR":          {"eur", 1, 1, "euros (EUR)"},
	"CNY/t":        {"cny_per_tonne", 1, 1, "renminbi yuan per tonne (元/吨, carbon prices per tCO2)"},
	"EUR/t":        {"eur_per_tonne", 1, 1, "euros per tonne (EUR/t, carbon prices per tCO2)"},
	"m2":           {"square_meters", 1, 1, "square metres (m², 平方米; 1 亩 = 666.67 m²)"},
	"m3":           {"cubic_meters", 1, 1, "cubic metres (m³, 立方米)"},
	"t":            {"tonnes", 1, 1, "metric tonnes (t, 吨; not converted to grams so report figures stay recognisable)"},
	"tCO2":         {"tonnes_co2", 1, 1, "tonnes of CO2 equivalent (tCO2e, 吨二氧化碳)"},
	"tce":          {"tonnes_coal_equivalent", 1, 1, "tonnes of standard coal equivalent (tce, 吨标准煤)"},
	"tce/10^4CNY":  {"tonnes_coal_equivalent_per_10k_cny", 1, 1, "tonnes of standard coal equivalent per 10,000 CNY of GDP (吨标准煤/万元)"},
	"tCO2/10^4CNY": {"tonnes_co2_per_10k_cny", 1, 1, "tonnes of CO2 per 10,000 CNY of GDP (吨二氧化碳/万元)"},
	"kWh":          {"joules", 3.6e6, 1, "joules (converted from kWh: 1 kWh = 3.6e6 J; divide by 3.6e6 for 千瓦时)"},
	"count":        {"items", 1, 1, "items counted (个, 所, 宗, 条, 人 …; the catalogue's unit 'count')"},
	"ratio":        {"ratio", 1, 1, "ratio from 0 to 1 (reports show it ×100 as %)"},
	"class":        {"class", 1, 1, "GB 3838-2002 water class code (1 = Ⅰ … 5 = Ⅴ, 6 = 劣Ⅴ)"},
	"mg/L":         {"grams_per_cubic_meter", 1, 1, "grams per cubic metre (mass concentration; 1 mg/L = 1 g/m³, 1 µg/m³ = 1e-6 g/m³)"},
	"ug/m3":        {"grams_per_cubic_meter", 1, 1e6, "grams per cubic metre (mass concentration; 1 mg/L = 1 g/m³, 1 µg/m³ = 1e-6 g/m³)"},
	"index":        {"index", 1, 1, "dimensionless index (AQI, HJ 633-2012)"},
	"pH":           {"ph", 1, 1, "pH (dimensionless)"},
	"count/L":      {"items_per_cubic_meter", 1000, 1, "items per cubic metre (converted from 个/L: ×1000)"},
	"cells/L":      {"cells_per_cubic_meter", 1000, 1, "algal cells per cubic metre (converted from cells/L: ×1000)"},
	"degC":         {"celsius", 1, 1, "degrees Celsius (℃)"},
	"uS/cm":        {"siemens_per_meter", 1, 1e4, "siemens per metre (converted from µS/cm: ×1e-4)"},
	"NTU":          {"ntu", 1, 1, "nephelometric turbidity units (NTU)"},
}

// familySuffixes maps each distinct suffix to its HELP words, so a value
// family is described once even when two catalogue units share it (mg/L and
// µg/m³). Units sharing a suffix share their help text (a test checks it).
func familySuffixes() map[string]string {
	out := map[string]string{}
	for _, f := range unitFamilies {
		out[f.suffix] = f.help
	}
	return out
}
