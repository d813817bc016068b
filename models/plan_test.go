package models

import (
	"math"
	"testing"
)

func TestPathValue(t *testing.T) {
	tests := []struct {
		name               string
		base, end          float64
		baseYear, year, to int
		shape              PathShape
		want               float64
	}{
		{"linear mid-span", 50, 40, 2020, 2023, 2025, PathLinear, 44},
		{"linear default", 50, 40, 2020, 2021, 2025, "", 48},
		{"geometric", 50, 40, 2020, 2023, 2025, PathGeometric, 50 * math.Pow(0.8, 0.6)},
		{"end year", 50, 40, 2020, 2025, 2025, PathGeometric, 40},
		{"after the span", 50, 40, 2020, 2027, 2025, PathLinear, 40},
		{"base year", 50, 40, 2020, 2020, 2025, PathLinear, 50},
		{"single year", 100, 104, 2023, 2024, 2024, PathLinear, 104},
		{"geometric needs positive figures", -1, 1, 2020, 2021, 2022, PathGeometric, 0},
	}
	for _, tc := range tests {
		if got := PathValue(tc.base, tc.end, tc.baseYear, tc.year, tc.to, tc.shape); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestResultOfAndWords(t *testing.T) {
	tests := []struct {
		s    Status
		want FinalResult
		zh   string
	}{
		{StatusCompleted, ResultCompleted, "完成"},
		{StatusMet, ResultCompleted, "完成"},
		{StatusBasicallyMet, ResultBasicallyCompleted, "基本完成"},
		{StatusNotMet, ResultNotCompleted, "未完成"},
		{StatusPaceUnknown, ResultNotCompleted, "未完成"},
		{StatusAhead, ResultNotCompleted, "未完成"},
		{StatusBehind, ResultNotCompleted, "未完成"},
		{StatusMissed, ResultNotCompleted, "未完成"},
		{StatusMunicipal, ResultMunicipal, "市级下达"},
		{StatusNoData, ResultNoData, "暂无数据"},
		{StatusNoTarget, ResultNoTarget, "未设定目标"},
	}
	for _, tc := range tests {
		r := ResultOf(tc.s)
		if r != tc.want || r.NameZh() != tc.zh || r.NameEn() == string(r) {
			t.Errorf("ResultOf(%s) = %s %q %q, want %s %q", tc.s, r, r.NameZh(), r.NameEn(), tc.want, tc.zh)
		}
	}
}

func TestPlanTargetValidate(t *testing.T) {
	ok := PlanTarget{Indicator: "x", Year: 2025, Kind: TargetAbsolute, Qualifier: QualifierExact}
	tests := []struct {
		name   string
		change func(*PlanTarget)
		ok     bool
	}{
		{"valid", func(*PlanTarget) {}, true},
		{"span", func(p *PlanTarget) { p.Year, p.From, p.To = 0, 2021, 2025 }, true},
		{"year and span", func(p *PlanTarget) { p.From, p.To = 2021, 2025 }, false},
		{"reversed span", func(p *PlanTarget) { p.Year, p.From, p.To = 0, 2025, 2021 }, false},
		{"endless span", func(p *PlanTarget) { p.Year, p.From, p.To = 0, 2021, 2099 }, false},
		{"base after start", func(p *PlanTarget) { p.BaseYear = 2025 }, false},
		{"unknown kind", func(p *PlanTarget) { p.Kind = "soaring" }, false},
		{"unknown path", func(p *PlanTarget) { p.Path = "zigzag" }, false},
		{"no indicator", func(p *PlanTarget) { p.Indicator = "" }, false},
	}
	for _, tc := range tests {
		p := ok
		tc.change(&p)
		if err := p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
