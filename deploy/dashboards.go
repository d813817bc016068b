package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/greenmetrics/greenmetrics/config"
)

// Datasource uids, fixed in deploy/grafana/provisioning/datasources so
// that dashboards can refer to them.
const (
	PromUID   = "greenmetrics-prom"
	InfluxUID = "greenmetrics-influx"
)

// DashboardFile is a generated dashboard and the file it is provisioned from.
type DashboardFile struct {
	Name string // file name under deploy/grafana/dashboards
	JSON []byte
}

// Dashboards builds every dashboard, in the order of docs/dashboards.md.
func Dashboards() ([]DashboardFile, error) {
	cat, err := config.DefaultCatalog()
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	builders := []struct {
		name string
		b    *dashboard.DashboardBuilder
	}{
		{"overview.json", overviewDashboard()},
		{"carbon.json", carbonDashboard(codesInUnit(cat, "tCO2"))},
		{"green-finance.json", greenFinanceDashboard()},
		{"water.json", waterDashboard()},
		{"building.json", buildingDashboard()},
		{"system.json", systemDashboard()},
	}
	out := make([]DashboardFile, 0, len(builders))
	for _, d := range builders {
		built, err := d.b.Build()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.name, err)
		}
		numberPanels(&built)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		// Keep 完成率 and PromQL's <, > readable in the files.
		enc.SetEscapeHTML(false)
		if err := enc.Encode(built); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.name, err)
		}
		out = append(out, DashboardFile{Name: d.name, JSON: buf.Bytes()})
	}
	return out, nil
}

// numberPanels gives panels stable ids in layout order, so links to a
// panel (?viewPanel=3) survive regeneration.
func numberPanels(d *dashboard.Dashboard) {
	for i := range d.Panels {
		if p := d.Panels[i].Panel; p != nil {
			id := uint32(i + 1)
			p.Id = &id
		}
	}
}

// ── building blocks ────────────────────────────────────────────────────

func ref(typ, uid string) common.DataSourceRef { return common.DataSourceRef{Type: &typ, Uid: &uid} }

var (
	promDS   = ref("prometheus", PromUID)
	influxDS = ref("influxdb", InfluxUID)
)

// newDashboard sets what every dashboard shares: Beijing time, a long
// default range (the figures are monthly) and links to the others.
func newDashboard(uid, title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{"greenmetrics"}).
		Timezone("Asia/Shanghai").
		Time("now-1y", "now").
		Refresh("1m").
		Readonly().
		Link(dashboard.NewDashboardLinkBuilder("greenmetrics").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"greenmetrics"}).
			AsDropdown(true).
			KeepTime(true))
}

// layout places panels left to right on Grafana's 24-column grid.
type layout struct{ x, y, rowH uint32 }

func (l *layout) at(w, h uint32) dashboard.GridPos {
	if l.x+w > 24 {
		l.x, l.y, l.rowH = 0, l.y+l.rowH, 0
	}
	pos := dashboard.GridPos{X: l.x, Y: l.y, W: w, H: h}
	l.x += w
	l.rowH = max(l.rowH, h)
	return pos
}

// newTable is a table panel with the footer spelt out: the SDK's default
// footer has a null reducer, which its own strict loader rejects.
func newTable() *table.PanelBuilder {
	return table.NewPanelBuilder().
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}).CountRows(false))
}

// promRange is a Prometheus query drawn over the dashboard's time range.
func promRange(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(refID).Datasource(promDS).
		Expr(expr).LegendFormat(legend).Range()
}

// promInstant is a Prometheus query of the current value only.
func promInstant(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(refID).Datasource(promDS).
		Expr(expr).LegendFormat(legend).Instant()
}

// promTable is an instant query returned as a table, one column per label.
func promTable(refID, expr string) *prometheus.DataqueryBuilder {
	return promInstant(refID, expr, "").Format(prometheus.PromQueryFormatTable)
}

// influxQL is a raw InfluxQL query against the history in InfluxDB.
func influxQL(refID, query, alias string) *influxQLBuilder {
	ds := influxDS
	return &influxQLBuilder{q: InfluxQLQuery{RefId: &refID, Datasource: &ds, Query: query, RawQuery: true,
		ResultFormat: "time_series", Alias: alias}}
}

func thresholds(base string, steps ...any) *dashboard.ThresholdsConfigBuilder {
	out := []dashboard.Threshold{{Color: base}}
	for i := 0; i+1 < len(steps); i += 2 {
		v := steps[i].(float64)
		out = append(out, dashboard.Threshold{Value: &v, Color: steps[i+1].(string)})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

// textMap maps raw values (status codes, class numbers) to Chinese text.
func textMap(pairs ...string) []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	for i := 0; i+2 < len(pairs)+1; i += 3 {
		text, color := pairs[i+1], pairs[i+2]
		idx := int32(i / 3)
		opts[pairs[i]] = dashboard.ValueMappingResult{Text: &text, Color: &color, Index: &idx}
	}
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: opts}}}
}

// statusText is the report's wording of models.Status.
var statusText = textMap(
	"ahead", "超序时", "green",
	"behind", "落后序时", "orange",
	"achieved", "已完成", "blue",
	"missed", "未完成", "red",
	"no_target", "未设定目标", "text",
	"municipal", "市级下达", "text",
	"no_data", "暂无数据", "text",
)

// classText is the GB 3838-2002 class of a class code.
var classText = textMap(
	"1", "Ⅰ类", "blue",
	"2", "Ⅱ类", "green",
	"3", "Ⅲ类", "green",
	"4", "Ⅳ类", "yellow",
	"5", "Ⅴ类", "orange",
	"6", "劣Ⅴ类", "red",
)

func prop(id string, value any) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: id, Value: value}
}

// merge and organize turn several instant table queries into one table
// with Chinese column names.
func merge() dashboard.DataTransformerConfig {
	return dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}
}

func organize(exclude []string, rename map[string]string, order []string) dashboard.DataTransformerConfig {
	ex := map[string]bool{}
	for _, f := range exclude {
		ex[f] = true
	}
	idx := map[string]int{}
	for i, f := range order {
		idx[f] = i
	}
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
		"excludeByName": ex, "renameByName": rename, "indexByName": idx,
	}}
}

// ── PromQL fragments ──────────────────────────────────────────────────

// districtEntity and districtTag select the district's own figures, which
// carry no entity (docs/schema.md): panels that add or pick figures up
// across series use them, so reference series of other levels (World,
// China, provinces, stations) are never summed into the district's.
const (
	districtEntity = `entity=""`
	districtTag    = `"entity" = ''`
)

// info filters by the dashboard's domain and indicator variables.
const info = `greenmetrics_indicator_info{domain=~"$domain",indicator=~"$indicator"}`

// named attaches the Chinese name to a per-indicator vector and applies
// the variables.
func named(expr string) string {
	return "(" + expr + ") * on(indicator) group_left(name_zh) " + info
}

// inDomain attaches the Chinese name, for a dashboard without variables
// restricted to domains (a regex of models.Domain values).
func inDomain(expr, domains string) string {
	return "(" + expr + `) * on(indicator) group_left(name_zh) greenmetrics_indicator_info{domain=~"` + domains + `"}`
}

func countOrZero(expr string) string { return "count(" + expr + ") or vector(0)" }

// staleExpr is the condition of GreenmetricsIndicatorStale.
const staleExpr = `time() - greenmetrics_indicator_last_observation_timestamp_seconds > on(indicator) 2 * greenmetrics_indicator_reporting_interval_seconds + on() group_left() greenmetrics_stale_grace_seconds`

// ── 总览 ───────────────────────────────────────────────────────────────

func domainVar() *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("domain").Label("领域").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(greenmetrics_indicator_info, domain)")}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(".*")
}

func indicatorVar(selector string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("indicator").Label("指标").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(greenmetrics_indicator_info" + selector + ", indicator)")}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(".*")
}

func sectionVar() *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("section").Label("断面").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(greenmetrics_water_section_info, section)")}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(".*")
}

func statusCount(title, status, color string, l *layout) *stat.PanelBuilder {
	return stat.NewPanelBuilder().Title(title).Datasource(promDS).GridPos(l.at(4, 4)).
		Unit("none").Decimals(0).ColorMode(common.BigValueColorModeBackground).
		Thresholds(thresholds(color)).
		WithTarget(promInstant("A", countOrZero(
			`(greenmetrics_indicator_status{status="`+status+`"} == 1) and on(indicator) `+info), title))
}

func overviewDashboard() *dashboard.DashboardBuilder {
	var l layout
	d := newDashboard("greenmetrics-overview", "总览 · 年度目标完成情况",
		"每个有目标的指标：实际值、目标值、完成率与序时进度、状态。数据来自 greenmetrics 的分析快照（Prometheus）。").
		WithVariable(domainVar()).
		WithVariable(indicatorVar(`{domain=~"$domain"}`))
	d.WithPanel(statusCount("超序时", "ahead", "green", &l)).
		WithPanel(statusCount("落后序时", "behind", "orange", &l)).
		WithPanel(statusCount("已完成", "achieved", "blue", &l)).
		WithPanel(statusCount("未完成", "missed", "red", &l)).
		WithPanel(stat.NewPanelBuilder().Title("预计无法完成").Datasource(promDS).GridPos(l.at(4, 4)).
			Unit("none").Decimals(0).ColorMode(common.BigValueColorModeBackground).
			Thresholds(thresholds("green", 1.0, "orange")).
			WithTarget(promInstant("A", countOrZero(`(greenmetrics_indicator_projected_completion_ratio < 1) and on(indicator) `+info), "预计无法完成"))).
		WithPanel(stat.NewPanelBuilder().Title("数据断更").Datasource(promDS).GridPos(l.at(4, 4)).
			Unit("none").Decimals(0).ColorMode(common.BigValueColorModeBackground).
			Thresholds(thresholds("green", 1.0, "orange")).
			WithTarget(promInstant("A", countOrZero(`(`+staleExpr+`) and on(indicator) `+info), "数据断更")))

	d.WithPanel(targetTable(&l))

	d.WithPanel(bargauge.NewPanelBuilder().Title("完成率 − 序时进度（负值即落后）").Datasource(promDS).GridPos(l.at(12, 12)).
		Unit("percentunit").Min(-1).Max(1).
		Orientation(common.VizOrientationHorizontal).DisplayMode(common.BarGaugeDisplayModeBasic).
		Thresholds(thresholds("red", -0.05, "orange", 0.0, "green")).
		WithTarget(promInstant("A", named(`greenmetrics_indicator_completion_ratio - on(indicator) greenmetrics_indicator_time_progress_ratio`), "{{name_zh}}")))
	d.WithPanel(bargauge.NewPanelBuilder().Title("预计年末完成率").Datasource(promDS).GridPos(l.at(12, 12)).
		Unit("percentunit").Min(0).Max(1.5).
		Orientation(common.VizOrientationHorizontal).DisplayMode(common.BarGaugeDisplayModeBasic).
		Thresholds(thresholds("red", 0.9, "orange", 1.0, "green")).
		WithTarget(promInstant("A", named(`greenmetrics_indicator_projected_completion_ratio`), "{{name_zh}}")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("完成率与序时进度走势").Datasource(promDS).GridPos(l.at(24, 9)).
		Unit("percentunit").Min(0).
		WithTarget(promRange("A", named(`greenmetrics_indicator_completion_ratio`), "{{name_zh}}")).
		WithTarget(promRange("B", `max(greenmetrics_indicator_time_progress_ratio)`, "序时进度")).
		OverrideByName("序时进度", []dashboard.DynamicConfigValue{
			prop("custom.lineStyle", map[string]any{"fill": "dash", "dash": []int{10, 10}}),
			prop("color", map[string]any{"mode": "fixed", "fixedColor": "red"}),
		}))
	return d
}

// targetTable is the 总览 table: one row per indicator with a status.
func targetTable(l *layout) *table.PanelBuilder {
	filter := ` and on(indicator) ` + info
	return newTable().Title("年度目标完成情况").Datasource(promDS).GridPos(l.at(24, 12)).
		Description("完成率 = 实际/目标（逆向指标为 目标/实际），≥100% 即达标；序时进度 = 年内已过时间占比。实际值与目标值为基本单位（单位列）。").
		WithTarget(promTable("A", info+` * on(indicator) group_left(status) (greenmetrics_indicator_status == 1)`)).
		WithTarget(promTable("B", `greenmetrics_indicator_completion_ratio`+filter)).
		WithTarget(promTable("C", `greenmetrics_indicator_time_progress_ratio`+filter)).
		WithTarget(promTable("D", `sum by (indicator) ({__name__=~"greenmetrics_indicator_actual_.+"})`+filter)).
		WithTarget(promTable("E", `sum by (indicator) ({__name__=~"greenmetrics_indicator_target_.+"})`+filter)).
		WithTarget(promTable("F", `greenmetrics_indicator_projected_completion_ratio`+filter)).
		WithTransformation(merge()).
		WithTransformation(organize(
			[]string{"Time", "Value #A", "__name__", "job", "instance", "kind", "direction", "name_en", "display_unit"},
			map[string]string{
				"name_zh": "指标", "indicator": "代码", "domain": "领域", "unit": "单位", "status": "状态",
				"Value #B": "完成率", "Value #C": "序时进度", "Value #D": "实际值", "Value #E": "目标值", "Value #F": "预计年末完成率",
			},
			[]string{"name_zh", "status", "Value #B", "Value #C", "Value #D", "Value #E", "unit", "Value #F", "domain", "indicator"})).
		OverrideByName("状态", []dashboard.DynamicConfigValue{
			prop("mappings", statusText),
			prop("custom.cellOptions", map[string]any{"type": "color-text"}),
		}).
		OverrideByRegexp("完成率|序时进度|预计年末完成率", []dashboard.DynamicConfigValue{
			prop("unit", "percentunit"), prop("decimals", 1),
		}).
		OverrideByName("完成率", []dashboard.DynamicConfigValue{
			prop("custom.cellOptions", map[string]any{"type": "color-background", "mode": "basic"}),
			prop("thresholds", map[string]any{"mode": "absolute", "steps": []map[string]any{
				{"color": "red", "value": nil}, {"color": "orange", "value": 0.5}, {"color": "green", "value": 1}}}),
		}).
		OverrideByRegexp("实际值|目标值", []dashboard.DynamicConfigValue{prop("unit", "short"), prop("decimals", 2)})
}

// ── 碳排放与碳减排 ─────────────────────────────────────────────────────

// codesInUnit is a regex alternation of the catalogue codes in a base
// unit, for InfluxQL panels: the Prometheus families carry the unit in
// their name, InfluxDB's figures do not, and the $indicator variable's All
// (.*) would otherwise match every indicator.
func codesInUnit(cat *config.Catalog, unit string) string {
	var codes []string
	for _, ind := range cat.Indicators() {
		if ind.Unit == unit {
			codes = append(codes, regexp.QuoteMeta(ind.Code))
		}
	}
	sort.Strings(codes)
	return "(" + strings.Join(codes, "|") + ")"
}

func carbonDashboard(co2Codes string) *dashboard.DashboardBuilder {
	var l layout
	d := newDashboard("greenmetrics-carbon", "碳排放与碳减排",
		"二氧化碳排放、碳减排与能源消费：最新观测（Prometheus）与历史（InfluxDB）。排放以万吨二氧化碳显示。").
		WithVariable(indicatorVar(`{unit="tCO2"}`).Label("排放指标"))
	co2 := `greenmetrics_indicator_value_tonnes_co2{indicator=~"$indicator"}`
	// The district's own figures carry no entity; World, China and the
	// provinces are reference series of other levels and never added in.
	districtCO2 := `greenmetrics_indicator_value_tonnes_co2{indicator=~"$indicator",` + districtEntity + `}`
	d.WithPanel(stat.NewPanelBuilder().Title("最新排放（通州区，万吨二氧化碳）").Datasource(promDS).GridPos(l.at(12, 5)).
		Description("本区自身的排放数据（不含对象）；全球、全国、各省等参考序列见“最新观测（按地区）”，从不相加。").
		Unit("short").Decimals(2).
		WithTarget(promInstant("A", inDomain(districtCO2+` / 1e4`, ".*"), "{{name_zh}}")))
	d.WithPanel(stat.NewPanelBuilder().Title("年内累计（万吨二氧化碳）").Datasource(promDS).GridPos(l.at(12, 5)).
		Unit("short").Decimals(2).
		WithTarget(promInstant("A", inDomain(`greenmetrics_indicator_actual_tonnes_co2{indicator=~"$indicator"} / 1e4`, ".*"), "{{name_zh}}")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("排放历史（通州区，InfluxDB，万吨二氧化碳）").Datasource(influxDS).GridPos(l.at(24, 9)).
		Description("报送数据（figure）与引擎推算（derived，如 co2_emissions），均为本区自身数据（不含对象）。").
		Unit("short").
		WithTarget(influxQL("A", `SELECT sum("value") / 10000 FROM "figure" WHERE "indicator" =~ /^`+co2Codes+`$/ AND "indicator" =~ /^$indicator$/ AND `+districtTag+` AND $timeFilter GROUP BY time($__interval), "indicator" fill(none)`, "$tag_indicator")).
		WithTarget(influxQL("B", `SELECT sum("value") / 10000 FROM "derived" WHERE "indicator" =~ /^`+co2Codes+`$/ AND "indicator" =~ /^$indicator$/ AND `+districtTag+` AND $timeFilter GROUP BY time($__interval), "indicator" fill(none)`, "$tag_indicator（推算）")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("最新观测（按地区，万吨二氧化碳）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").
		WithTarget(promRange("A", inDomain(co2+` / 1e4`, ".*"), "{{name_zh}} {{entity}}")))
	d.WithPanel(newTable().Title("排放趋势（Mann–Kendall）").Datasource(promDS).GridPos(l.at(12, 8)).
		Description("趋势方向：1 上升、0 无显著趋势、−1 下降；p 值小于 0.05 为显著。").
		WithTarget(promTable("A", inDomain(`greenmetrics_indicator_trend_direction{indicator=~"$indicator"}`, ".*"))).
		WithTarget(promTable("B", `greenmetrics_indicator_trend_p_value{indicator=~"$indicator"}`)).
		WithTransformation(merge()).
		WithTransformation(organize([]string{"Time", "__name__", "job", "instance"},
			map[string]string{"name_zh": "指标", "indicator": "代码", "entity": "对象", "Value #A": "趋势", "Value #B": "p 值"},
			[]string{"name_zh", "entity", "Value #A", "Value #B", "indicator"})).
		OverrideByName("趋势", []dashboard.DynamicConfigValue{prop("mappings", textMap(
			"1", "上升", "red", "0", "无显著趋势", "text", "-1", "下降", "green"))}))
	d.WithPanel(timeseries.NewPanelBuilder().Title("能源与碳强度（最新观测）").Datasource(promDS).GridPos(l.at(24, 8)).
		Unit("short").
		WithTarget(promRange("A", inDomain(`{__name__=~"greenmetrics_indicator_value_(tonnes_coal_equivalent.*|tonnes_co2_per_10k_cny)"}`, "carbon|energy"), "{{name_zh}}")))
	return d
}

// ── 绿色金融 ───────────────────────────────────────────────────────────

func greenFinanceDashboard() *dashboard.DashboardBuilder {
	var l layout
	d := newDashboard("greenmetrics-green-finance", "绿色金融",
		"绿色信贷余额与增速、碳市场价格与成交。金额以亿元显示。").
		WithVariable(indicatorVar(`{domain="green_finance"}`))
	d.WithPanel(stat.NewPanelBuilder().Title("贷款余额（亿元）").Datasource(promDS).GridPos(l.at(12, 5)).
		Unit("short").Decimals(2).
		WithTarget(promInstant("A", inDomain(`greenmetrics_indicator_value_cny{indicator=~"$indicator",`+districtEntity+`} / 1e8`, "green_finance"), "{{name_zh}}")))
	d.WithPanel(stat.NewPanelBuilder().Title("增速").Datasource(promDS).GridPos(l.at(12, 5)).
		Unit("percentunit").Decimals(1).
		WithTarget(promInstant("A", inDomain(`greenmetrics_indicator_value_ratio{indicator=~"$indicator"}`, "green_finance"), "{{name_zh}}")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("余额历史（InfluxDB，亿元）").Datasource(influxDS).GridPos(l.at(12, 9)).
		Unit("short").
		WithTarget(influxQL("A", `SELECT last("value") / 100000000 FROM "figure" WHERE "indicator" =~ /^(green_loan_balance|green_credit_balance|green_loan_balance_power_heat_gas_water|green_loan_balance_transport)$/ AND "indicator" =~ /^$indicator$/ AND `+districtTag+` AND $timeFilter GROUP BY time($__interval), "indicator" fill(none)`, "$tag_indicator")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("碳价历史（InfluxDB，元/吨）").Datasource(influxDS).GridPos(l.at(12, 9)).
		Unit("short").
		WithTarget(influxQL("A", `SELECT mean("value") FROM "figure" WHERE "indicator" =~ /^carbon_price(_low|_high)?$/ AND $timeFilter GROUP BY time($__interval), "indicator", "entity" fill(none)`, "$tag_indicator $tag_entity")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("碳价（最新观测）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").
		WithTarget(promRange("A", inDomain(`{__name__=~"greenmetrics_indicator_value_(cny|eur)_per_tonne"}`, "green_finance"), "{{name_zh}} {{entity}}")))
	d.WithPanel(newTable().Title("绿色金融指标").Datasource(promDS).GridPos(l.at(12, 8)).
		WithTarget(promTable("A", inDomain(`{__name__=~"greenmetrics_indicator_value_.+", indicator=~"$indicator"}`, "green_finance"))).
		WithTransformation(organize([]string{"Time", "__name__", "job", "instance"},
			map[string]string{"name_zh": "指标", "indicator": "代码", "entity": "对象", "Value": "最新值（基本单位）"},
			[]string{"name_zh", "entity", "Value", "indicator"})))
	return d
}

// ── 水环境 ─────────────────────────────────────────────────────────────

func waterDashboard() *dashboard.DashboardBuilder {
	var l layout
	d := newDashboard("greenmetrics-water", "水环境",
		"考核断面水质类别（GB 3838-2002，环办〔2011〕22号）、优良比例、主要污染项目与监测历史。").
		WithVariable(sectionVar())
	for _, s := range []struct{ title, expr string }{
		{"优良比例（Ⅰ–Ⅲ类）", "greenmetrics_water_district_good_ratio"},
		{"劣Ⅴ类比例", "greenmetrics_water_district_inferior_v_ratio"},
		{"达标率", "greenmetrics_water_district_attainment_ratio"},
	} {
		d.WithPanel(stat.NewPanelBuilder().Title(s.title).Datasource(promDS).GridPos(l.at(6, 4)).
			Unit("percentunit").Decimals(1).
			WithTarget(promInstant("A", s.expr, s.title)))
	}
	d.WithPanel(stat.NewPanelBuilder().Title("评价断面数").Datasource(promDS).GridPos(l.at(6, 4)).
		Unit("none").Decimals(0).
		WithTarget(promInstant("A", "greenmetrics_water_district_sections", "断面")))
	d.WithPanel(newTable().Title("断面水质类别").Datasource(promDS).GridPos(l.at(14, 10)).
		WithTarget(promTable("A", `greenmetrics_water_section_class{section=~"$section"}`)).
		WithTarget(promTable("B", `greenmetrics_water_section_target_class{section=~"$section"}`)).
		WithTarget(promTable("C", `greenmetrics_water_section_attained{section=~"$section"}`)).
		WithTarget(promTable("D", `greenmetrics_water_section_samples{section=~"$section"}`)).
		WithTransformation(merge()).
		WithTransformation(organize([]string{"Time", "__name__", "job", "instance"},
			map[string]string{"section": "断面", "Value #A": "水质类别", "Value #B": "目标类别", "Value #C": "达标", "Value #D": "样本数"},
			[]string{"section", "Value #A", "Value #B", "Value #C", "Value #D"})).
		OverrideByRegexp("水质类别|目标类别", []dashboard.DynamicConfigValue{
			prop("mappings", classText),
			prop("custom.cellOptions", map[string]any{"type": "color-background", "mode": "basic"}),
		}).
		OverrideByName("达标", []dashboard.DynamicConfigValue{prop("mappings", textMap("1", "达标", "green", "0", "未达标", "red"))}))
	d.WithPanel(newTable().Title("主要污染项目").Datasource(promDS).GridPos(l.at(10, 10)).
		Description("劣于Ⅲ类断面的超标项目，按超标程度排序（1 为最重）。").
		WithTarget(promTable("A", `greenmetrics_water_section_main_pollutant{section=~"$section"} * on(pollutant) group_left(name_zh) label_replace(greenmetrics_indicator_info{domain="water"}, "pollutant", "$1", "indicator", "(.+)")`)).
		WithTransformation(organize([]string{"Time", "__name__", "job", "instance"},
			map[string]string{"section": "断面", "name_zh": "污染项目", "pollutant": "代码", "Value": "排序"},
			[]string{"section", "Value", "name_zh", "pollutant"})))
	d.WithPanel(timeseries.NewPanelBuilder().Title("优良比例走势（InfluxDB）").Datasource(influxDS).GridPos(l.at(12, 9)).
		Unit("percentunit").Min(0).Max(1).
		WithTarget(influxQL("A", `SELECT last("value") FROM "derived" WHERE "indicator" = 'water_good_ratio' AND `+districtTag+` AND $timeFilter GROUP BY time($__interval) fill(none)`, "优良比例")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("断面水质类别历史（InfluxDB）").Datasource(influxDS).GridPos(l.at(12, 9)).
		Unit("none").Min(1).Max(6).
		WithTarget(influxQL("A", `SELECT last("value") FROM "derived" WHERE "indicator" = 'water_class' AND "entity" =~ /^$section$/ AND $timeFilter GROUP BY time($__interval), "entity" fill(none)`, "$tag_entity")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("主要项目浓度（InfluxDB，mg/L）").Datasource(influxDS).GridPos(l.at(24, 9)).
		Unit("short").
		WithTarget(influxQL("A", `SELECT mean("value") FROM "figure" WHERE "indicator" =~ /^(codmn|nh3n|tp|cod|do)$/ AND "entity" =~ /^$section$/ AND $timeFilter GROUP BY time($__interval), "indicator", "entity" fill(none)`, "$tag_entity $tag_indicator")))
	return d
}

// ── 建筑节能 ───────────────────────────────────────────────────────────

func buildingDashboard() *dashboard.DashboardBuilder {
	var l layout
	d := newDashboard("greenmetrics-building", "建筑节能",
		"装配式建筑、超低能耗与近零能耗建筑、既有建筑绿色改造面积。面积以万平方米显示。").
		WithVariable(indicatorVar(`{domain="building"}`))
	d.WithPanel(bargauge.NewPanelBuilder().Title("年内累计面积（万平方米）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").Decimals(2).Orientation(common.VizOrientationHorizontal).
		WithTarget(promInstant("A", inDomain(`greenmetrics_indicator_actual_square_meters{indicator=~"$indicator"} / 1e4`, "building"), "{{name_zh}}")))
	d.WithPanel(bargauge.NewPanelBuilder().Title("最新月度面积（万平方米）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").Decimals(2).Orientation(common.VizOrientationHorizontal).
		WithTarget(promInstant("A", inDomain(`greenmetrics_indicator_value_square_meters{indicator=~"$indicator",`+districtEntity+`} / 1e4`, "building"), "{{name_zh}}")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("月度面积历史（InfluxDB，万平方米）").Datasource(influxDS).GridPos(l.at(24, 9)).
		Unit("short").DrawStyle(common.GraphDrawStyleBars).
		WithTarget(influxQL("A", `SELECT sum("value") / 10000 FROM "figure" WHERE "indicator" =~ /^$indicator$/ AND `+districtTag+` AND $timeFilter GROUP BY time(30d), "indicator" fill(none)`, "$tag_indicator")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("年内累计走势（万平方米）").Datasource(promDS).GridPos(l.at(24, 8)).
		Unit("short").
		WithTarget(promRange("A", inDomain(`greenmetrics_indicator_actual_square_meters{indicator=~"$indicator"} / 1e4`, "building"), "{{name_zh}}")))
	return d
}

// ── 系统运行 ───────────────────────────────────────────────────────────

func systemDashboard() *dashboard.DashboardBuilder {
	var l layout
	d := newDashboard("greenmetrics-system", "系统运行",
		"greenmetrics 守护进程：抓取、分析快照、数据接收、写入队列（spool）与 InfluxDB 写入。").
		Time("now-6h", "now")
	d.WithPanel(stat.NewPanelBuilder().Title("守护进程").Datasource(promDS).GridPos(l.at(4, 4)).
		ColorMode(common.BigValueColorModeBackground).
		Mappings(textMap("1", "运行中", "green", "0", "不可达", "red")).
		WithTarget(promInstant("A", `max(up{job="greenmetrics"}) or vector(0)`, "up")))
	d.WithPanel(stat.NewPanelBuilder().Title("InfluxDB 写入").Datasource(promDS).GridPos(l.at(4, 4)).
		ColorMode(common.BigValueColorModeBackground).
		Mappings(textMap("1", "可写入", "green", "0", "不可达", "red")).
		WithTarget(promInstant("A", `greenmetrics_influx_up`, "influx")))
	d.WithPanel(stat.NewPanelBuilder().Title("分析快照距今").Datasource(promDS).GridPos(l.at(4, 4)).
		Unit("s").Thresholds(thresholds("green", 1800.0, "orange", 3600.0, "red")).
		WithTarget(promInstant("A", `time() - greenmetrics_snapshot_timestamp_seconds`, "age")))
	d.WithPanel(stat.NewPanelBuilder().Title("待写入点数").Datasource(promDS).GridPos(l.at(4, 4)).
		Unit("short").Thresholds(thresholds("green", 10000.0, "orange")).
		WithTarget(promInstant("A", `greenmetrics_spool_pending_points`, "pending")))
	d.WithPanel(stat.NewPanelBuilder().Title("写入队列占用").Datasource(promDS).GridPos(l.at(4, 4)).
		Unit("percentunit").Thresholds(thresholds("green", 0.5, "orange", 0.8, "red")).
		WithTarget(promInstant("A", `greenmetrics_spool_pending_bytes / greenmetrics_spool_capacity_bytes`, "used")))
	d.WithPanel(stat.NewPanelBuilder().Title("断更指标数").Datasource(promDS).GridPos(l.at(4, 4)).
		Unit("none").Thresholds(thresholds("green", 1.0, "orange")).
		WithTarget(promInstant("A", countOrZero(staleExpr), "stale")))

	d.WithPanel(timeseries.NewPanelBuilder().Title("接收与拒收（条/秒，按来源）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").
		WithTarget(promRange("A", `sum by (source) (rate(greenmetrics_ingest_observations_total[$__rate_interval]))`, "接收 {{source}}")).
		WithTarget(promRange("B", `sum by (source) (rate(greenmetrics_ingest_rejected_observations_total[$__rate_interval]))`, "拒收 {{source}}")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("写入 InfluxDB（点/秒）与失败（次/秒）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").
		WithTarget(promRange("A", `rate(greenmetrics_spool_delivered_points_total[$__rate_interval])`, "已写入")).
		WithTarget(promRange("B", `sum by (kind) (rate(greenmetrics_influx_write_errors_total[$__rate_interval]))`, "失败 {{kind}}")).
		WithTarget(promRange("C", `rate(greenmetrics_spool_dead_lettered_points_total[$__rate_interval])`, "永久拒收")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("写入队列").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("short").
		WithTarget(promRange("A", `greenmetrics_spool_pending_points`, "待写入点数")).
		WithTarget(promRange("B", `greenmetrics_spool_oldest_pending_age_seconds`, "最早待写入等待（秒）")))
	d.WithPanel(timeseries.NewPanelBuilder().Title("写入延迟（秒）").Datasource(promDS).GridPos(l.at(12, 8)).
		Unit("s").
		WithTarget(promRange("A", `histogram_quantile(0.99, rate(greenmetrics_spool_delivery_latency_seconds_bucket[$__rate_interval])) or histogram_quantile(0.99, greenmetrics_spool_delivery_latency_seconds_bucket)`, "p99")).
		WithTarget(promRange("B", `histogram_quantile(0.5, rate(greenmetrics_spool_delivery_latency_seconds_bucket[$__rate_interval])) or histogram_quantile(0.5, greenmetrics_spool_delivery_latency_seconds_bucket)`, "p50")))
	d.WithPanel(newTable().Title("数据新鲜度（最新观测距今）").Datasource(promDS).GridPos(l.at(12, 10)).
		Description("断更阈值 = 2 × 报送周期 + 宽限期；超过即触发 GreenmetricsIndicatorStale。").
		WithTarget(promTable("A", inDomain(`time() - greenmetrics_indicator_last_observation_timestamp_seconds`, ".*"))).
		WithTarget(promTable("B", `2 * greenmetrics_indicator_reporting_interval_seconds + on() group_left() greenmetrics_stale_grace_seconds and on(indicator) greenmetrics_indicator_last_observation_timestamp_seconds`)).
		WithTransformation(merge()).
		WithTransformation(organize([]string{"Time", "__name__", "job", "instance"},
			map[string]string{"name_zh": "指标", "indicator": "代码", "Value #A": "距今", "Value #B": "断更阈值"},
			[]string{"name_zh", "Value #A", "Value #B", "indicator"})).
		OverrideByRegexp("距今|断更阈值", []dashboard.DynamicConfigValue{prop("unit", "dtdurations")}))
	d.WithPanel(timeseries.NewPanelBuilder().Title("进程").Datasource(promDS).GridPos(l.at(12, 10)).
		Unit("bytes").
		WithTarget(promRange("A", `process_resident_memory_bytes{job="greenmetrics"}`, "常驻内存")).
		WithTarget(promRange("B", `go_memstats_heap_inuse_bytes{job="greenmetrics"}`, "Go 堆")).
		WithTarget(promRange("C", `scrape_samples_scraped{job="greenmetrics"}`, "每次抓取样本数")).
		OverrideByName("每次抓取样本数", []dashboard.DynamicConfigValue{prop("unit", "short"), prop("custom.axisPlacement", "right")}))
	return d
}
