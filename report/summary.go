package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/greenmetrics/greenmetrics/models"
)

// maxNamed is how many indicators a summary sentence names before "等N项".
const maxNamed = 5

// summarize writes the opening paragraphs from the numbers: where the
// targets stand, which indicators are behind, the biggest changes, the
// water picture and the data quality.
func summarize(r *Report, lang Lang) []string {
	if lang == LangEn {
		return summarizeEn(r)
	}
	return summarizeZh(r)
}

func summarizeZh(r *Report) []string {
	c := r.Counts
	var out []string
	var p strings.Builder
	fmt.Fprintf(&p, "截至%s末，本报告纳入%d项指标，序时进度为%s。", r.Month.NameZh(), c.Indicators, percent(r.TimeProgress))
	if c.WithTarget > 0 {
		fmt.Fprintf(&p, "设有%d年度数值目标的%d项中，", r.Year, c.WithTarget)
		p.WriteString(joinZh(nonzero(tallyParts(c, func(s models.Status) string { return s.NameZh() + "%d项" })...)))
		p.WriteString("。")
	} else {
		fmt.Fprintf(&p, "本期暂无设有%d年度数值目标的指标数据。", r.Year)
	}
	if behind := namesWith(r, models.StatusBehind); len(behind) > 0 {
		fmt.Fprintf(&p, "落后序时进度的指标为%s，需加快推进。", listZh(behind))
	}
	if notMet := namesWith(r, models.StatusNotMet); len(notMet) > 0 {
		fmt.Fprintf(&p, "当前未达标的指标为%s。", listZh(notMet))
	}
	if c.Municipal > 0 {
		fmt.Fprintf(&p, "另有%d项为完成市级下达任务的指标。", c.Municipal)
	}
	out = append(out, p.String())
	if moves := biggestChanges(r, 3); len(moves) > 0 {
		parts := make([]string, len(moves))
		for i, m := range moves {
			parts[i] = m.zh()
		}
		out = append(out, "本期变化较大的指标："+strings.Join(parts, "；")+"。")
	}
	if risk := atRisk(r); len(risk) > 0 {
		out = append(out, fmt.Sprintf("按当前趋势测算，%s年末达标概率不足50%%。", listZh(risk)))
	}
	if w := waterZh(r); w != "" {
		out = append(out, w)
	}
	out = append(out, qualityZh(r))
	return out
}

func summarizeEn(r *Report) []string {
	c := r.Counts
	var out []string
	var p strings.Builder
	fmt.Fprintf(&p, "As of the end of %s, this report covers %d indicators; time progress is %s.", r.Month.NameEn(), c.Indicators, percent(r.TimeProgress))
	if c.WithTarget > 0 {
		fmt.Fprintf(&p, " Of the %d with a numeric %d target, ", c.WithTarget, r.Year)
		p.WriteString(joinEn(nonzero(tallyParts(c, func(s models.Status) string {
			if s == models.StatusNoData {
				return "%d without data yet"
			}
			return "%d " + s.NameEn()
		})...)))
		p.WriteString(".")
	} else {
		fmt.Fprintf(&p, " No indicator with a numeric %d target has data yet.", r.Year)
	}
	if behind := namesWith(r, models.StatusBehind); len(behind) > 0 {
		fmt.Fprintf(&p, " Behind schedule: %s.", listEn(behind))
	}
	if notMet := namesWith(r, models.StatusNotMet); len(notMet) > 0 {
		fmt.Fprintf(&p, " Not meeting the target now: %s.", listEn(notMet))
	}
	if c.Municipal > 0 {
		fmt.Fprintf(&p, " %d more follow targets set by the municipality.", c.Municipal)
	}
	out = append(out, p.String())
	if moves := biggestChanges(r, 3); len(moves) > 0 {
		parts := make([]string, len(moves))
		for i, m := range moves {
			parts[i] = m.en()
		}
		out = append(out, "Largest changes: "+strings.Join(parts, "; ")+".")
	}
	if risk := atRisk(r); len(risk) > 0 {
		out = append(out, fmt.Sprintf("At the current pace, %s %s less than a 50%% chance of meeting the target by year end.", listEn(risk), plural(len(risk), "has", "have")))
	}
	if w := waterEn(r); w != "" {
		out = append(out, w)
	}
	out = append(out, qualityEn(r))
	return out
}

type countPart struct {
	format string
	n      int
}

// tallyParts are the tallies of the statuses judged against a number, in
// models.Statuses order, each written by word: 已完成 counts only annual
// tasks done, 达标 levels and ratios meeting their target now.
func tallyParts(c Counts, word func(models.Status) string) []countPart {
	var out []countPart
	for _, s := range models.Statuses {
		if s.Judged() || s == models.StatusNoData {
			out = append(out, countPart{word(s), c.of(s)})
		}
	}
	return out
}

func nonzero(parts ...countPart) []string {
	var out []string
	for _, p := range parts {
		if p.n > 0 {
			out = append(out, fmt.Sprintf(p.format, p.n))
		}
	}
	return out
}

func joinZh(parts []string) string { return strings.Join(parts, "，") }

func joinEn(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// listZh names up to maxNamed items: "甲、乙、丙等7项". A name that itself
// holds 、 or ，（"新增、更新电动公交车出租车"）is quoted so the list reads
// unambiguously.
func listZh(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = n
		if strings.ContainsAny(n, "、，") {
			quoted[i] = "“" + n + "”"
		}
	}
	names = quoted
	if len(names) <= maxNamed {
		return strings.Join(names, "、")
	}
	return strings.Join(names[:maxNamed], "、") + fmt.Sprintf("等%d项", len(names))
}

func listEn(names []string) string {
	if len(names) <= maxNamed {
		return joinEn(names)
	}
	return strings.Join(names[:maxNamed], ", ") + fmt.Sprintf(" and %d more", len(names)-maxNamed)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func namesWith(r *Report, st models.Status) []string {
	var out []string
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			if row.Status == st {
				out = append(out, row.Name)
			}
		}
	}
	return out
}

// atRisk are the indicators whose annual task is still open (not
// completed, basically completed or missed) and whose forecast gives them
// less than an even chance of meeting the target.
func atRisk(r *Report) []string {
	var out []string
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			switch row.Status {
			case models.StatusCompleted, models.StatusBasicallyCompleted, models.StatusMissed:
				continue
			}
			if !row.ProbabilityMeet.Valid() {
				continue
			}
			if row.ProbabilityMeet < 0.5 {
				out = append(out, row.Name)
			}
		}
	}
	return out
}

// move is one change the summary mentions.
type move struct {
	name     string
	yoy      bool // 同比, else 环比
	v        Num
	inPoints bool
	value    string
}

func (m move) zh() string {
	what := "环比"
	if m.yoy {
		what = "同比"
	}
	verb := "增长"
	if m.inPoints {
		verb = "上升"
	}
	if m.v < 0 {
		verb = "下降"
	}
	amount := fixed(math.Abs(m.v.Float())*100, 1)
	if m.inPoints {
		amount += "个百分点"
	} else {
		amount += "%"
	}
	return fmt.Sprintf("%s%s%s%s（本期%s）", m.name, what, verb, amount, m.value)
}

func (m move) en() string {
	what := "month on month"
	if m.yoy {
		what = "year on year"
	}
	verb := "up"
	if m.v < 0 {
		verb = "down"
	}
	amount := fixed(math.Abs(m.v.Float())*100, 1)
	if m.inPoints {
		amount += " pp"
	} else {
		amount += "%"
	}
	return fmt.Sprintf("%s %s %s %s (%s)", m.name, verb, amount, what, m.value)
}

// biggestChanges ranks the district rows by the size of their 同比 (or
// 环比 where no year-ago figure exists). Shares are ranked by their change
// relative to the earlier value, so 1 point on a 2% share counts as much
// as 50% on an amount.
func biggestChanges(r *Report, n int) []move {
	type cand struct {
		m     move
		score float64
	}
	var cs []cand
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			m := move{name: row.Name, inPoints: row.ChangeInPoints,
				value: cellValue(row.Value, row, r.Lang)}
			base := row.YearAgo
			switch {
			case row.YoY.Valid():
				m.yoy, m.v = true, row.YoY
			case row.MoM.Valid():
				m.v, base = row.MoM, row.Prev
			default:
				continue
			}
			if tinyCount(row, base) || yearToDateTally[row.Code] {
				continue
			}
			score := math.Abs(m.v.Float())
			if m.inPoints {
				if !base.Valid() || base == 0 {
					continue
				}
				score = math.Abs(m.v.Float() / base.Float())
			}
			if score == 0 {
				continue
			}
			cs = append(cs, cand{m, score})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	out := make([]move, 0, n)
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].m)
	}
	return out
}

// minCountChange is the smallest count, and the smallest change of a
// count, whose relative change the summary mentions: 1 → 2 is +100% but
// not a large change, and 0 → 2 has no relative change at all.
const minCountChange = 5

// yearToDateTally are figures that are a year-to-date tally by definition
// (the engine's air figures, metrics/engine_air.go): their 环比 is the
// month's addition, not a change, and the 大气 assessment states them.
var yearToDateTally = map[string]bool{"good_days": true, "heavy_pollution_days": true, "good_days_ratio": true}

// tinyCount reports whether a row counts things (座, 个, 辆, 天) and either
// its earlier value or its change is below minCountChange.
func tinyCount(row Row, base Num) bool {
	if row.Unit != "count" {
		return false
	}
	if !base.Valid() || !row.Value.Valid() {
		return true
	}
	return math.Abs(base.Float()) < minCountChange || math.Abs(row.Value.Float()-base.Float()) < minCountChange
}

func waterZh(r *Report) string {
	w := r.Water
	if w.District.Sections == 0 {
		return ""
	}
	d := w.District
	s := fmt.Sprintf("水环境方面，%d个考核断面中%d个达到Ⅳ类以上、%d个达到Ⅲ类以上，优良（Ⅰ～Ⅲ类）比例%s，劣Ⅴ类比例%s",
		d.Sections, d.IVOrBetter, d.IIIOrBetter, percent(d.GoodRatio), percent(d.InferiorVRatio))
	if d.AttainmentRatio.Valid() {
		s += fmt.Sprintf("，达标率%s", percent(d.AttainmentRatio))
	}
	s += "。"
	if bad := unattained(w); len(bad) > 0 {
		s += fmt.Sprintf("未达到考核目标的断面：%s。", strings.Join(bad, "；"))
	}
	return s
}

func waterEn(r *Report) string {
	w := r.Water
	if w.District.Sections == 0 {
		return ""
	}
	d := w.District
	s := fmt.Sprintf("Water: of %d assessed sections, %d are class IV or better and %d class III or better; the good share is %s and the worse-than-V share %s",
		d.Sections, d.IVOrBetter, d.IIIOrBetter, percent(d.GoodRatio), percent(d.InferiorVRatio))
	if d.AttainmentRatio.Valid() {
		s += fmt.Sprintf(", attainment %s", percent(d.AttainmentRatio))
	}
	s += "."
	if bad := unattainedEn(w); len(bad) > 0 {
		s += " Sections missing their target: " + strings.Join(bad, "; ") + "."
	}
	return s
}

func unattained(w Water) []string {
	var out []string
	for _, s := range w.Sections {
		if s.Attained == nil || *s.Attained {
			continue
		}
		t := fmt.Sprintf("%s（%s，目标%s", s.Name, s.ClassName, s.TargetName)
		if len(s.MainPollutants) > 0 {
			t += "，主要污染物为" + strings.Join(s.MainPollutants, "、")
		}
		out = append(out, t+"）")
	}
	return out
}

func unattainedEn(w Water) []string {
	var out []string
	for _, s := range w.Sections {
		if s.Attained == nil || *s.Attained {
			continue
		}
		t := fmt.Sprintf("%s (class %s, target %s", s.Name, s.ClassName, s.TargetName)
		if len(s.MainPollutants) > 0 {
			t += "; main pollutants " + strings.Join(s.MainPollutants, ", ")
		}
		out = append(out, t+")")
	}
	return out
}

func qualityZh(r *Report) string {
	q := r.Quality
	var b strings.Builder
	b.WriteString("数据质量方面，")
	if len(q.Stale) == 0 {
		b.WriteString("各项指标均按期更新")
	} else {
		names := make([]string, len(q.Stale))
		for i, s := range q.Stale {
			names[i] = s.Name
		}
		fmt.Fprintf(&b, "%d项数据未按期更新（%s）", len(q.Stale), listZh(names))
	}
	if q.Rejected == 0 {
		b.WriteString("；本月无拒收数据。")
	} else {
		// The rule's Chinese description stands for ingest's English
		// message, which the Chinese text does not quote.
		top := q.RejectedByRule[0]
		reason := top.Key + "（"
		if zh, ok := ruleNamesZh[top.Key]; ok {
			reason = zh + "（" + top.Key + "，"
		}
		fmt.Fprintf(&b, "；本月拒收数据%d行，最多的原因为%s%d行）。", q.Rejected, reason, top.Count)
	}
	if n := len(q.Revisions); n > 0 {
		if same := providerOnly(q.Revisions); same > 0 {
			fmt.Fprintf(&b, "本月修订数据%d项（其中%d项数值未变，仅报送方变更；见数据质量部分）。", n, same)
		} else {
			fmt.Fprintf(&b, "本月修订数据%d项（见数据质量部分）。", n)
		}
	}
	if names := demoNames(r); len(names) > 0 {
		fmt.Fprintf(&b, "%s仍含演示数据，已标注“演示”，不得作为正式数据引用。", listZh(names))
	}
	return b.String()
}

// demoNames are the rows and stations whose figures are still the demo's.
func demoNames(r *Report) []string {
	var out []string
	for _, s := range r.Sections {
		for _, rows := range [][]Row{s.Rows, s.Reference} {
			for _, row := range rows {
				if row.Demo {
					out = append(out, row.Name)
				}
			}
		}
	}
	for _, st := range r.Stations.Rows {
		if st.Demo {
			out = append(out, st.Station)
		}
	}
	return out
}

func qualityEn(r *Report) string {
	q := r.Quality
	var b strings.Builder
	b.WriteString("Data quality: ")
	if len(q.Stale) == 0 {
		b.WriteString("every indicator is up to date")
	} else {
		names := make([]string, len(q.Stale))
		for i, s := range q.Stale {
			names[i] = s.Name
		}
		fmt.Fprintf(&b, "%d %s not updated on time (%s)", len(q.Stale), plural(len(q.Stale), "series was", "series were"), listEn(names))
	}
	if q.Rejected == 0 {
		b.WriteString("; no rows were rejected this month.")
	} else {
		fmt.Fprintf(&b, "; %d %s rejected this month, most often for %s (%d%s).", q.Rejected, plural(q.Rejected, "row was", "rows were"), q.RejectedByRule[0].Key, q.RejectedByRule[0].Count, exampleOf(q, q.RejectedByRule[0].Key, ", e.g. "))
	}
	if n := len(q.Revisions); n > 0 {
		same := ""
		if k := providerOnly(q.Revisions); k > 0 {
			same = fmt.Sprintf("; %d of them only changed provider, not value", k)
		}
		fmt.Fprintf(&b, " %d %s revised this month (see data quality%s).", n, plural(n, "figure was", "figures were"), same)
	}
	if names := demoNames(r); len(names) > 0 {
		fmt.Fprintf(&b, " %s still %s demo data, marked demo: do not quote.", listEn(names), plural(len(names), "holds", "hold"))
	}
	return b.String()
}

// exampleOf quotes the first example message of a rule, so a rule code
// reads with its reason.
func exampleOf(q Quality, rule, lead string) string {
	for _, e := range q.Examples {
		if e.Rule == rule && e.Message != "" {
			return lead + e.Message
		}
	}
	return ""
}
