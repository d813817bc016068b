package report

import (
	"strings"
	"testing"
	"time"
)

// TestSummary reads the summary of May 2024 as a person would: the counts,
// the indicators behind schedule by name, the biggest changes, the water
// figures and the data quality, in Chinese and in English.
func TestSummary(t *testing.T) {
	tests := []struct {
		lang Lang
		want []string
	}{
		{LangZh, []string{
			"截至2024年5月末，本报告纳入10项指标，序时进度为41.7%。",
			"设有2024年度数值目标的6项中，超序时1项，落后序时3项，达标1项，未达标1项。",
			"落后序时进度的指标为农村污水处理站建设、“新增、更新电动公交车出租车”、老旧小区改造",
			"绿色信贷余额同比增长13.3%（本期340亿元）",
			"考核断面优良水体比例同比上升5.0个百分点",
			"农村污水处理站建设年末达标概率不足50%",
			"优良（Ⅰ～Ⅲ类）比例50.0%，劣Ⅴ类比例25.0%，达标率66.7%",
			"凤港减河入境（劣Ⅴ类，目标Ⅴ类，主要污染物为氨氮、总磷）",
			"本月拒收数据3行，最多的原因为数据状态标记为无效（status_not_accepted，2行）。",
		}},
		{LangEn, []string{
			"As of the end of May 2024, this report covers 10 indicators; time progress is 41.7%.",
			"Of the 6 with a numeric 2024 target, 1 ahead of schedule, 3 behind schedule, 1 met and 1 not met.",
			"Green credit balance up 13.3% year on year (34 billion yuan)",
			"Share of good sections up 5.0 pp year on year",
			"the good share is 50.0% and the worse-than-V share 25.0%, attainment 66.7%",
			"3 rows were rejected this month, most often for status_not_accepted (2, e.g. CNEMC status 维护, not 正常).",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			text := strings.Join(buildFixture(t, Month{2024, time.May}, tt.lang).Summary, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("summary lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestListZh(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"甲"}, "甲"},
		{[]string{"甲", "新增、更新车辆"}, "甲、“新增、更新车辆”"},
		{[]string{"一", "二", "三", "四", "五", "六", "七"}, "一、二、三、四、五等7项"},
	}
	for _, tt := range tests {
		if got := listZh(tt.in); got != tt.want {
			t.Errorf("listZh(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSummaryWithoutData: an empty month still reads as sentences.
func TestSummaryWithoutData(t *testing.T) {
	r := &Report{Month: Month{2024, time.February}, Year: 2024, TimeProgress: Num(2.0 / 12), Lang: LangZh}
	got := strings.Join(summarize(r, LangZh), "")
	for _, w := range []string{"本报告纳入0项指标", "本期暂无设有2024年度数值目标的指标数据", "各项指标均按期更新", "本月无拒收数据"} {
		if !strings.Contains(got, w) {
			t.Errorf("summary %q lacks %q", got, w)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func countOf(s, sub string) int { return strings.Count(s, sub) }
