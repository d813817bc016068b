package report

import "github.com/greenmetrics/greenmetrics/models"

// labels are the fixed words of the report in one language.
type labels struct {
	Title, Subtitle, AsOf, Generated, TimeProgress, Contents   string
	Summary, Indicator, Period, Value, MoM, YoY, YTD, Target   string
	Completion, Progress, Status, Trend, Projected, ProbMeet   string
	Entity, NoRows, Charts, ReferenceTitle, OmittedFmt         string
	WaterSections, Section, WaterBody, Class, TargetClass      string
	Attained, MainPollutants, Samples, LastSample, Yes, No     string
	GoodRatio, InferiorV, AttainmentRatio, SectionsAssessed    string
	ClassChart, Stations, Station, Quality, StaleTitle         string
	LastObs, Due, NoStale, RejectedTitle, Rule, Source, Count  string
	Row, Field, Message, NoRejected, Examples, DamagedFmt      string
	NoDataFmt, Method, Index, IndexTitle, Formats, Significant string
	NotSignificant, PerYear, ChartActual, ChartLastYear        string
	ChartTarget, ChartTimeProgress, Month, GraceFmt            string
	ChartThisYear                                              string
	Demo, DemoNote, Level, RevisionsTitle, NoRevisions         string
	Accepted, OldValue, NewValue, OldProvider, NewProvider     string
	Change, ValueUnchanged, ValueRevised, ProviderChangedFmt   string
	ProviderOnlyFmt                                            string
	Origin, RevisionsFmt, AirTitle, ListSep                    string
	NoteOpen, NoteClose, NoteSep                               string
}

var zhLabels = labels{
	Title: "通州区绿色发展指标月度报告", Subtitle: "碳排放·绿色金融·生态环境目标进展",
	AsOf: "数据截至", Generated: "生成时间", TimeProgress: "序时进度", Contents: "目录",
	Summary: "综述", Indicator: "指标", Period: "统计期", Value: "本期值", MoM: "环比", YoY: "同比",
	YTD: "累计", Target: "年度目标", Completion: "完成率", Progress: "序时进度", Status: "状态",
	Trend: "趋势（Sen斜率/年）", Projected: "预计年末值", ProbMeet: "达标概率",
	Entity: "对象", NoRows: "本月无该领域指标数据。", Charts: "年内累计进度",
	ReferenceTitle: "参考序列", OmittedFmt: "另有%d个对象的参考序列从略。",
	WaterSections: "考核断面水质", Section: "断面", WaterBody: "水体", Class: "水质类别",
	TargetClass: "考核目标", Attained: "是否达标", MainPollutants: "主要污染物", Samples: "样本数",
	LastSample: "最近采样", Yes: "达标", No: "未达标",
	GoodRatio: "优良（Ⅰ～Ⅲ类）比例", InferiorV: "劣Ⅴ类比例", AttainmentRatio: "达标率",
	SectionsAssessed: "考核断面数", ClassChart: "断面水质类别分布",
	Stations: "空气质量监测站点月均浓度", Station: "站点",
	Quality: "数据质量", StaleTitle: "未按期更新的指标", LastObs: "最近观测", Due: "应报期起",
	NoStale: "所有指标均按期更新。", RejectedTitle: "本月拒收数据", Rule: "规则", Source: "来源",
	Count: "行数", Row: "行号", Field: "字段", Message: "原因", NoRejected: "本月无拒收数据。",
	Examples: "示例", DamagedFmt: "拒收日志中有%d行损坏，未计入。",
	NoDataFmt: "另有%d项目录指标截至本月末尚无任何观测数据（多为未接入的参考序列）。",
	Method:    "说明", Index: "月度报告索引", IndexTitle: "通州区绿色发展指标月度报告（历期）",
	Formats: "格式", Significant: "显著", NotSignificant: "不显著", PerYear: "/年",
	ChartActual: "本年累计", ChartLastYear: "上年同期", ChartTarget: "年度目标",
	ChartTimeProgress: "序时进度线", Month: "月份", ChartThisYear: "本年",
	GraceFmt: "判定规则：最近一个完整报告期（月度及更高频为本月，季度、年度为最近一个已结束的季度、年度）内无观测，宽限%s天。",
	Demo:     "演示", DemoNote: "标注“演示”的数值仍来自演示数据，尚未被各部门报送的真实数据取代，不得作为正式数据引用。",
	Level: "级别", RevisionsTitle: "本月修订数据", NoRevisions: "本月无修订数据。",
	Accepted: "受理时间", OldValue: "原值", NewValue: "修订值", OldProvider: "原报送方", NewProvider: "修订报送方",
	Change: "修订内容", ValueUnchanged: "数值未变", ValueRevised: "数值修订",
	ProviderChangedFmt: "报送方变更（%s → %s）", ProviderOnlyFmt: "其中%d项数值未变，仅报送方变更（同一数值由另一报送方再次报送，记为修订）。",
	AirTitle: "环境空气质量（年内累计）", ListSep: "、", NoteOpen: "（", NoteClose: "）", NoteSep: "；",
	Origin: "来源", RevisionsFmt: "%s共修订数据%d项：后受理的数值取代先前的数值（同一指标、对象、统计期只保留一个数值）。",
}

var enLabels = labels{
	Title: "Tongzhou Green Development Indicators — Monthly Report", Subtitle: "Carbon, green finance and environmental targets",
	AsOf: "Data up to", Generated: "Generated", TimeProgress: "Time progress", Contents: "Contents",
	Summary: "Summary", Indicator: "Indicator", Period: "Period", Value: "This period", MoM: "MoM", YoY: "YoY",
	YTD: "Year to date", Target: "Annual target", Completion: "Completion", Progress: "Time progress", Status: "Status",
	Trend: "Trend (Sen slope/yr)", Projected: "Projected year end", ProbMeet: "P(meet target)",
	Entity: "Entity", NoRows: "No data for this domain this month.", Charts: "Year-to-date progress",
	ReferenceTitle: "Reference series", OmittedFmt: "Reference series of %d more entities omitted.",
	WaterSections: "Assessed water sections", Section: "Section", WaterBody: "Water body", Class: "Class",
	TargetClass: "Target", Attained: "Attained", MainPollutants: "Main pollutants", Samples: "Samples",
	LastSample: "Last sample", Yes: "yes", No: "no",
	GoodRatio: "Good (class I–III) share", InferiorV: "Worse-than-V share", AttainmentRatio: "Attainment rate",
	SectionsAssessed: "Sections assessed", ClassChart: "Sections by water class",
	Stations: "Air monitoring stations: monthly means", Station: "Station",
	Quality: "Data quality", StaleTitle: "Indicators not updated on time", LastObs: "Last observation", Due: "Due period start",
	NoStale: "Every indicator is up to date.", RejectedTitle: "Rows rejected this month", Rule: "Rule", Source: "Source",
	Count: "Rows", Row: "Row", Field: "Field", Message: "Reason", NoRejected: "No rows were rejected this month.",
	Examples: "Examples", DamagedFmt: "%d damaged lines of the rejection log were skipped.",
	NoDataFmt: "%d more catalogue indicators have no observation at all up to the end of the month (mostly reference series not yet loaded).",
	Method:    "Notes", Index: "Monthly reports", IndexTitle: "Tongzhou green development indicators: monthly reports",
	Formats: "Formats", Significant: "significant", NotSignificant: "not significant", PerYear: "/yr",
	ChartActual: "This year, to date", ChartLastYear: "Last year", ChartTarget: "Annual target",
	ChartTimeProgress: "Time-progress line", Month: "Month", ChartThisYear: "This year",
	GraceFmt: "Rule: no observation for the latest complete reporting period (this month for monthly and finer data, the latest ended quarter or year otherwise), with %s days of grace.",
	Demo:     "demo", DemoNote: "Figures marked demo still come from the demo data set, not yet superseded by data the departments reported; do not quote them.",
	Level: "Level", RevisionsTitle: "Revisions this month", NoRevisions: "No figure was revised this month.",
	Accepted: "Accepted", OldValue: "Old value", NewValue: "New value", OldProvider: "Old provider", NewProvider: "New provider",
	Change: "Change", ValueUnchanged: "value unchanged", ValueRevised: "value revised",
	ProviderChangedFmt: "provider changed (%s → %s)", ProviderOnlyFmt: " %d of them kept the value and changed only the provider (the same value sent again by another provider is recorded as a revision).",
	AirTitle: "Ambient air quality, year to date", ListSep: ", ", NoteOpen: " (", NoteClose: ")", NoteSep: "; ",
	Origin: "Origin", RevisionsFmt: "%s: %d figures were revised; the later accepted value replaces the earlier one (one value per indicator, entity and period).",
}

func labelsFor(l Lang) labels {
	if l == LangEn {
		return enLabels
	}
	return zhLabels
}

// levelText names an entity level in the report's language: 全国, 省级 …
func levelText(l models.Level, lang Lang) string {
	if l == "" {
		return ""
	}
	if lang == LangEn {
		switch l {
		case models.LevelCountry:
			return "national"
		case models.LevelProvince:
			return "provincial"
		}
		return string(l)
	}
	switch l {
	case models.LevelCountry:
		return "全国"
	case models.LevelStation:
		return "站点"
	}
	return l.NameZh()
}

// statusText is the status as the report writes it (models' words).
func statusText(s models.Status, l Lang) string {
	if l == LangEn {
		return s.NameEn()
	}
	return s.NameZh()
}

// progressStatusText is a row's standing in the report's language: the
// status, the final result once the year is closed, and for a rate target
// its difference in 个百分点 (models.Progress.StatusZh).
func progressStatusText(p models.Progress, l Lang) string {
	if l == LangEn {
		return p.StatusEn()
	}
	return p.StatusZh()
}

// sectionDef maps catalogue domains onto the report's seven sections.
// Energy goes with carbon (it is the activity data of carbon accounting);
// ecology, social and urban figures of the work report go with the economy
// under 经济与民生.
type sectionDef struct {
	ID      string
	Zh, En  string
	Domains []models.Domain
}

var sectionDefs = []sectionDef{
	{"carbon", "碳排放与碳减排", "Carbon emissions and reductions", []models.Domain{models.DomainCarbon, models.DomainEnergy}},
	{"green-finance", "绿色金融", "Green finance", []models.Domain{models.DomainGreenFinance}},
	{"water", "水环境", "Water environment", []models.Domain{models.DomainWater}},
	{"air", "大气", "Air", []models.Domain{models.DomainAir}},
	{"building", "建筑节能", "Building energy efficiency", []models.Domain{models.DomainBuilding}},
	{"transport", "交通", "Transport", []models.Domain{models.DomainTransport}},
	{"economy", "经济与民生", "Economy and livelihoods", []models.Domain{models.DomainEconomy, models.DomainSocial, models.DomainUrban, models.DomainEcology}},
}

// sectionFor returns the index in sectionDefs of the section of d.
func sectionFor(d models.Domain) int {
	for i, s := range sectionDefs {
		for _, x := range s.Domains {
			if x == d {
				return i
			}
		}
	}
	return len(sectionDefs) - 1
}

// name is the indicator's name in the report's language.
func name(ind models.Indicator, l Lang) string {
	if l == LangEn && ind.NameEn != "" {
		return ind.NameEn
	}
	return ind.NameZh
}
