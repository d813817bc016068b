package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// bom makes Excel read the CSV as UTF-8, so Chinese names are not garbled.
const bom = "\ufeff"

var indicatorHeader = []string{
	"month", "section", "code", "entity", "name", "unit", "display_unit", "kind", "frequency",
	"period", "value", "prev", "mom", "year_ago", "yoy", "change_in_points", "ytd", "ytd_yoy", "since_year_start",
	"target", "target_text", "completion", "time_progress", "status",
	"trend_method", "trend_direction", "trend_slope_per_year", "trend_p", "trend_significant",
	"projected", "probability_meet", "last_observation", "stale", "demo", "level",
	"target_label", "trend_spearman_22", "trend_r_s", "trend_w_p",
}

// column is the index of a column of indicatorHeader.
func column(name string) int {
	for i, h := range indicatorHeader {
		if h == name {
			return i
		}
	}
	panic("report: no CSV column " + name) // a programming error, caught by every CSV test
}

// WriteCSV writes one line per indicator row (district rows, then the
// reference rows) and one per station and pollutant, in base units with
// the same digits as the JSON; NaN is an empty cell.
func WriteCSV(w io.Writer, r *Report) error {
	var recs [][]string
	for _, s := range r.Sections {
		for _, rows := range [][]Row{s.Rows, s.Reference} {
			for _, row := range rows {
				recs = append(recs, indicatorRecord(r.Month, s.ID, row))
			}
		}
	}
	for _, st := range r.Stations.Rows {
		for i, c := range r.Stations.Indicators {
			rec := make([]string, len(indicatorHeader))
			rec[0], rec[1], rec[2], rec[3], rec[4] = r.Month.String(), "air", c.Code, st.Station, c.Name
			rec[5], rec[6], rec[7], rec[8], rec[9] = c.Unit, c.DisplayUnit, "level", "monthly", r.Month.String()
			rec[10] = st.Means[i].csv()
			rec[column("stale")] = "false"
			rec[column("demo")] = strconv.FormatBool(st.Demo)
			recs = append(recs, rec)
		}
	}
	return writeCSV(w, indicatorHeader, recs)
}

// writeCSV writes a header and records as CSV with a UTF-8 BOM, so that
// Excel on Windows opens the Chinese text without mojibake.
func writeCSV(w io.Writer, header []string, recs [][]string) error {
	var buf bytes.Buffer
	buf.WriteString(bom)
	cw := csv.NewWriter(&buf)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(recs); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func indicatorRecord(m Month, section string, row Row) []string {
	t := row.Trend
	if t == nil {
		t = &Trend{SlopePerYear: NaN(), P: NaN(), Rs: NaN(), Wp: NaN()}
	}
	return []string{
		m.String(), section, row.Code, row.Entity, row.Name, row.Unit, row.DisplayUnit, string(row.Kind), row.Frequency,
		row.Period, row.Value.csv(), row.Prev.csv(), row.MoM.csv(), row.YearAgo.csv(), row.YoY.csv(),
		strconv.FormatBool(row.ChangeInPoints), row.YTD.csv(), row.YTDYoY.csv(), row.SinceYearStart.csv(),
		row.Target.csv(), row.TargetText, row.Completion.csv(), row.Progress.csv(), string(row.Status),
		t.Method, t.Direction, t.SlopePerYear.csv(), t.P.csv(), boolCell(row.Trend != nil, t.Significant),
		row.Projected.csv(), row.ProbabilityMeet.csv(), timeCell(row.LastObservation), strconv.FormatBool(row.Stale),
		strconv.FormatBool(row.Demo), string(row.Level),
		row.TargetLabel, t.Spearman22, t.Rs.csv(), t.Wp.csv(),
	}
}

var revisionHeader = []string{
	"month", "accepted", "code", "name", "entity", "period", "unit", "old_value", "new_value",
	"old_provider", "new_provider", "origin", "value_changed", "change",
}

// WriteRevisionsCSV writes the month's revisions (修订), one line per
// superseded figure, values in the base unit; value_changed is false and
// change says so ("数值未变，报送方变更（http → tjj）") where only the
// provider changed.
func WriteRevisionsCSV(w io.Writer, r *Report) error {
	recs := make([][]string, 0, len(r.Quality.Revisions))
	for _, v := range r.Quality.Revisions {
		recs = append(recs, []string{r.Month.String(), timeCell(v.Accepted), v.Code, v.Name, v.Entity, v.Period, v.Unit,
			v.OldValue.csv(), v.NewValue.csv(), v.OldProvider, v.NewProvider, v.Origin, strconv.FormatBool(v.ValueChanged), v.Change})
	}
	return writeCSV(w, revisionHeader, recs)
}

var waterHeader = []string{
	"month", "section", "water_body", "class", "class_name", "target_class", "attained",
	"main_pollutants", "samples", "last_sample", "good_ratio", "inferior_v_ratio", "attainment_ratio",
}

// WriteWaterCSV writes one line per water section and a last line for the
// district (section "district") with 优良比例, 劣Ⅴ比例 and 达标率.
func WriteWaterCSV(w io.Writer, r *Report) error {
	var recs [][]string
	for _, s := range r.Water.Sections {
		att := ""
		if s.Attained != nil {
			att = strconv.FormatBool(*s.Attained)
		}
		rec := []string{r.Month.String(), s.Name, s.WaterBody, strconv.Itoa(s.Class), s.ClassName,
			strconv.Itoa(s.TargetClass), att, strings.Join(s.MainPollutants, ";"), strconv.Itoa(s.Samples),
			timeCell(s.LastSample), "", "", ""}
		recs = append(recs, rec)
	}
	d := r.Water.District
	recs = append(recs, []string{r.Month.String(), "district", "", "", "", "", "", "", strconv.Itoa(d.Sections), "",
		d.GoodRatio.csv(), d.InferiorVRatio.csv(), d.AttainmentRatio.csv()})
	return writeCSV(w, waterHeader, recs)
}

func boolCell(present, v bool) string {
	if !present {
		return ""
	}
	return strconv.FormatBool(v)
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// WriteJSON writes the whole report; NaN figures are null.
func WriteJSON(w io.Writer, r *Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
