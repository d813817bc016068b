package ingest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// table reads the rows of a CSV file or a worksheet once its header is
// known: which cells hold the time, entity, status and values.
type table struct {
	header    []string
	headerRow int // its line (CSV) or row (Excel), 1-based
	loc       *time.Location
	// time: one column (timeFormat optional) or year…minute columns.
	timeCols   []int
	timeField  string
	timeFormat string
	joinedTime bool
	// xlsx: numeric time cells are Excel serial dates.
	xlsx     bool
	date1904 bool
	// entity: joined columns, or a constant; prefix added to read ones.
	entityCols   []int
	entityField  string
	entityConst  string
	entityPrefix string
	statusCol    int
	accept       map[string]bool
	missing      map[string]bool
	// long layout
	long                            bool
	indCol, valCol, unitCol, srcCol int
	confirmCol                      int
	renames                         map[string]string
	entityRenames                   map[string]map[string]string
	units                           map[string]string
	// wide layout
	wide []wideCol
	// the last time cell read and its time: the rows of one hour or month
	// follow each other (every station, every pollutant), so most rows
	// repeat the cell before them.
	lastTimeCell string
	lastTime     time.Time
}

// keyColumns are the columns that say what a value is, not the value:
// time, entity, indicator, unit, source and status.
func (t *table) keyColumns() map[int]bool {
	keys := map[int]bool{}
	for _, cols := range [][]int{t.timeCols, t.entityCols, {t.statusCol, t.indCol, t.unitCol, t.srcCol, t.confirmCol}} {
		for _, c := range cols {
			if c >= 0 {
				keys[c] = true
			}
		}
	}
	return keys
}

// wideCol is one value column of a wide layout.
type wideCol struct {
	idx       int
	name      string
	indicator string
	unit      string
}

// headerIndex finds columns by name, ignoring case and surrounding space.
type headerIndex struct {
	cols map[string][]int
	used map[int]bool
	hdr  []string
}

func newHeaderIndex(header []string) *headerIndex {
	h := &headerIndex{cols: map[string][]int{}, used: map[int]bool{}, hdr: header}
	for i, name := range header {
		k := normName(name)
		h.cols[k] = append(h.cols[k], i)
	}
	return h
}

// normName is a header name as compared: without a byte-order mark (Excel
// keeps one in a cell pasted from a CSV), surrounding space or case.
func normName(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")))
}

// find returns the column of name, -1 when absent, or an error when the
// name is ambiguous.
func (h *headerIndex) find(name string) (int, error) {
	idx := h.cols[normName(name)]
	switch len(idx) {
	case 0:
		return -1, nil
	case 1:
		h.used[idx[0]] = true
		return idx[0], nil
	}
	return -1, fmt.Errorf("column %q appears %d times in the header", name, len(idx))
}

// need is find for a column the layout cannot do without.
func (h *headerIndex) need(what, name string) (int, error) {
	i, err := h.find(name)
	if err != nil {
		return -1, err
	}
	if i < 0 {
		return -1, fmt.Errorf("%s column %q is not in the header (%s)", what, name, h.list())
	}
	return i, nil
}

func (h *headerIndex) list() string {
	names := make([]string, 0, len(h.hdr))
	for _, n := range h.hdr {
		names = append(names, strings.TrimSpace(n))
	}
	return "columns: " + strings.Join(names, ", ")
}

// ignored lists the named columns no rule reads.
func (h *headerIndex) ignored() []string {
	var out []string
	for i, name := range h.hdr {
		if !h.used[i] && strings.TrimSpace(name) != "" {
			out = append(out, strings.TrimSpace(name))
		}
	}
	return out
}

// newMappedTable lays a mapping over a header.
func newMappedTable(pl *plan, header []string) (*table, []string, error) {
	m := pl.m
	h := newHeaderIndex(header)
	t := &table{header: header, loc: pl.loc, missing: pl.missing, accept: pl.accept, statusCol: -1,
		timeFormat: m.TimeFormat, entityConst: m.Entity, entityPrefix: m.EntityPrefix,
		indCol: -1, valCol: -1, unitCol: -1, srcCol: -1, confirmCol: -1,
		renames: m.Indicators, entityRenames: m.EntityIndicators, units: m.Units}
	fail := func(err error) (*table, []string, error) {
		return nil, nil, fmt.Errorf("mapping %q: %w", m.Name, err)
	}
	timeNames := m.TimeColumns
	if m.TimeColumn != "" {
		timeNames = []string{m.TimeColumn}
	}
	t.joinedTime = len(m.TimeColumns) > 0
	for _, name := range timeNames {
		i, err := h.need("time", name)
		if err != nil {
			return fail(err)
		}
		t.timeCols = append(t.timeCols, i)
	}
	t.timeField = strings.Join(timeNames, "/")
	entityNames := m.EntityColumns
	if m.EntityColumn != "" {
		entityNames = []string{m.EntityColumn}
	}
	for _, name := range entityNames {
		i, err := h.need("entity", name)
		if err != nil {
			return fail(err)
		}
		t.entityCols = append(t.entityCols, i)
	}
	t.entityField = strings.Join(entityNames, "/")
	if m.StatusColumn != "" {
		i, err := h.need("status", m.StatusColumn)
		if err != nil {
			return fail(err)
		}
		t.statusCol = i
	}
	var err error
	if m.Layout == config.LayoutLong {
		t.long = true
		if t.indCol, err = h.need("indicator", m.IndicatorColumn); err != nil {
			return fail(err)
		}
		if t.valCol, err = h.need("value", m.ValueColumn); err != nil {
			return fail(err)
		}
		if m.UnitColumn != "" {
			if t.unitCol, err = h.need("unit", m.UnitColumn); err != nil {
				return fail(err)
			}
		}
		return t, h.ignored(), nil
	}
	for _, name := range slices.Sorted(maps.Keys(m.Columns)) {
		i, err := h.need("value", name)
		if err != nil {
			return fail(err)
		}
		c := m.Columns[name]
		t.wide = append(t.wide, wideCol{idx: i, name: strings.TrimSpace(header[i]), indicator: c.Indicator, unit: c.Unit})
	}
	sortWide(t.wide)
	return t, h.ignored(), nil
}

// Canonical column names, and what a header may call them.
var (
	timeAliases   = []string{"time", "timestamp", "date", "datetime", "时间", "日期", "月份"}
	entityAliases = []string{"entity", "section", "station", "断面", "站点"}
)

// newCanonicalTable recognises the two layouts that need no mapping: long
// (time, indicator, value, optional entity, unit, source) and wide (time,
// optional entity, and columns named by catalogue code or Chinese name,
// with an optional unit in brackets: "新开工装配式建筑面积（万平方米）").
func newCanonicalTable(cat *config.Catalog, header []string) (*table, error) {
	h := newHeaderIndex(header)
	t := &table{header: header, loc: models.Shanghai, missing: map[string]bool{}, statusCol: -1,
		indCol: -1, valCol: -1, unitCol: -1, srcCol: -1, confirmCol: -1}
	for _, s := range defaultMissing {
		t.missing[s] = true
	}
	timeCol, err := findAlias(h, timeAliases)
	if err != nil {
		return nil, err
	}
	if timeCol < 0 {
		return nil, fmt.Errorf("no time column (time, timestamp or date; %s)", h.list())
	}
	t.timeCols, t.timeField = []int{timeCol}, strings.TrimSpace(header[timeCol])
	entCol, err := findAlias(h, entityAliases)
	if err != nil {
		return nil, err
	}
	if entCol >= 0 {
		t.entityCols, t.entityField = []int{entCol}, strings.TrimSpace(header[entCol])
	}
	if t.srcCol, err = h.find("source"); err != nil {
		return nil, err
	}
	if t.confirmCol, err = h.find("confirm"); err != nil {
		return nil, err
	}
	if t.indCol, err = h.find("indicator"); err != nil {
		return nil, err
	}
	if t.valCol, err = h.find("value"); err != nil {
		return nil, err
	}
	if t.unitCol, err = h.find("unit"); err != nil {
		return nil, err
	}
	if t.indCol >= 0 && t.valCol >= 0 {
		t.long = true
		if rest := h.ignored(); len(rest) > 0 {
			return nil, fmt.Errorf("unknown columns %s: the long layout has time, indicator, entity, value, unit, source and confirm; give a mapping for other layouts", quoteList(rest))
		}
		return t, nil
	}
	if t.indCol >= 0 || t.valCol >= 0 || t.unitCol >= 0 {
		return nil, fmt.Errorf("the long layout needs both indicator and value columns (%s)", h.list())
	}
	return t, t.wideFromCatalog(cat, h)
}

// wideFromCatalog reads every column left as an indicator named by code or
// Chinese name.
func (t *table) wideFromCatalog(cat *config.Catalog, h *headerIndex) error {
	byName := map[string]models.Indicator{}
	for _, ind := range cat.Indicators() {
		byName[normName(ind.Code)] = ind
		byName[normName(ind.NameZh)] = ind
	}
	for i, cell := range t.header {
		if !h.used[i] && strings.TrimSpace(cell) == "" {
			return fmt.Errorf("column %d has no name; a merged or two-row header? give one header row with a name per column", i+1)
		}
	}
	var unknown []string
	for i, cell := range t.header {
		if h.used[i] {
			continue
		}
		name, unit := splitUnit(cell)
		ind, ok := byName[normName(name)]
		if !ok {
			unknown = append(unknown, strings.TrimSpace(cell))
			continue
		}
		if unit != "" {
			if err := models.ConvertibleUnits(unit, ind.Unit); err != nil {
				return fmt.Errorf("column %q: %w", strings.TrimSpace(cell), err)
			}
		}
		h.used[i] = true
		t.wide = append(t.wide, wideCol{idx: i, name: strings.TrimSpace(cell), indicator: ind.Code, unit: unit})
	}
	if len(unknown) > 0 {
		return fmt.Errorf("columns %s are neither canonical columns (time, indicator, entity, value, unit, source, confirm) nor catalogue indicators; give a mapping for this layout", quoteList(unknown))
	}
	if len(t.wide) == 0 {
		return fmt.Errorf("no value columns (%s)", h.list())
	}
	return nil
}

func findAlias(h *headerIndex, names []string) (int, error) {
	for _, n := range names {
		i, err := h.find(n)
		if err != nil || i >= 0 {
			return i, err
		}
	}
	return -1, nil
}

// splitUnit splits "name(unit)" or "name（unit）" into its parts.
func splitUnit(cell string) (name, unit string) {
	s := strings.TrimSpace(cell)
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}} {
		if !strings.HasSuffix(s, br[1]) {
			continue
		}
		if i := strings.LastIndex(s, br[0]); i > 0 {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(br[0]) : len(s)-len(br[1])])
		}
	}
	return s, ""
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// row processes one data row.
func (t *table) row(r *run, n int, cells []string) error {
	if blankRow(cells) {
		return nil
	}
	r.rowSeen()
	raw := &rawRow{cells: cells}
	if len(cells) > len(t.header) && !blankRow(cells[len(t.header):]) {
		return r.rejectRow(n, raw, "", RuleMalformedRow, fmt.Sprintf("row has %d cells, the header %d", len(cells), len(t.header)))
	}
	if t.statusCol >= 0 {
		if st := cell(cells, t.statusCol); !t.accept[st] {
			return r.rejectRow(n, raw, strings.TrimSpace(t.header[t.statusCol]), RuleStatusNotAccepted,
				fmt.Sprintf("status %q is not accepted (accepted: %s)", st, strings.Join(slices.Sorted(maps.Keys(t.accept)), ", ")))
		}
	}
	tm, msg := t.parseTime(cells)
	if msg != "" {
		return r.rejectRow(n, raw, t.timeField, RuleBadTime, msg)
	}
	entity := t.entity(cells)
	confirm := false
	if t.confirmCol >= 0 {
		text := cell(cells, t.confirmCol)
		yes, ok := parseConfirm(text)
		if !ok {
			return r.rejectRow(n, raw, strings.TrimSpace(t.header[t.confirmCol]), RuleMalformedRow, confirmProblem(text))
		}
		confirm = yes
	}
	if t.long {
		return t.longRow(r, n, raw, cells, tm, entity, confirm)
	}
	return t.wideRow(r, n, raw, cells, tm, entity, confirm)
}

func (t *table) longRow(r *run, n int, raw *rawRow, cells []string, tm time.Time, entity string, confirm bool) error {
	c := candidate{row: n, raw: raw, time: tm, timeField: t.timeField, entity: entity, entityField: t.entityField, confirm: confirm,
		indicatorField: t.header[t.indCol], valueField: strings.TrimSpace(t.header[t.valCol])}
	c.indicator = t.rename(cell(cells, t.indCol), entity)
	c.indicatorField = strings.TrimSpace(c.indicatorField)
	if t.unitCol >= 0 {
		c.unit = cell(cells, t.unitCol)
		if u, ok := t.units[c.unit]; ok {
			c.unit = u
		}
		c.unitField = strings.TrimSpace(t.header[t.unitCol])
	}
	if t.srcCol >= 0 {
		c.source, c.sourceField = cell(cells, t.srcCol), strings.TrimSpace(t.header[t.srcCol])
	}
	text := cell(cells, t.valCol)
	if text == "" || t.missing[text] {
		what := "value is empty"
		if text != "" {
			what = fmt.Sprintf("value %q means not measured", text)
		}
		return r.rejectRow(n, raw, c.valueField, RuleMissingValue, what+"; a long row must carry a value")
	}
	v, unit, rule, msg := parseValue(text, c.unit)
	if rule != "" {
		return r.rejectRow(n, raw, c.valueField, rule, msg)
	}
	c.value, c.unit = v, unit
	return r.add(c)
}

func (t *table) wideRow(r *run, n int, raw *rawRow, cells []string, tm time.Time, entity string, confirm bool) error {
	for _, col := range t.wide {
		text := cell(cells, col.idx)
		if t.missing[text] {
			r.notMeasured(1)
			continue
		}
		v, unit, rule, msg := parseValue(text, col.unit)
		if rule != "" {
			if err := r.rejectRow(n, raw, col.name, rule, msg); err != nil {
				return err
			}
			continue
		}
		c := candidate{row: n, raw: raw, time: tm, timeField: t.timeField, entity: entity, entityField: t.entityField,
			indicator: col.indicator, indicatorField: col.name, unit: unit, unitField: col.name, value: v, valueField: col.name, confirm: confirm}
		if t.srcCol >= 0 {
			c.source, c.sourceField = cell(cells, t.srcCol), strings.TrimSpace(t.header[t.srcCol])
		}
		if err := r.add(c); err != nil {
			return err
		}
	}
	return nil
}

// rename maps a file's indicator code to the catalogue's: first the
// mapping's renames, then the entity's.
func (t *table) rename(code, entity string) string {
	if to, ok := t.renames[code]; ok {
		code = to
	}
	if to, ok := t.entityRenames[entity][code]; ok {
		code = to
	}
	return code
}

func (t *table) entity(cells []string) string {
	if t.entityConst != "" {
		return t.entityConst
	}
	var parts []string
	for _, i := range t.entityCols {
		if s := cell(cells, i); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return t.entityPrefix + strings.Join(parts, "/")
}

// parseTime reads the row's time; a non-empty message says why it cannot.
func (t *table) parseTime(cells []string) (time.Time, string) {
	if t.joinedTime {
		return t.joinTime(cells)
	}
	s := cell(cells, t.timeCols[0])
	if s == "" {
		return time.Time{}, "time is empty"
	}
	if s == t.lastTimeCell {
		return t.lastTime, ""
	}
	tm, problem := t.parseTimeCell(s)
	if problem == "" {
		t.lastTimeCell, t.lastTime = strings.Clone(s), tm
	}
	return tm, problem
}

// parseTimeCell reads one time cell.
func (t *table) parseTimeCell(s string) (time.Time, string) {
	if t.timeFormat != "" {
		tm, err := time.ParseInLocation(t.timeFormat, s, t.loc)
		if err != nil {
			return time.Time{}, fmt.Sprintf("time %q does not match the layout %q", s, t.timeFormat)
		}
		return tm, ""
	}
	if t.xlsx {
		if tm, ok := excelSerialTime(s, t.date1904, t.loc); ok {
			return tm, ""
		}
	}
	tm, err := models.ParseTime(s, t.loc)
	if err != nil {
		return time.Time{}, fmt.Sprintf("time %q is not in an accepted form (RFC 3339, 2024-06, 2024-06-30, 2024-06-30 08:00)", s)
	}
	return tm, ""
}

// joinTime builds a time from year, month, day, hour and minute columns.
func (t *table) joinTime(cells []string) (time.Time, string) {
	parts := [5]int{0, 1, 1, 0, 0}
	for k, i := range t.timeCols {
		s := cell(cells, i)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e6 {
			return time.Time{}, fmt.Sprintf("time part %q of %s is not a whole number", s, t.timeField)
		}
		parts[k] = int(f)
	}
	tm := time.Date(parts[0], time.Month(parts[1]), parts[2], parts[3], parts[4], 0, 0, t.loc)
	y, mo, d := tm.Date()
	if y != parts[0] || int(mo) != parts[1] || d != parts[2] || tm.Hour() != parts[3] || tm.Minute() != parts[4] {
		return time.Time{}, fmt.Sprintf("time %04d-%02d-%02d %02d:%02d (from %s) is not a valid date and time", parts[0], parts[1], parts[2], parts[3], parts[4], t.timeField)
	}
	return tm, ""
}

// excelSerialTime reads a numeric cell as an Excel serial date (days since
// 1899-12-30, or 1904-01-01), the wall clock taken in loc. A whole number
// up to 9999 is a year, not a serial (serial 9999 is in 1927).
func excelSerialTime(s string, date1904 bool, loc *time.Location) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f >= 2958466 || (f == math.Trunc(f) && f <= 9999) {
		return time.Time{}, false
	}
	wall, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return time.Time{}, false
	}
	wall = wall.Round(time.Second)
	return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc), true
}

// parseValue reads a number as files write it: "6.03", "-1.5e3",
// "1,351,000", or "46.06%" (a share: the unit becomes ratio). It returns a
// rule and message when the text is not a finite decimal number.
func parseValue(text, unit string) (float64, string, string, string) {
	s := strings.TrimSpace(text)
	percent := false
	for _, p := range []string{"%", "％"} {
		if rest, ok := strings.CutSuffix(s, p); ok {
			s, percent = strings.TrimSpace(rest), true
		}
	}
	if strings.IndexByte(s, ',') >= 0 && isGrouped(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, "", RuleNonFinite, fmt.Sprintf("value %q overflows a 64-bit float", text)
		}
		if looksNonDetect(s) {
			return 0, "", RuleNonNumeric, fmt.Sprintf("value %q is a non-detect (below a detection limit): InfluxDB keeps measured numbers only; classify lab reports with non-detects with `greenmetrics water classify` (docs/water.md, \"Non-detects\")", text)
		}
		return 0, "", RuleNonNumeric, fmt.Sprintf("value %q is not a number", text)
	}
	if strings.ContainsAny(s, "xX_pP") { // Go's hex floats and digit separators
		return 0, "", RuleNonNumeric, fmt.Sprintf("value %q is not a decimal number", text)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", RuleNonFinite, fmt.Sprintf("value %q is not finite", text)
	}
	if !percent {
		return v, unit, "", ""
	}
	if unit != "" {
		if u, ok := models.LookupUnit(unit); !ok || u.Base != "ratio" {
			return 0, "", RuleNonNumeric, fmt.Sprintf("value %q is a percentage but the unit is %q", text, unit)
		}
	}
	return v * 0.01, "ratio", "", ""
}

// looksNonDetect reports whether s is written the way monitoring reports
// write a result below the detection limit: "0.01L", "<0.01", "ND", "未检出".
func looksNonDetect(s string) bool {
	switch strings.ToUpper(s) {
	case "ND", "N.D.", "未检出":
		return true
	}
	if rest, ok := strings.CutSuffix(s, "L"); ok {
		_, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		return err == nil
	}
	for _, p := range []string{"<", "＜"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			_, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return err == nil
		}
	}
	return false
}

// isGrouped reports whether s is a number with thousands separators:
// "1,351,000" or "-12,000.5".
func isGrouped(s string) bool {
	s = strings.TrimLeft(s, "+-")
	intPart, _, _ := strings.Cut(s, ".")
	groups := strings.Split(intPart, ",")
	if len(groups) < 2 || len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for i, g := range groups {
		if i > 0 && len(g) != 3 {
			return false
		}
		for _, c := range g {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
