package config

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/greenmetrics/greenmetrics/models"
)

// PlanColumns are the columns of a plan spreadsheet (CSV or xlsx, the same
// in both). One row per target (record "target") or stated baseline
// (record "baseline"); the plan's own fields (plan_id … source) are given
// on the first row and may be left empty or repeated on the others.
var PlanColumns = []string{
	"plan_id", "plan_name", "issued", "demo", "source",
	"record", "indicator", "year", "from", "to", "kind", "value", "unit", "qualifier",
	"base_year", "base_value", "path", "constant_prices", "text", "quote",
}

// planColumnHelp explains each column on the template's 说明 sheet.
var planColumnHelp = map[string]string{
	"plan_id":         "计划编号，小写英文、数字、-、_（如 2025-tongzhou-gwr）；首行填写",
	"plan_name":       "计划名称（如 2025年通州区政府工作报告）；首行填写",
	"issued":          "发布日期 YYYY-MM-DD；同一指标同一年份，后发布的计划优先",
	"demo":            "演示计划填 true，否则留空",
	"source":          "出处（可留空）",
	"record":          "target（目标）或 baseline（计划所述基期数据）",
	"indicator":       "指标代码（greenmetrics catalog 列出）",
	"year":            "单一年度目标的年份；多年目标留空，填 from 和 to",
	"from":            "多年目标起始年（如 2021）",
	"to":              "多年目标终止年（如 2025），目标为该年末应达到的水平",
	"kind":            "absolute（绝对值/全年总量）、growth（比上年增长）、reduction（比基期下降）、increase（比基期增长）、municipal（完成市级下达的任务）、qualitative（无数值的定性目标，如“稳步增长”，只填 text）",
	"value":           "目标值，单位见 unit；比率可写 % 单位（如 value 13.5，unit %）",
	"unit":            "value 的单位（亿元、万平方米、吨、% …），须可换算为指标单位",
	"qualifier":       "exact、approx（左右）、more_than（超）、at_least（以上/不少于）、at_most（以内/控制在）、less_than、municipal",
	"base_year":       "下降/增长目标的基期年份；留空为起始年前一年",
	"base_value":      "计划所述基期数值（可留空：取基期年份的实际数据）",
	"path":            "多年目标的年度路径：linear（线性，默认）或 geometric（等比）",
	"constant_prices": "强度指标按不变价（地区生产总值指数）计算填 true",
	"text":            "原文中的目标表述（如 下降13.5%）",
	"quote":           "原文句子",
}

// Record kinds of a plan spreadsheet row.
const (
	recordTarget   = "target"
	recordBaseline = "baseline"
)

// PlanRows is the plan as spreadsheet rows, header first: what
// WritePlanCSV and WritePlanXLSX write and the parsers read back.
func PlanRows(p *models.Plan) [][]string {
	rows := [][]string{append([]string(nil), PlanColumns...)}
	meta := []string{p.ID, p.Name, p.Issued, boolCell(p.Demo), p.Source}
	first := true
	next := func() []string {
		if first {
			first = false
			return meta
		}
		return make([]string, len(meta))
	}
	for _, t := range p.Targets {
		base := ""
		if t.BaseValue != nil {
			base = num(*t.BaseValue)
		}
		rows = append(rows, append(next(), recordTarget, t.Indicator, intCell(t.Year), intCell(t.From), intCell(t.To),
			string(t.Kind), num(t.Value), t.Unit, string(t.Qualifier), intCell(t.BaseYear), base,
			string(t.Path), boolCell(t.ConstantPrices), t.Text, t.Quote))
	}
	for _, f := range p.Baselines {
		rows = append(rows, append(next(), recordBaseline, f.Indicator, intCell(f.Year), "", "",
			"", num(f.Value), f.Unit, string(f.Qualifier), "", "", "", "", f.Text, f.Quote))
	}
	if first && p.ID != "" {
		rows = append(rows, append(meta, make([]string, len(PlanColumns)-len(meta))...))
	}
	return rows
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func intCell(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

func boolCell(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// WritePlanCSV writes the plan as CSV with a UTF-8 BOM, so that Excel
// opens the Chinese text as such.
func WritePlanCSV(w io.Writer, p *models.Plan) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(PlanRows(p)); err != nil {
		return fmt.Errorf("writing plan CSV: %w", err)
	}
	return nil
}

// Sheet names of a plan workbook.
const (
	planSheet = "plan"
	helpSheet = "说明"
)

// WritePlanXLSX writes the plan as a workbook: the rows on sheet "plan",
// what each column means on sheet 说明.
func WritePlanXLSX(w io.Writer, p *models.Plan) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", planSheet); err != nil {
		return fmt.Errorf("plan workbook: %w", err)
	}
	for i, row := range PlanRows(p) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v // text cells: codes and years stay as written
		}
		if err := f.SetSheetRow(planSheet, cell, &vals); err != nil {
			return fmt.Errorf("plan workbook row %d: %w", i+1, err)
		}
	}
	if _, err := f.NewSheet(helpSheet); err != nil {
		return fmt.Errorf("plan workbook: %w", err)
	}
	for i, col := range PlanColumns {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := []any{col, planColumnHelp[col]}
		if err := f.SetSheetRow(helpSheet, cell, &row); err != nil {
			return fmt.Errorf("plan workbook help: %w", err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("writing plan workbook: %w", err)
	}
	return nil
}

// ParsePlanCSV reads a plan spreadsheet saved as CSV (a BOM is allowed).
func ParsePlanCSV(name string, data []byte, cat *Catalog) (models.Plan, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return models.Plan{}, &Error{File: name, Err: fmt.Errorf("CSV: %w", err)}
	}
	return planFromRows(name, rows, cat)
}

// ParsePlanXLSX reads the first sheet of a plan workbook.
func ParsePlanXLSX(name string, data []byte, cat *Catalog) (models.Plan, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return models.Plan{}, &Error{File: name, Err: fmt.Errorf("xlsx: %w", err)}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return models.Plan{}, &Error{File: name, Err: errors.New("xlsx: no sheet")}
	}
	sheet := sheets[0]
	if idx, _ := f.GetSheetIndex(planSheet); idx >= 0 {
		sheet = planSheet
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		return models.Plan{}, &Error{File: name, Err: fmt.Errorf("xlsx: %w", err)}
	}
	return planFromRows(name, rows, cat)
}

// planFromRows reads spreadsheet rows (header first); a row's line in
// errors is its row number.
func planFromRows(name string, rows [][]string, cat *Catalog) (models.Plan, error) {
	plan := models.Plan{File: name}
	if len(rows) == 0 {
		return plan, &Error{File: name, Err: errors.New("empty: want the header row " + strings.Join(PlanColumns, ","))}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	var errs Errors
	for _, c := range PlanColumns {
		if _, ok := col[c]; !ok {
			errs = append(errs, &Error{File: name, Line: 1, Field: c, Err: errors.New("column missing from the header")})
		}
	}
	if len(errs) > 0 {
		return plan, errs
	}
	for i, row := range rows[1:] {
		line := i + 2
		cell := func(c string) string {
			if j := col[c]; j < len(row) {
				return strings.TrimSpace(row[j])
			}
			return ""
		}
		if blankRow(row) {
			continue
		}
		if err := mergeMeta(&plan, cell); err != nil {
			errs = append(errs, &Error{File: name, Line: line, Err: err})
		}
		switch rec := cell("record"); rec {
		case recordTarget, "":
			t, err := targetFromCells(cell)
			if err == nil {
				t.Line = line
				err = normalizeTarget(&t, cat)
			}
			if err != nil {
				errs = append(errs, &Error{File: name, Line: line, Field: "target " + cell("indicator"), Err: err})
				continue
			}
			plan.Targets = append(plan.Targets, t)
		case recordBaseline:
			f, err := figureFromCells(cell)
			if err == nil {
				f.Line = line
				err = normalizeFigure(&f, cat)
			}
			if err != nil {
				errs = append(errs, &Error{File: name, Line: line, Field: "baseline " + cell("indicator"), Err: err})
				continue
			}
			plan.Baselines = append(plan.Baselines, f)
		default:
			errs = append(errs, &Error{File: name, Line: line, Field: "record", Err: fmt.Errorf("%q: %w (target, baseline)", rec, models.ErrBadEnum)})
		}
	}
	if err := plan.Validate(); err != nil {
		errs = append(errs, &Error{File: name, Line: 2, Field: "plan", Err: err})
	}
	errs = append(errs, duplicatesInPlan(&plan)...)
	if len(errs) > 0 {
		return plan, errs
	}
	return plan, nil
}

func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// mergeMeta takes the plan's own fields from a row: the first row sets
// them, later rows may repeat them but not contradict them.
func mergeMeta(p *models.Plan, cell func(string) string) error {
	demo := strings.EqualFold(cell("demo"), "true") || cell("demo") == "是"
	fields := []struct {
		key string
		dst *string
	}{{"plan_id", &p.ID}, {"plan_name", &p.Name}, {"issued", &p.Issued}, {"source", &p.Source}}
	for _, f := range fields {
		v := cell(f.key)
		switch {
		case v == "":
		case *f.dst == "":
			*f.dst = v
		case *f.dst != v:
			return fmt.Errorf("%s %q differs from the first row's %q: one file is one plan", f.key, v, *f.dst)
		}
	}
	p.Demo = p.Demo || demo
	return nil
}

func targetFromCells(cell func(string) string) (models.PlanTarget, error) {
	t := models.PlanTarget{
		Indicator: cell("indicator"), Kind: models.TargetKind(cell("kind")), Unit: cell("unit"),
		Qualifier: models.Qualifier(cell("qualifier")), Path: models.PathShape(cell("path")),
		ConstantPrices: strings.EqualFold(cell("constant_prices"), "true") || cell("constant_prices") == "是",
		Text:           cell("text"), Quote: cell("quote"),
	}
	var err error
	ints := []struct {
		key string
		dst *int
	}{{"year", &t.Year}, {"from", &t.From}, {"to", &t.To}, {"base_year", &t.BaseYear}}
	for _, f := range ints {
		if *f.dst, err = intOf(f.key, cell(f.key)); err != nil {
			return t, err
		}
	}
	if (t.Kind != models.TargetMunicipal && t.Kind != models.TargetQualitative) || cell("value") != "" {
		if t.Value, err = floatOf("value", cell("value")); err != nil {
			return t, err
		}
	}
	if s := cell("base_value"); s != "" {
		b, err := floatOf("base_value", s)
		if err != nil {
			return t, err
		}
		t.BaseValue = &b
	}
	return t, nil
}

func figureFromCells(cell func(string) string) (models.PlanFigure, error) {
	f := models.PlanFigure{Indicator: cell("indicator"), Unit: cell("unit"), Qualifier: models.Qualifier(cell("qualifier")),
		Text: cell("text"), Quote: cell("quote")}
	var err error
	if f.Year, err = intOf("year", cell("year")); err != nil {
		return f, err
	}
	f.Value, err = floatOf("value", cell("value"))
	return f, err
}

func intOf(key, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q: not a whole number", key, s)
	}
	return v, nil
}

func floatOf(key, s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("%s: %w", key, models.ErrMissingField)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q: not a number", key, s)
	}
	return v, nil
}
