package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
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
	"github.com/greenmetrics/greenmetrics/metrics/exporter"
	"github.com/greenmetrics/greenmetrics/models"
)

// Datasource uids, fixed in deploy/grafana/provisioning/datasources. The
// dashboards refer to them through the datasource variables ds_prom and
// ds_influx, whose default they are, so a site with other datasources
// picks its own without editing the files.
const (
	PromUID   = "greenmetrics-prom"
	InfluxUID = "greenmetrics-influx"
)

// MinGrafanaVersion is the oldest Grafana the dashboards are made for:
// schemaVersion 42 (what the foundation SDK generates) is Grafana 12's
// dashboard schema. docs/dashboards.md states it.
const MinGrafanaVersion = "12.0"

// SchemaVersion is the dashboards' schemaVersion, matching MinGrafanaVersion.
const SchemaVersion = 42

// DashboardFile is a generated dashboard and the file it is provisioned from.
type DashboardFile struct {
	Name string // file name under deploy/grafana/dashboards
	JSON []byte
	// Scopes says, per panel title, what the panel may show; the
	// end-to-end test checks every returned series against it.
	Scopes map[string]PanelScope
}

// PanelScope is what a panel shows: indicators of Domains only, and
// series of one entity level.
type PanelScope struct {
	// Domains are the catalogue domains the panel's indicators belong to;
	// empty for panels without indicators (system, water district ratios).
	Domains []string
	// Level is the entity level of every series: "district" (the
	// district's own figures, no entity), "section", a variable
	// ("$level") for reference panels, or "" when series carry no entity.
	Level string
}

// Levels of PanelScope.
const (
	levelDistrict  = "district"
	levelSection   = "section"
	levelReference = "$level"
)

// Dashboards builds every dashboard, in the order of docs/dashboards.md.
func Dashboards() ([]DashboardFile, error) {
	cat, err := config.DefaultCatalog()
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	c := catalog{inds: cat.Indicators()}
	builders := []struct {
		name string
		b    *board
	}{
		{"overview.json", overviewDashboard(c)},
		{"carbon.json", carbonDashboard(c)},
		{"green-finance.json", greenFinanceDashboard(c)},
		{"water.json", waterDashboard(c)},
		{"building.json", buildingDashboard(c)},
		{"system.json", systemDashboard()},
	}
	out := make([]DashboardFile, 0, len(builders))
	for _, d := range builders {
		built, err := d.b.d.Build()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.name, err)
		}
		built.SchemaVersion = SchemaVersion
		numberPanels(&built)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		// Keep 完成率 and PromQL's <, > readable in the files.
		enc.SetEscapeHTML(false)
		if err := enc.Encode(built); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.name, err)
		}
		out = append(out, DashboardFile{Name: d.name, JSON: buf.Bytes(), Scopes: d.b.scopes})
	}
	return out, nil
}

// numberPanels gives panels and rows stable ids in layout order, so links
// to a panel (?viewPanel=3) survive regeneration.
func numberPanels(d *dashboard.Dashboard) {
	for i := range d.Panels {
		id := uint32(i + 1)
		if p := d.Panels[i].Panel; p != nil {
			p.Id = &id
		}
		if r := d.Panels[i].RowPanel; r != nil {
			r.Id = id
		}
	}
}

// ── the catalogue, as the dashboards need it ─────────────────────────

type catalog struct{ inds []models.Indicator }

// pick returns the indicators of the domains that keep returns true for.
func (c catalog) pick(domains []string, keep func(models.Indicator) bool) []models.Indicator {
	var out []models.Indicator
	for _, ind := range c.inds {
		if containsString(domains, string(ind.Domain)) && keep(ind) {
			out = append(out, ind)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// district says whether the indicator is the district's own figure
// (measured without entities) and reported at most monthly: the figures
// the history panels draw, one point per period.
func district(ind models.Indicator) bool {
	return ind.Entity == "" && ind.Frequency != models.FrequencyHourly && ind.Frequency != models.FrequencyDaily
}

// reference says whether the indicator is measured per region, country or
// market: context, never added to the district's figures.
func reference(ind models.Indicator) bool {
	return ind.Entity != "" && ind.Entity != "section" && ind.Entity != "station"
}

// unitGroup is indicators drawn on one axis: one base unit shown in one
// display unit.
type unitGroup struct {
	display string
	scale   float64
	ratio   bool
	inds    []models.Indicator
}

// groupByDisplay splits indicators into groups of one display unit, in
// first-seen order, so a panel never puts 亿元 beside 万亿元 on one axis.
func groupByDisplay(inds []models.Indicator) []unitGroup {
	var out []unitGroup
	idx := map[string]int{}
	for _, ind := range inds {
		key := ind.Unit + "|" + ind.DisplayUnit
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, unitGroup{display: ind.DisplayUnit, scale: exporter.DisplayScale(ind), ratio: ind.Unit == "ratio"})
		}
		out[i].inds = append(out[i].inds, ind)
	}
	return out
}

// codes is a regex alternation of the indicators' codes.
func codes(inds []models.Indicator) string {
	var cs []string
	for _, ind := range inds {
		cs = append(cs, regexp.QuoteMeta(ind.Code))
	}
	sort.Strings(cs)
	return "(" + strings.Join(cs, "|") + ")"
}

// domainRegex is a regex alternation of domains.
func domainRegex(domains []string) string { return "(" + strings.Join(domains, "|") + ")" }

// unit is the Grafana unit of the display unit: a ratio as a percentage,
// anything else as a suffix in the catalogue's words.
func (g unitGroup) unit() string {
	if g.ratio {
		return "percentunit"
	}
	return "suffix: " + g.display
}

// decimals suit the display unit: none for counts, one for
// concentrations, two for amounts in 万/亿.
func (g unitGroup) decimals() float64 {
	switch {
	case g.ratio:
		return 1
	case g.inds[0].Unit == "count" || g.inds[0].Unit == "class":
		return 0
	case g.inds[0].Unit == "ug/m3" || g.inds[0].Unit == "mg/L":
		return 1
	}
	return 2
}

// influxScale writes the division by the display scale for InfluxQL.
func (g unitGroup) influxScale() string {
	if g.ratio || g.scale == 1 {
		return ""
	}
	// Written out: InfluxQL reads 1e+08 as a duration.
	return " / " + strconv.FormatFloat(g.scale, 'f', -1, 64)
}

// ── building blocks ────────────────────────────────────────────────────

func ref(typ, uid string) common.DataSourceRef { return common.DataSourceRef{Type: &typ, Uid: &uid} }

var (
	promDS   = ref("prometheus", "${ds_prom}")
	influxDS = ref("influxdb", "${ds_influx}")
)

// board is a dashboard being built: its layout, and each panel's scope.
type board struct {
	d      *dashboard.DashboardBuilder
	l      layout
	scopes map[string]PanelScope
}

// newBoard sets what every dashboard shares: Beijing time, the current
// year as the default range with a quick range per recent year (the
// figures are monthly and annual), the datasource, job and instance
// variables, and links to the others.
func newBoard(uid, title, description string, influx bool) *board {
	ranges := []cog.Builder[dashboard.TimeOption]{
		dashboard.NewTimeOptionBuilder().Display("本年").From("now/y").To("now/y"),
		dashboard.NewTimeOptionBuilder().Display("本年至今").From("now/y").To("now"),
	}
	for i := 1; i <= 4; i++ {
		ranges = append(ranges, dashboard.NewTimeOptionBuilder().Display(fmt.Sprintf("%d 年前（整年）", i)).
			From(fmt.Sprintf("now-%dy/y", i)).To(fmt.Sprintf("now-%dy/y", i)))
	}
	ranges = append(ranges, dashboard.NewTimeOptionBuilder().Display("近五年").From("now-4y/y").To("now/y"))
	d := dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description+" 需要 Grafana "+MinGrafanaVersion+" 或更高版本。").
		Tags([]string{"greenmetrics"}).
		Timezone("Asia/Shanghai").
		Time("now/y", "now/y").
		Timepicker(dashboard.NewTimePickerBuilder().QuickRanges(ranges)).
		Refresh("1m").
		Readonly().
		Link(dashboard.NewDashboardLinkBuilder("greenmetrics").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"greenmetrics"}).
			AsDropdown(true).
			KeepTime(true)).
		WithVariable(datasourceVar("ds_prom", "Prometheus", "prometheus", PromUID, "greenmetrics Prometheus"))
	if influx {
		d.WithVariable(datasourceVar("ds_influx", "InfluxDB", "influxdb", InfluxUID, "greenmetrics InfluxDB (InfluxQL)"))
	}
	d.WithVariable(labelVar("job", "任务", "greenmetrics_build_info", "job", "greenmetrics")).
		WithVariable(labelVar("instance", "实例", `greenmetrics_build_info{job="$job"}`, "instance", ""))
	return &board{d: d, scopes: map[string]PanelScope{}}
}

func datasourceVar(name, label, typ, uid, text string) *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder(name).Label(label).Type(typ).
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr(text)},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr(uid)},
		})
}

// labelVar is a single-valued variable of label values: one daemon's
// metrics at a time, so that with several daemons nothing counts double.
func labelVar(name, label, selector, labelName, current string) *dashboard.QueryVariableBuilder {
	v := dashboard.NewQueryVariableBuilder(name).Label(label).
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(" + selector + ", " + labelName + ")")}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc)
	if current != "" {
		v.Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr(current)},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr(current)},
		})
	}
	return v
}

// row starts a row of panels on one topic.
func (b *board) row(title string) {
	b.d.WithRow(dashboard.NewRowBuilder(title).GridPos(b.l.row()))
}

// panelBuilder is what every panel builder of the SDK offers.
type panelBuilder[B any] interface {
	cog.Builder[dashboard.Panel]
	Title(string) B
	Description(string) B
}

// add places a panel with its title, description and scope.
func add[B panelBuilder[B]](b *board, scope PanelScope, title, description string, p B) {
	p.Title(title).Description(description)
	b.d.WithPanel(p)
	b.scopes[title] = scope
}

// layout places panels left to right on Grafana's 24-column grid.
type layout struct{ x, y, rowH uint32 }

// row is the position of a row header: the full width, below everything.
func (l *layout) row() dashboard.GridPos {
	if l.x > 0 || l.rowH > 0 {
		l.y += l.rowH
	}
	pos := dashboard.GridPos{X: 0, Y: l.y, W: 24, H: 1}
	l.x, l.y, l.rowH = 0, l.y+1, 0
	return pos
}

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
		Expr(scoped(expr)).LegendFormat(legend).Range()
}

// promInstant is a Prometheus query of the current value only.
func promInstant(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId(refID).Datasource(promDS).
		Expr(scoped(expr)).LegendFormat(legend).Instant()
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
	"ahead", models.StatusAhead.NameZh(), "green",
	"behind", models.StatusBehind.NameZh(), "orange",
	"pace_unknown", models.StatusPaceUnknown.NameZh(), "text",
	"completed", models.StatusCompleted.NameZh(), "blue",
	"basically_completed", models.StatusBasicallyCompleted.NameZh(), "blue",
	"met", models.StatusMet.NameZh(), "green",
	"basically_met", models.StatusBasicallyMet.NameZh(), "green",
	"not_met", models.StatusNotMet.NameZh(), "orange",
	"missed", models.StatusMissed.NameZh(), "red",
	"no_target", models.StatusNoTarget.NameZh(), "text",
	"municipal", models.StatusMunicipal.NameZh(), "text",
	"no_data", models.StatusNoData.NameZh(), "text",
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

// instanceMatchers select the chosen daemon: every greenmetrics selector
// of every panel carries them (scoped), so two daemons never add up.
const instanceMatchers = `job="$job",instance="$instance"`

var (
	promSelector = regexp.MustCompile(`\b((?:greenmetrics|process|go|up|scrape)_?[a-z0-9_]*)(\{[^}]*\})?`)
	nameSelector = regexp.MustCompile(`\{__name__=~`)
)

// scoped adds the job and instance matchers to every selector of expr.
func scoped(expr string) string {
	expr = nameSelector.ReplaceAllLiteralString(expr, "{"+instanceMatchers+",__name__=~")
	var out strings.Builder
	last := 0
	for _, m := range promSelector.FindAllStringSubmatchIndex(expr, -1) {
		name := expr[m[2]:m[3]]
		isMetric := name == "up" || strings.HasPrefix(name, "greenmetrics_") || strings.HasPrefix(name, "process_") ||
			strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "scrape_")
		inString := m[0] > 0 && (expr[m[0]-1] == '"' || expr[m[0]-1] == '\'')
		if !isMetric || inString {
			continue
		}
		out.WriteString(expr[last:m[3]])
		switch {
		case m[4] < 0:
			out.WriteString("{" + instanceMatchers + "}")
		case strings.Contains(expr[m[4]:m[5]], `job=`):
			out.WriteString(expr[m[4]:m[5]])
		case m[5]-m[4] == 2:
			out.WriteString("{" + instanceMatchers + "}")
		default:
			out.WriteString("{" + instanceMatchers + "," + expr[m[4]+1:m[5]])
		}
		last = m[1]
	}
	out.WriteString(expr[last:])
	return out.String()
}

// infoIn is the catalogue info of the domains (a regex).
func infoIn(domains string) string {
	return `greenmetrics_indicator_info{domain=~"` + domains + `"}`
}

// named attaches the Chinese name and display unit to a per-indicator
// vector and keeps the indicators of the domains only.
func named(expr, domains string) string {
	return "(" + expr + ") * on(indicator) group_left(name_zh, display_unit) " + infoIn(domains)
}

// inDisplay divides a per-indicator vector by the display scale.
func inDisplay(expr string) string {
	return "(" + expr + ") / on(indicator) group_left() greenmetrics_indicator_display_unit_scale"
}

func countOrZero(expr string) string { return "count(" + expr + ") or vector(0)" }

// overdueExpr is the condition of GreenmetricsIndicatorOverdue.
const overdueExpr = `time() - greenmetrics_indicator_next_due_timestamp_seconds >= 0`

// valueFamilies matches every per-unit value family.
const valueFamilies = `{__name__=~"greenmetrics_indicator_value_.+"`

func domainVar(domains []string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("domain").Label("领域").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(`label_values(greenmetrics_indicator_info{` + instanceMatchers + `}, domain)`)}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(domainRegex(domains))
}

// indicatorVar offers the indicators of the dashboard's domains; All is
// the list of their codes, never .*, so InfluxQL panels stay on topic.
func indicatorVar(domains []string, inds []models.Indicator) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("indicator").Label("指标").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(`label_values(greenmetrics_indicator_info{` + instanceMatchers + `,domain=~"` + domainRegex(domains) + `"}, indicator)`)}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(codes(inds))
}

// levelVar picks one reference level (country, region, market …) at a
// time: reference series of different levels overlap (China contains
// Beijing) and are never shown, let alone summed, together.
func levelVar(domains []string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("level").Label("参考层级").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(`label_values({` + instanceMatchers + `,__name__=~"greenmetrics_indicator_value_.+",level!="district",indicator=~"` +
			`$indicator"}, level)`)}).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).Sort(dashboard.VariableSortAlphabeticalAsc)
}

func sectionVar() *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("section").Label("断面").
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(`label_values(greenmetrics_water_section_info{` + instanceMatchers + `}, section)`)}).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).IncludeAll(true).AllValue(".+")
}

// ── shared panels ─────────────────────────────────────────────────────

// latestTable lists the newest figure of each indicator of the domains at
// one level, in its display unit, with the unit as a column: a table has
// no shared axis, so mixed units are fine.
func latestTable(b *board, domains []string, level, title, description string, w, h uint32) {
	dr := domainRegex(domains)
	sel := valueFamilies + `,indicator=~"$indicator",level="` + level + `"}`
	if level == levelReference {
		sel = valueFamilies + `,indicator=~"$indicator",level="$level"}`
	}
	add(b, PanelScope{Domains: domains, Level: level}, title, description,
		newTable().Datasource(promDS).GridPos(b.l.at(w, h)).Unit("none").Decimals(2).
			WithTarget(promTable("A", named(inDisplay(sel), dr))).
			WithTransformation(organize([]string{"Time", "__name__", "job", "instance", "level"},
				map[string]string{"name_zh": "指标", "indicator": "代码", "entity": "对象", "display_unit": "单位", "Value": "最新值"},
				[]string{"name_zh", "entity", "Value", "display_unit", "indicator"})))
}

// historyPanels draw the district's own figures of the indicators from
// InfluxDB, one panel per display unit (one scale per axis), one point per
// period: the figures are stored at the start of their month, quarter or
// year, so no time buckets are needed and months stay calendar months.
func historyPanels(b *board, domains []string, inds []models.Indicator, derived []string, draw common.GraphDrawStyle) {
	for _, g := range groupByDisplay(inds) {
		title := "历史（本区，" + g.display + "）"
		p := timeseries.NewPanelBuilder().Datasource(influxDS).GridPos(b.l.at(12, 8)).
			Unit(g.unit()).Decimals(g.decimals()).DrawStyle(draw).
			ShowPoints(common.VisibilityModeAlways).SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(true)})
		p.WithTarget(influxQL("A", `SELECT "value"`+g.influxScale()+` FROM "figure" WHERE "indicator" =~ /^`+codes(g.inds)+
			`$/ AND "indicator" =~ /^$indicator$/ AND `+districtTag+` AND $timeFilter GROUP BY "indicator"`, "$tag_indicator"))
		// The engine's own figures (derived, e.g. co2_emissions from energy
		// use), for the indicators it derives.
		var own []models.Indicator
		for _, ind := range g.inds {
			if containsString(derived, ind.Code) {
				own = append(own, ind)
			}
		}
		if len(own) > 0 {
			p.WithTarget(influxQL("B", `SELECT "value"`+g.influxScale()+` FROM "derived" WHERE "indicator" =~ /^`+codes(own)+
				`$/ AND "indicator" =~ /^$indicator$/ AND `+districtTag+` AND $timeFilter GROUP BY "indicator"`, "$tag_indicator（推算）"))
		}
		add(b, PanelScope{Domains: domains, Level: levelDistrict}, title,
			"本区自身数据（不含对象）的每期报送值，单位 "+g.display+"；每期一个点（月、季、年初时刻），不按时间分桶。参考序列（全国、各省、市场）见“参考”一行，从不相加。", p)
	}
}

// districtTag selects the district's own figures in InfluxDB: they carry
// no entity tag (docs/schema.md).
const districtTag = `"entity" = ''`

// ── 总览 ───────────────────────────────────────────────────────────────

func statusCount(b *board, dr, title, status, color, description string) {
	add(b, PanelScope{}, title, description,
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("none").Decimals(0).ColorMode(common.BigValueColorModeBackground).
			Thresholds(thresholds(color)).
			WithTarget(promInstant("A", countOrZero(
				`(greenmetrics_indicator_status{status=~"`+status+`"} == 1) and on(indicator) `+infoIn(dr)), title)))
}

func overviewDashboard(c catalog) *board {
	var all []string
	seen := map[string]bool{}
	for _, ind := range c.inds {
		if !seen[string(ind.Domain)] {
			seen[string(ind.Domain)] = true
			all = append(all, string(ind.Domain))
		}
	}
	sort.Strings(all)
	b := newBoard("greenmetrics-overview", "总览 · 年度目标完成情况",
		"每个有目标的指标：实际值、目标值（显示单位）、完成率与序时进度、状态，按领域筛选。数据来自 greenmetrics 的分析快照（Prometheus）。", false)
	b.d.WithVariable(domainVar(all))
	dr := "$domain"
	b.row("状态")
	statusCount(b, dr, "超序时", "ahead", "green", "完成率高于序时进度的指标数。")
	statusCount(b, dr, "落后序时", "behind", "orange", "完成率低于序时进度的指标数（告警 GreenmetricsTargetBehindSchedule 在低 5 个百分点以上时触发）。")
	statusCount(b, dr, "已完成", "completed|basically_completed", "blue", "已达到（或基本达到，左右目标）年度目标的数量类指标数；浓度、比率类指标当前达标计为“达标”，不计入此处。")
	statusCount(b, dr, "未完成", "missed", "red", "全年已结束仍未达到目标、或总量控制指标已超出上限的指标数。")
	add(b, PanelScope{}, "预计无法完成", "预测年末完成率低于 100% 的指标数。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("none").Decimals(0).ColorMode(common.BigValueColorModeBackground).
			Thresholds(thresholds("green", 1.0, "orange")).
			WithTarget(promInstant("A", countOrZero(`(greenmetrics_indicator_projected_completion_ratio < 1) and on(indicator) `+infoIn(dr)), "预计无法完成")))
	add(b, PanelScope{}, "逾期未报", "下一期数据已过应报日期（期末 + 报送时滞：月度次月 15 日、季度季后 30 日、年度次年 3 月 31 日）仍未入库的指标数；明细见“系统运行”。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("none").Decimals(0).ColorMode(common.BigValueColorModeBackground).
			Thresholds(thresholds("green", 1.0, "orange")).
			WithTarget(promInstant("A", countOrZero(`(`+overdueExpr+`) and on(indicator) `+infoIn(dr)), "逾期未报")))

	b.row("完成情况")
	targetTable(b, all, dr)
	add(b, PanelScope{Domains: all}, "完成率 − 序时进度（负值即落后）", "每个指标的完成率减去其自身报送频率的序时进度（月度指标按已过月数、年度指标按全年）。",
		bargauge.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 12)).
			Unit("percentunit").Decimals(1).Min(-1).Max(1).
			Orientation(common.VizOrientationHorizontal).DisplayMode(common.BarGaugeDisplayModeBasic).
			Thresholds(thresholds("red", -0.05, "orange", 0.0, "green")).
			WithTarget(promInstant("A", named(`greenmetrics_indicator_completion_ratio - on(indicator) greenmetrics_indicator_time_progress_ratio`, dr), "{{name_zh}}")))
	add(b, PanelScope{Domains: all}, "预计年末完成率", "按趋势预测的年末值占目标的比例；低于 100% 即预计无法完成。",
		bargauge.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 12)).
			Unit("percentunit").Decimals(1).Min(0).Max(1.5).
			Orientation(common.VizOrientationHorizontal).DisplayMode(common.BarGaugeDisplayModeBasic).
			Thresholds(thresholds("red", 0.9, "orange", 1.0, "green")).
			WithTarget(promInstant("A", named(`greenmetrics_indicator_projected_completion_ratio`, dr), "{{name_zh}}")))

	b.row("走势")
	add(b, PanelScope{Domains: all}, "完成率与序时进度走势", "各指标完成率（实线）与各报送频率的序时进度（虚线，月度、季度、年度各一条：不取全部指标的最大值）。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(24, 9)).
			Unit("percentunit").Decimals(1).Min(0).
			WithTarget(promRange("A", named(`greenmetrics_indicator_completion_ratio`, dr), "{{name_zh}}")).
			WithTarget(promRange("B", `max by (frequency) (greenmetrics_indicator_time_progress_ratio * on(indicator) group_left(frequency) `+infoIn(dr)+`)`, "序时进度（{{frequency}}）")).
			OverrideByRegexp("序时进度.*", []dashboard.DynamicConfigValue{
				prop("custom.lineStyle", map[string]any{"fill": "dash", "dash": []int{10, 10}}),
				prop("color", map[string]any{"mode": "fixed", "fixedColor": "red"}),
			}))
	return b
}

// targetTable is the 总览 table: one row per indicator with a status, the
// figures in the catalogue's display unit.
func targetTable(b *board, all []string, dr string) {
	filter := ` and on(indicator) ` + infoIn(dr)
	add(b, PanelScope{Domains: all}, "年度目标完成情况",
		"完成率 = 实际/目标（逆向指标为 目标/实际），≥100% 即达标；存量、累计类为年内增量/（目标−年初数）；比率类目标（增速、失业率）不计完成率，按个百分点比较；序时进度 = 该指标报送频率下年内已过时间占比。实际值与目标值按目录的显示单位（单位列，如 亿元、万平方米）。目标来源为目标所在的计划；标“演示目标”者为演示数据的示意计划，非政府文件。",
		newTable().Datasource(promDS).GridPos(b.l.at(24, 12)).Unit("none").Decimals(2).
			WithTarget(promTable("A", infoIn(dr)+` * on(indicator) group_left(status) (greenmetrics_indicator_status == 1)`)).
			WithTarget(promTable("B", `greenmetrics_indicator_completion_ratio`+filter)).
			WithTarget(promTable("C", `greenmetrics_indicator_time_progress_ratio`+filter)).
			WithTarget(promTable("D", inDisplay(`sum by (indicator) ({__name__=~"greenmetrics_indicator_actual_.+"})`)+filter)).
			WithTarget(promTable("E", inDisplay(`sum by (indicator) ({__name__=~"greenmetrics_indicator_target_.+"})`)+filter)).
			WithTarget(promTable("F", `greenmetrics_indicator_projected_completion_ratio`+filter)).
			WithTarget(promTable("G", `greenmetrics_indicator_plan_info`+filter)).
			WithTransformation(merge()).
			WithTransformation(organize(
				[]string{"Time", "Value #A", "Value #G", "__name__", "job", "instance", "kind", "direction", "name_en", "unit", "frequency", "plan"},
				map[string]string{
					"name_zh": "指标", "indicator": "代码", "domain": "领域", "display_unit": "单位", "status": "状态",
					"Value #B": "完成率", "Value #C": "序时进度", "Value #D": "实际值", "Value #E": "目标值", "Value #F": "预计年末完成率",
					"demo": "演示", "plan_name": "目标来源",
				},
				[]string{"name_zh", "status", "Value #B", "Value #C", "Value #D", "Value #E", "display_unit", "Value #F", "demo", "plan_name", "domain", "indicator"})).
			OverrideByName("演示", []dashboard.DynamicConfigValue{
				prop("mappings", textMap("true", "演示目标", "orange", "false", "", "text")),
				prop("custom.cellOptions", map[string]any{"type": "color-text"}),
			}).
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
			}))
}

// ── 碳排放与能源 ───────────────────────────────────────────────────────

func carbonDashboard(c catalog) *board {
	domains := []string{"carbon", "energy"}
	dr := domainRegex(domains)
	inds := c.pick(domains, func(models.Indicator) bool { return true })
	b := newBoard("greenmetrics-carbon", "碳排放与能源",
		"本区二氧化碳排放、碳减排与能源消费（最新值与历史），以及全球、全国、各省的参考序列（按层级分开，从不与本区相加）。排放以万吨二氧化碳、能耗以万吨标准煤显示。", true)
	b.d.WithVariable(indicatorVar(domains, inds)).WithVariable(levelVar(domains))

	b.row("本区")
	latestTable(b, domains, levelDistrict, "本区最新值", "本区自身（不含对象）的最新一期数据，按目录的显示单位。", 12, 9)
	add(b, PanelScope{Domains: domains, Level: levelDistrict}, "本区排放趋势（Mann–Kendall）", "本区自身序列的趋势：1 上升、0 无显著趋势、−1 下降；p 值小于 0.05 为显著。",
		newTable().Datasource(promDS).GridPos(b.l.at(12, 9)).Unit("none").Decimals(3).
			WithTarget(promTable("A", named(`greenmetrics_indicator_trend_direction{indicator=~"$indicator",entity=""}`, dr))).
			WithTarget(promTable("B", `greenmetrics_indicator_trend_p_value{indicator=~"$indicator",entity=""}`)).
			WithTransformation(merge()).
			WithTransformation(organize([]string{"Time", "__name__", "job", "instance", "entity", "display_unit"},
				map[string]string{"name_zh": "指标", "indicator": "代码", "Value #A": "趋势", "Value #B": "p 值"},
				[]string{"name_zh", "Value #A", "Value #B", "indicator"})).
			OverrideByName("趋势", []dashboard.DynamicConfigValue{prop("mappings", textMap(
				"1", "上升", "red", "0", "无显著趋势", "text", "-1", "下降", "green"))}))
	b.row("本区历史（InfluxDB）")
	historyPanels(b, domains, c.pick(domains, district), []string{"co2_emissions"}, common.GraphDrawStyleLine)

	b.row("参考（其他层级）")
	latestTable(b, domains, levelReference, "参考序列最新值（所选层级）", "所选层级（参考层级变量：国家、地区 …）的参考序列最新值，按显示单位；一次只显示一个层级，从不相加。", 24, 9)
	return b
}

// ── 绿色金融 ───────────────────────────────────────────────────────────

func greenFinanceDashboard(c catalog) *board {
	domains := []string{"green_finance"}
	inds := c.pick(domains, func(models.Indicator) bool { return true })
	b := newBoard("greenmetrics-green-finance", "绿色金融",
		"本区绿色信贷余额、碳交易与气候投融资项目；全国绿色贷款与碳市场价格作为参考，分开显示。金额以亿元显示。", true)
	b.d.WithVariable(indicatorVar(domains, inds)).WithVariable(levelVar(domains))

	b.row("本区")
	latestTable(b, domains, levelDistrict, "本区最新值", "本区自身（不含对象）的最新一期数据，按目录的显示单位。", 24, 7)
	b.row("本区历史（InfluxDB）")
	historyPanels(b, domains, c.pick(domains, district), nil, common.GraphDrawStyleLine)

	b.row("参考（其他层级）")
	latestTable(b, domains, levelReference, "参考序列最新值（所选层级）", "所选层级（全国、碳市场 …）的参考序列最新值，按显示单位（如全国绿色贷款以万亿元计）；与本区数据分开，从不相加。", 12, 9)
	for _, g := range groupByDisplay(c.pick(domains, func(ind models.Indicator) bool { return ind.Unit == "CNY/t" || ind.Unit == "EUR/t" })) {
		add(b, PanelScope{Domains: domains, Level: "market"}, "碳市场价格历史（"+g.display+"）",
			"各碳市场的日成交价（收盘、最低、最高），单位 "+g.display+"；人民币与欧元价格分开显示，从不同轴。",
			timeseries.NewPanelBuilder().Datasource(influxDS).GridPos(b.l.at(12, 9)).
				Unit(g.unit()).Decimals(2).
				WithTarget(influxQL("A", `SELECT mean("value") FROM "figure" WHERE "indicator" =~ /^`+codes(g.inds)+`$/ AND "indicator" =~ /^$indicator$/ AND $timeFilter GROUP BY time(1d), "indicator", "entity" fill(none)`, "$tag_indicator $tag_entity")))
	}
	return b
}

// ── 水环境 ─────────────────────────────────────────────────────────────

func waterDashboard(c catalog) *board {
	domains := []string{"water"}
	inds := c.pick(domains, func(models.Indicator) bool { return true })
	b := newBoard("greenmetrics-water", "水环境",
		"考核断面水质类别（GB 3838-2002，环办〔2011〕22号）、优良比例、主要污染项目与监测历史；本区汇总与各断面分开显示。", true)
	b.d.WithVariable(indicatorVar(domains, inds)).WithVariable(sectionVar())

	b.row("本区")
	for _, s := range []struct{ title, expr, desc string }{
		{"优良比例（Ⅰ–Ⅲ类）", "greenmetrics_water_district_good_ratio", "评价期内水质Ⅰ–Ⅲ类断面占比。"},
		{"劣Ⅴ类比例", "greenmetrics_water_district_inferior_v_ratio", "评价期内劣Ⅴ类断面占比。"},
		{"达标率", "greenmetrics_water_district_attainment_ratio", "有考核目标的断面中达到目标类别的比例。"},
	} {
		add(b, PanelScope{}, s.title, s.desc,
			stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(6, 4)).
				Unit("percentunit").Decimals(1).
				WithTarget(promInstant("A", s.expr, s.title)))
	}
	add(b, PanelScope{}, "评价断面数", "评价期内有水质类别的断面数。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(6, 4)).
			Unit("none").Decimals(0).
			WithTarget(promInstant("A", "greenmetrics_water_district_sections", "断面")))
	latestTable(b, domains, levelDistrict, "本区最新值", "本区自身（不含断面）的最新一期数据，按目录的显示单位。", 12, 8)
	add(b, PanelScope{Domains: domains, Level: levelDistrict}, "优良比例走势（InfluxDB）", "分析引擎按月计算的本区优良断面比例（derived），每月一个点。",
		timeseries.NewPanelBuilder().Datasource(influxDS).GridPos(b.l.at(12, 8)).
			Unit("percentunit").Decimals(1).Min(0).Max(1).ShowPoints(common.VisibilityModeAlways).
			WithTarget(influxQL("A", `SELECT "value" FROM "derived" WHERE "indicator" = 'water_good_ratio' AND `+districtTag+` AND $timeFilter GROUP BY "indicator"`, "$tag_indicator")))

	b.row("断面")
	add(b, PanelScope{Level: levelSection}, "断面水质类别", "所选断面评价期的水质类别、考核目标类别、是否达标与样本数。",
		newTable().Datasource(promDS).GridPos(b.l.at(14, 10)).Unit("none").Decimals(0).
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
	add(b, PanelScope{Domains: domains, Level: levelSection}, "主要污染项目", "劣于Ⅲ类断面的超标项目，按超标程度排序（1 为最重）。",
		newTable().Datasource(promDS).GridPos(b.l.at(10, 10)).Unit("none").Decimals(0).
			WithTarget(promTable("A", `greenmetrics_water_section_main_pollutant{section=~"$section"} * on(pollutant) group_left(name_zh) label_replace(greenmetrics_indicator_info{domain="water"}, "pollutant", "$1", "indicator", "(.+)")`)).
			WithTransformation(organize([]string{"Time", "__name__", "job", "instance"},
				map[string]string{"section": "断面", "name_zh": "污染项目", "pollutant": "代码", "Value": "排序"},
				[]string{"section", "Value", "name_zh", "pollutant"})))
	add(b, PanelScope{Domains: domains, Level: levelSection}, "断面水质类别历史（InfluxDB）", "分析引擎按月评价的各断面水质类别（1 = Ⅰ类 … 6 = 劣Ⅴ类），每月一个点。",
		timeseries.NewPanelBuilder().Datasource(influxDS).GridPos(b.l.at(12, 9)).
			Unit("none").Decimals(0).Min(1).Max(6).ShowPoints(common.VisibilityModeAlways).
			Mappings(classText).
			WithTarget(influxQL("A", `SELECT "value" FROM "derived" WHERE "indicator" = 'water_class' AND "entity" =~ /^$section$/ AND $timeFilter GROUP BY "indicator", "entity"`, "$tag_entity")))
	mgl := c.pick(domains, func(ind models.Indicator) bool {
		return ind.Entity == "section" && ind.Unit == "mg/L" && (ind.Code == "codmn" || ind.Code == "nh3n" || ind.Code == "tp" || ind.Code == "cod" || ind.Code == "do")
	})
	add(b, PanelScope{Domains: domains, Level: levelSection}, "主要项目浓度（InfluxDB，mg/L）", "所选断面高锰酸盐指数、氨氮、总磷、化学需氧量、溶解氧的日均浓度（自动监测为小时数据，按日平均）。",
		timeseries.NewPanelBuilder().Datasource(influxDS).GridPos(b.l.at(12, 9)).
			Unit("suffix: mg/L").Decimals(2).
			WithTarget(influxQL("A", `SELECT mean("value") FROM "figure" WHERE "indicator" =~ /^`+codes(mgl)+`$/ AND "indicator" =~ /^$indicator$/ AND "entity" =~ /^$section$/ AND $timeFilter GROUP BY time(1d), "indicator", "entity" fill(none)`, "$tag_entity $tag_indicator")))
	return b
}

// ── 建筑节能 ───────────────────────────────────────────────────────────

func buildingDashboard(c catalog) *board {
	domains := []string{"building"}
	dr := domainRegex(domains)
	inds := c.pick(domains, func(models.Indicator) bool { return true })
	b := newBoard("greenmetrics-building", "建筑节能",
		"装配式建筑、超低能耗与近零能耗建筑、既有建筑绿色改造面积（本区）。面积以万平方米显示。", true)
	b.d.WithVariable(indicatorVar(domains, inds))
	b.row("本区")
	add(b, PanelScope{Domains: domains}, "年内累计面积（万平方米）", "各指标年内累计完成值（完成值口径：流量求和、累计量取最新），万平方米。",
		bargauge.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).
			Unit("suffix: 万平方米").Decimals(2).Orientation(common.VizOrientationHorizontal).
			WithTarget(promInstant("A", named(`greenmetrics_indicator_actual_square_meters{indicator=~"$indicator"} / 1e4`, dr), "{{name_zh}}")))
	latestTable(b, domains, levelDistrict, "本区最新值", "各指标最新一期报送值，按目录的显示单位（万平方米）。", 12, 8)
	b.row("本区历史（InfluxDB）")
	historyPanels(b, domains, c.pick(domains, district), nil, common.GraphDrawStyleBars)
	return b
}

// ── 系统运行 ───────────────────────────────────────────────────────────

func systemDashboard() *board {
	b := newBoard("greenmetrics-system", "系统运行",
		"greenmetrics 守护进程：抓取、分析快照、数据接收（按报送方）、推送接口、投放目录、写入队列（spool）与 InfluxDB 写入、报送到期。", false)
	b.d.Time("now-6h", "now")
	b.row("健康")
	add(b, PanelScope{}, "守护进程", "Prometheus 能否抓取所选实例。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).Unit("none").
			ColorMode(common.BigValueColorModeBackground).
			Mappings(textMap("1", "运行中", "green", "0", "不可达", "red")).
			WithTarget(promInstant("A", `max(up) or vector(0)`, "up")))
	add(b, PanelScope{}, "InfluxDB 写入", "最近一次写入或探测 InfluxDB 是否成功。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).Unit("none").
			ColorMode(common.BigValueColorModeBackground).
			Mappings(textMap("1", "可写入", "green", "0", "不可达", "red")).
			WithTarget(promInstant("A", `greenmetrics_influx_up`, "influx")))
	add(b, PanelScope{}, "分析快照距今", "最近一次指标分析距今；新数据入库后约半分钟内自动重算，也可 POST /api/v1/analyze。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("s").Thresholds(thresholds("green", 1800.0, "orange", 3600.0, "red")).
			WithTarget(promInstant("A", `time() - greenmetrics_snapshot_timestamp_seconds`, "age")))
	add(b, PanelScope{}, "待写入点数", "已持久化到写入队列、尚未写入 InfluxDB 的点数。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("short").Thresholds(thresholds("green", 10000.0, "orange")).
			WithTarget(promInstant("A", `greenmetrics_spool_pending_points`, "pending")))
	add(b, PanelScope{}, "写入队列占用", "写入队列已用比例；满后推送返回 503。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("percentunit").Decimals(1).Thresholds(thresholds("green", 0.5, "orange", 0.8, "red")).
			WithTarget(promInstant("A", `greenmetrics_spool_pending_bytes / greenmetrics_spool_capacity_bytes`, "used")))
	add(b, PanelScope{}, "逾期未报指标数", "下一期数据已过应报日期仍未入库的指标数（GreenmetricsIndicatorOverdue）。",
		stat.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(4, 4)).
			Unit("none").Decimals(0).Thresholds(thresholds("green", 1.0, "orange")).
			WithTarget(promInstant("A", countOrZero(overdueExpr), "overdue")))

	b.row("数据接收")
	add(b, PanelScope{}, "接收与拒收（条/秒，按报送方）", "校验通过进入写入队列与被拒收的观测值，按报送方（令牌名、映射来源、drop、http、import、demo，其余为 other）。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("short").
			WithTarget(promRange("A", `sum by (provider) (rate(greenmetrics_ingest_observations_total[$__rate_interval]))`, "接收 {{provider}}")).
			WithTarget(promRange("B", `sum by (provider) (rate(greenmetrics_ingest_rejected_observations_total[$__rate_interval]))`, "拒收 {{provider}}")))
	add(b, PanelScope{}, "推送接口请求（次/秒，按状态码）", "HTTP 接口（推送、分析、健康检查）的请求率，按路由与状态码；503 表示写入队列已满。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("reqps").
			WithTarget(promRange("A", `sum by (route, code) (rate(greenmetrics_http_requests_total[$__rate_interval]))`, "{{route}} {{code}}")))
	add(b, PanelScope{}, "推送接口延迟（秒，p99）", "推送接口从收到请求到数据持久化后应答的 99 分位耗时，按状态码。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("s").
			WithTarget(promRange("A", `histogram_quantile(0.99, sum by (le, code) (rate(greenmetrics_http_request_duration_seconds_bucket{route="POST /api/v1/observations"}[$__rate_interval])))`, "p99 {{code}}")))
	add(b, PanelScope{}, "投放目录文件（个/小时，按结果）", "投放目录处理的文件：done 已处理、rejected 无法读取、retry 留待重试（写入队列满或 InfluxDB 故障）。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("short").DrawStyle(common.GraphDrawStyleBars).
			WithTarget(promRange("A", `sum by (outcome) (increase(greenmetrics_drop_files_total[1h]))`, "{{outcome}}")))

	b.row("写入 InfluxDB")
	add(b, PanelScope{}, "写入 InfluxDB（点/秒）与失败（次/秒）", "写入队列送达 InfluxDB 的点、按类型的写入失败与永久拒收。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("short").
			WithTarget(promRange("A", `rate(greenmetrics_spool_delivered_points_total[$__rate_interval])`, "已写入")).
			WithTarget(promRange("B", `sum by (kind) (rate(greenmetrics_influx_write_errors_total[$__rate_interval]))`, "失败 {{kind}}")).
			WithTarget(promRange("C", `rate(greenmetrics_spool_dead_lettered_points_total[$__rate_interval])`, "永久拒收")))
	add(b, PanelScope{}, "写入延迟（秒）", "数据从持久化到写入 InfluxDB 的耗时分位数。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("s").
			WithTarget(promRange("A", `histogram_quantile(0.99, rate(greenmetrics_spool_delivery_latency_seconds_bucket[$__rate_interval])) or histogram_quantile(0.99, greenmetrics_spool_delivery_latency_seconds_bucket)`, "p99")).
			WithTarget(promRange("B", `histogram_quantile(0.5, rate(greenmetrics_spool_delivery_latency_seconds_bucket[$__rate_interval])) or histogram_quantile(0.5, greenmetrics_spool_delivery_latency_seconds_bucket)`, "p50")))
	add(b, PanelScope{}, "待写入点数", "写入队列中等待写入的点数。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("short").
			WithTarget(promRange("A", `greenmetrics_spool_pending_points`, "待写入点数")))
	add(b, PanelScope{}, "最早待写入等待", "写入队列中最早一条数据已等待的时间。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("s").
			WithTarget(promRange("A", `greenmetrics_spool_oldest_pending_age_seconds`, "最早待写入等待")))

	b.row("报送到期")
	add(b, PanelScope{Domains: allDomains()}, "下一期应报日期", "每个指标下一期数据的应报日期（期末 + 报送时滞，目录 due_lag 可改）与应报送方；逾期为正值。告警 GreenmetricsIndicatorOverdue 在逾期 1 小时后触发。",
		newTable().Datasource(promDS).GridPos(b.l.at(24, 10)).Unit("dateTimeAsIso").
			WithTarget(promTable("A", named(`greenmetrics_indicator_next_due_timestamp_seconds * 1000`, ".+"))).
			WithTarget(promTable("B", `time() - greenmetrics_indicator_next_due_timestamp_seconds`)).
			WithTransformation(merge()).
			WithTransformation(organize([]string{"Time", "__name__", "job", "instance", "display_unit"},
				map[string]string{"name_zh": "指标", "indicator": "代码", "provider": "报送方", "Value #A": "应报日期", "Value #B": "逾期"},
				[]string{"name_zh", "provider", "Value #A", "Value #B", "indicator"})).
			OverrideByName("逾期", []dashboard.DynamicConfigValue{prop("unit", "dtdurations"),
				prop("custom.cellOptions", map[string]any{"type": "color-text"}),
				prop("thresholds", map[string]any{"mode": "absolute", "steps": []map[string]any{
					{"color": "green", "value": nil}, {"color": "red", "value": 0}}})}))

	b.row("进程")
	add(b, PanelScope{}, "内存", "守护进程的常驻内存与 Go 堆。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("bytes").
			WithTarget(promRange("A", `process_resident_memory_bytes`, "常驻内存")).
			WithTarget(promRange("B", `go_memstats_heap_inuse_bytes`, "Go 堆")))
	add(b, PanelScope{}, "每次抓取样本数", "Prometheus 每次抓取所选实例得到的样本数（基数）。",
		timeseries.NewPanelBuilder().Datasource(promDS).GridPos(b.l.at(12, 8)).Unit("short").
			WithTarget(promRange("A", `scrape_samples_scraped`, "样本数")))
	return b
}

// allDomains lists every domain of models.
func allDomains() []string {
	out := make([]string, 0, len(models.Domains))
	for _, d := range models.Domains {
		out = append(out, string(d))
	}
	return out
}
