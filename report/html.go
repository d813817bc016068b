package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/greenmetrics/greenmetrics/models"
)

//go:embed templates/*.tmpl templates/style.css
var templateFS embed.FS

var funcs = template.FuncMap{
	// dict passes several values to a sub-template.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

var (
	reportTmpl = template.Must(template.New("report.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/report.html.tmpl"))
	indexTmpl  = template.Must(template.New("index.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/index.html.tmpl"))
	styleCSS   = mustRead("templates/style.css")
)

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		// The file is embedded at build time; its absence is a build defect.
		panic(err)
	}
	return string(b)
}

// htmlView is what the HTML template reads: the report plus its figures
// already formatted, so the template holds layout only.
type htmlView struct {
	R        *Report
	L        labels
	HTMLLang string
	CSS      template.CSS
	// Final is the closed year's results (nil in most months).
	Final                               *finalView
	MonthName, AsOf, Generated          string
	TimeProgress                        string
	Tally                               []tally
	Sections                            []sectionView
	WaterGood, WaterInferior            string
	WaterAttain                         string
	WaterRows                           []waterRow
	WaterNotes                          []string
	StationCols                         []string
	StationRows                         []stationRow
	Air                                 airView
	Stale                               []staleRow
	GraceNote, NoDataNote, RejectedLine string
	Damaged, DemoNote, RevisionsLine    string
	Revisions                           []revisionRow
	// RejectedRules and Examples name their rules in the report's language
	// (ruleText).
	RejectedRules []RuleCount
	Examples      []RejectedSample
	Notes         []string
}

type revisionRow struct {
	Accepted, Name, Entity, Period, Old, New, Change, OldProvider, NewProvider, Origin string
}

type tally struct {
	Label, Class string
	N            int
}

type sectionView struct {
	ID, Title       string
	Rows, Reference []cells
	Omitted         string
	Charts          []Chart
	IsWater, IsAir  bool
}

type waterRow struct {
	Name, Body, ClassName, Target, Attained, AttainClass, Pollutants, Last string
	Class, Samples                                                         int
}

type stationRow struct {
	Station string
	Means   []string
	Demo    bool
}

type staleRow struct{ Name, Last, Due string }

// WriteHTML renders the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	var buf bytes.Buffer
	if err := reportTmpl.Execute(&buf, newHTMLView(r)); err != nil {
		return fmt.Errorf("rendering HTML: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func newHTMLView(r *Report) htmlView {
	l := labelsFor(r.Lang)
	v := htmlView{
		R: r, L: l, HTMLLang: "zh-CN", CSS: template.CSS(styleCSS),
		MonthName: r.Month.NameZh(), AsOf: stamp(r.AsOf.Add(-1)), Generated: stamp(r.GeneratedAt),
		TimeProgress: percent(r.TimeProgress),
		WaterGood:    percent(r.Water.District.GoodRatio), WaterInferior: percent(r.Water.District.InferiorVRatio),
		WaterAttain: percent(r.Water.District.AttainmentRatio),
		GraceNote:   fmt.Sprintf(l.GraceFmt, trimmed(r.Quality.GraceDays, 1)),
		Notes:       methodNotes(r.Lang),
	}
	if r.Lang == LangEn {
		v.HTMLLang, v.MonthName = "en", r.Month.NameEn()
	}
	v.Tally = tallies(r)
	v.Final = newFinalView(r.Final, r.Lang)
	for _, s := range r.Sections {
		sv := sectionView{ID: s.ID, Title: s.Title, Charts: s.Charts, IsWater: s.ID == "water", IsAir: s.ID == "air"}
		for _, row := range s.Rows {
			sv.Rows = append(sv.Rows, rowCells(row, r.Lang))
		}
		for _, row := range s.Reference {
			sv.Reference = append(sv.Reference, rowCells(row, r.Lang))
		}
		if s.Omitted > 0 {
			sv.Omitted = fmt.Sprintf(l.OmittedFmt, s.Omitted)
		}
		v.Sections = append(v.Sections, sv)
	}
	v.WaterRows = waterRows(r.Water, l)
	v.WaterNotes = waterNotes(r.Water)
	v.StationCols, v.StationRows = stationTable(r.Stations, r.Lang)
	v.Air = newAirView(r)
	for _, s := range r.Quality.Stale {
		v.Stale = append(v.Stale, staleRow{Name: s.Name, Last: stamp(s.LastObservation), Due: stamp(s.Due)})
	}
	if r.Quality.NoData > 0 {
		v.NoDataNote = fmt.Sprintf(l.NoDataFmt, r.Quality.NoData)
	}
	if r.Quality.DamagedLines > 0 {
		v.Damaged = fmt.Sprintf(l.DamagedFmt, r.Quality.DamagedLines)
	}
	v.RejectedLine = rejectedLine(r)
	for _, rc := range r.Quality.RejectedByRule {
		v.RejectedRules = append(v.RejectedRules, RuleCount{Key: ruleText(rc.Key, r.Lang), Count: rc.Count})
	}
	for _, e := range r.Quality.Examples {
		e.Rule = ruleText(e.Rule, r.Lang)
		v.Examples = append(v.Examples, e)
	}
	if hasDemo(r) {
		v.DemoNote = l.DemoNote
	}
	v.Revisions = revisionRows(r)
	if n := len(r.Quality.Revisions); n > 0 {
		v.RevisionsLine = fmt.Sprintf(l.RevisionsFmt, v.MonthName, n)
		if same := providerOnly(r.Quality.Revisions); same > 0 {
			v.RevisionsLine += fmt.Sprintf(l.ProviderOnlyFmt, same)
		}
	}
	return v
}

// hasDemo reports whether any figure of the report is marked 演示.
func hasDemo(r *Report) bool {
	for _, s := range r.Sections {
		for _, rows := range [][]Row{s.Rows, s.Reference} {
			for _, row := range rows {
				if row.Demo {
					return true
				}
			}
		}
	}
	for _, st := range r.Stations.Rows {
		if st.Demo {
			return true
		}
	}
	return false
}

// revisionRows format the month's revisions in the indicator's units.
func revisionRows(r *Report) []revisionRow {
	var out []revisionRow
	for _, v := range r.Quality.Revisions {
		entity := v.Entity
		if entity == "" {
			entity = dash
		}
		out = append(out, revisionRow{
			Accepted: stamp(v.Accepted), Name: v.Name, Entity: entity, Period: v.Period,
			Old: formatValue(v.OldValue, v.Unit, v.DisplayUnit, "", r.Lang), New: formatValue(v.NewValue, v.Unit, v.DisplayUnit, "", r.Lang),
			Change:      v.Change,
			OldProvider: orDash(v.OldProvider), NewProvider: orDash(v.NewProvider), Origin: orDash(v.Origin),
		})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}

func tallies(r *Report) []tally {
	var out []tally
	for _, st := range models.Statuses {
		if n := r.Counts.of(st); n > 0 {
			out = append(out, tally{Label: statusText(st, r.Lang), Class: "st-" + string(st), N: n})
		}
	}
	return out
}

// waterNotes are the sections' notes, each after its section's name: what
// a class leaves out is said under the table, never dropped.
func waterNotes(w Water) []string {
	var out []string
	for _, s := range w.Sections {
		for _, n := range s.Notes {
			out = append(out, s.Name+"："+n)
		}
	}
	return out
}

func waterRows(w Water, l labels) []waterRow {
	var out []waterRow
	for _, s := range w.Sections {
		wr := waterRow{Name: s.Name, Body: s.WaterBody, Class: s.Class, ClassName: s.ClassName, Target: s.TargetName,
			Attained: dash, Pollutants: strings.Join(s.MainPollutants, l.ListSep), Samples: s.Samples, Last: stamp(s.LastSample)}
		if wr.Pollutants == "" {
			wr.Pollutants = dash
		}
		if s.Attained != nil {
			wr.Attained = l.No
			wr.AttainClass = "fail"
			if *s.Attained {
				wr.Attained, wr.AttainClass = l.Yes, ""
			}
		}
		out = append(out, wr)
	}
	return out
}

func stationTable(s Stations, lang Lang) ([]string, []stationRow) {
	var cols []string
	for _, c := range s.Indicators {
		cols = append(cols, fmt.Sprintf("%s（%s）", c.Name, chartUnit(c.Unit, c.DisplayUnit, lang)))
	}
	var rows []stationRow
	for _, r := range s.Rows {
		sr := stationRow{Station: r.Station, Demo: r.Demo}
		for i, m := range r.Means {
			c := s.Indicators[i]
			if !m.Valid() {
				sr.Means = append(sr.Means, dash)
				continue
			}
			// Concentrations are reported to 0.1 (PM2.5 "0.1微克").
			sr.Means = append(sr.Means, fixed(displayValue(m.Float(), c.Unit, c.DisplayUnit), 1))
		}
		rows = append(rows, sr)
	}
	return cols, rows
}

func rejectedLine(r *Report) string {
	q := r.Quality
	if q.Rejected == 0 {
		return ""
	}
	if r.Lang == LangEn {
		return fmt.Sprintf("%d rows were rejected in %s, from %d sources.", q.Rejected, r.Month.NameEn(), len(q.RejectedBySrc))
	}
	return fmt.Sprintf("%s共拒收数据%d行，涉及%d个数据来源。", r.Month.NameZh(), q.Rejected, len(q.RejectedBySrc))
}

// methodNotes say how the figures are computed, in the report's language.
func methodNotes(lang Lang) []string {
	if lang == LangEn {
		return []string{
			"This period is the report month for monthly and finer data (daily and hourly series are aggregated to the month), and the latest quarter or year with data for quarterly and annual figures. MoM compares with the adjacent earlier period (January with December), YoY with the same period a year earlier; changes of shares and rates are in percentage points.",
			"Year to date follows the kind of quantity: flows are summed, balances and cumulative totals take the latest value, concentrations and intensities the mean of daily means. Completion is year to date ÷ target (target ÷ year to date for lower-is-better indicators); for balances and cumulative totals the year's increase ÷ (target − year-start figure), labelled; rate targets (growth, unemployment) have no completion and are compared in percentage points. Time progress is n/12. Status: amounts are ahead or behind schedule (completion against time progress, both to 0.1 %) and completed only once the annual target is reached; levels and ratios meet or do not meet their target now; 'approximately' (左右) targets are basically met within 0.5 percentage points (rates) or 2 % (amounts and levels); not completed is the year's final result. Every comparison is on values rounded to the published precision.",
			"Time progress is shown only where the status is a pace against it (flows, cumulative totals, balances): the share of the year the data cover, months/12 for monthly data (the header's n/12 at the month's end); levels and shares compare their value with the target and have none.",
			"Trend: Mann-Kendall test with Sen's slope per year, significant at p < 0.05 (flat: a slope that rounds to zero); on a second line the verdict of 环办〔2011〕22号 (HJ 663-2013 annex B): Spearman's r_s against the W_p table. Projected year end and the probability of meeting the target come from the analysis engine's forecast.",
			"Largest changes in the summary leave out counts below 5 or changing by less than 5 (1 → 2 is +100% but not a large change) and the year-to-date air tallies. A figure of last year under this year's columns says so. Air statistics are rounded to their reporting precision (PM2.5 and CO to 0.1, the others to integers; GB/T 8170) before they are compared with the GB 3095-2012 class II limits.",
			"Water: class of each section by the single-factor method on mean concentrations of the period (GB 3838-2002, 环办〔2011〕22号); good share = classes I–III ÷ sections, worse-than-V share likewise; attainment = sections meeting their target class ÷ sections with a target.",
			"Numbers are rounded half to even (GB/T 8170); shares to one decimal.",
			"Indicator rows use the district's own figures only (and the configured water sections and stations); national, provincial and other reference series are shown as labelled context and never added into them. A revised figure replaces the earlier one (one value per indicator, entity and period); figures marked demo still come from the demo data.",
		}
	}
	return []string{
		"本期值：月度及更高频数据为本月（日、小时数据按月汇总），季度、年度数据为最近一个有数据的季度、年度。环比与相邻上一期比较（1月与上年12月比较），同比与上年同期比较；比例、比率类指标的变化以个百分点表示。",
		"累计按指标性质计算：流量类指标（减排量、新开工面积、新增车辆等）年内求和，存量类（余额）和累计类取期末值，浓度、强度类取日均值的平均。完成率＝累计÷年度目标（越低越好的指标为目标÷累计），存量、累计类为年内增量÷（目标－年初数）并加标注；增速、失业率等比率类目标不计完成率，以高于、低于目标或控制在目标以内若干个百分点表示。序时进度＝n/12。状态：数量类指标完成率不低于序时进度为超序时，否则为落后序时，达到年度目标方为已完成；浓度、比率类指标按当前值称达标或未达标；“左右”目标在比率±0.5个百分点、数量和浓度±2%以内为基本完成（基本达标）；未完成为全年结果。所有比较均按发布精度修约后进行。",
		"序时进度仅对按进度考核的指标（流量、累计、余额类）列示，为数据覆盖的时间占全年的比例：月度数据为月数÷12，与表头本月末的n/12一致；浓度、比例等水平类指标直接与目标比较，不列序时进度。",
		"趋势采用Mann-Kendall检验和Sen斜率（每年变化量），p<0.05为显著，斜率修约为零时写“持平”；第二行为环办〔2011〕22号（HJ 663-2013附录B）规定的Spearman秩相关判定（r_s与W_p临界值比较）。预计年末值和达标概率取自分析引擎的预测。",
		"综述中的“本期变化较大”不计基数或变化量不足5的计数类指标（1个增至2个虽为+100%，并非大幅变化）及年内累计的空气质量天数。本年尚无数据、表中列出的是上年数的，注明“上年数，本年暂无”。环境空气质量各项统计值先按报告精度修约（PM2.5、CO保留一位小数，其余取整，GB/T 8170），再与GB 3095-2012二级标准限值比较。",
		"水环境：各断面按评价时段平均浓度单因子评价（GB 3838-2002、环办〔2011〕22号）；优良比例＝Ⅰ～Ⅲ类断面数÷考核断面数，劣Ⅴ类比例同理；达标率＝达到考核目标的断面数÷设有目标的断面数。",
		"数值修约采用四舍六入五成双（GB/T 8170），比例保留一位小数。",
		"指标表仅使用本区数据（及配置的考核断面、监测站点）；全国、省级等参考序列仅作背景列示，不计入本区数值。同一指标、对象、统计期只保留最后受理的数值（修订取代原值）；标注“演示”的数值来自演示数据。",
	}
}
