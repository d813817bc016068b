package exporter

// unitFamily names the metric-name suffix an indicator base unit is
// exported under and the words its HELP text uses.
//
// Unit policy (docs/metrics.md §Units): every family carries the
// catalogue's base unit (models/units.go) unchanged, spelled out in the
// metric name — kWh as kwh, µg/m³ as ug_per_cubic_meter,
// tonnes as tonnes. A value on /metrics is the stored figure, the number the
// report and InfluxDB show in the same unit, so no panel or rule has to undo
// a conversion (the former SI conversion turned PM2.5 into 3.2e-5 g/m³ and
// electricity into joules while tonnes stayed tonnes). Display units (万吨,
// 亿元, 亿千瓦时) are the dashboards' business: they divide by a power of
// ten, never by a physical factor.
type unitFamily struct {
	suffix string
	help   string
}

// convert is v in the family's unit: the identity, kept as the one place
// a value passes through on its way out, so the policy is visible.
func (f unitFamily) convert(v float64) float64 { return v }

// unitFamilies maps every base unit of models (models/units.go) to its
// family. A catalogue unit missing here is reported by New.
var unitFamilies = map[string]unitFamily{
	"CNY":          {"cny", "renminbi yuan (CNY, 元; dashboards show 亿元 = 1e8)"},
	"USD":          {"usd", "US dollars (USD)"},
	"EUR":          {"eur", "euros (EUR)"},
	"CNY/t":        {"cny_per_tonne", "renminbi yuan per tonne (元/吨, carbon prices per tCO2)"},
	"EUR/t":        {"eur_per_tonne", "euros per tonne (EUR/t, carbon prices per tCO2)"},
	"m2":           {"square_meters", "square metres (m², 平方米; dashboards show 万平方米 = 1e4)"},
	"m3":           {"cubic_meters", "cubic metres (m³, 立方米)"},
	"t":            {"tonnes", "metric tonnes (t, 吨; dashboards show 万吨 = 1e4)"},
	"tCO2":         {"tonnes_co2", "tonnes of CO2 equivalent (tCO2e, 吨二氧化碳; dashboards show 万吨 = 1e4)"},
	"tce":          {"tonnes_coal_equivalent", "tonnes of standard coal equivalent (tce, 吨标准煤; dashboards show 万吨标准煤 = 1e4)"},
	"tce/10^4CNY":  {"tonnes_coal_equivalent_per_10k_cny", "tonnes of standard coal equivalent per 10,000 CNY of GDP (吨标准煤/万元)"},
	"tCO2/10^4CNY": {"tonnes_co2_per_10k_cny", "tonnes of CO2 per 10,000 CNY of GDP (吨二氧化碳/万元)"},
	"kWh":          {"kwh", "kilowatt hours (kWh, 千瓦时; dashboards show 亿千瓦时 = 1e8)"},
	"count":        {"items", "items counted (个, 所, 宗, 条, 人 …; the catalogue's unit 'count')"},
	"ratio":        {"ratio", "ratio from 0 to 1 (reports show it ×100 as %)"},
	"class":        {"class", "GB 3838-2002 water class code (1 = Ⅰ … 5 = Ⅴ, 6 = 劣Ⅴ)"},
	"mg/L":         {"mg_per_liter", "milligrams per litre (mg/L, water quality)"},
	"ug/m3":        {"ug_per_cubic_meter", "micrograms per cubic metre (µg/m³, air quality)"},
	"index":        {"index", "dimensionless index (AQI, HJ 633-2012)"},
	"pH":           {"ph", "pH (dimensionless)"},
	"count/L":      {"items_per_liter", "items per litre (个/L)"},
	"cells/L":      {"cells_per_liter", "algal cells per litre (cells/L)"},
	"degC":         {"celsius", "degrees Celsius (℃)"},
	"uS/cm":        {"us_per_centimeter", "microsiemens per centimetre (µS/cm)"},
	"NTU":          {"ntu", "nephelometric turbidity units (NTU)"},
}

// familySuffixes maps each distinct suffix to its HELP words, so a value
// family is described once. Units sharing a suffix would share their help
// text (a test checks it).
func familySuffixes() map[string]string {
	out := map[string]string{}
	for _, f := range unitFamilies {
		out[f.suffix] = f.help
	}
	return out
}
