package present

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/greenmetrics/greenmetrics/models/water"
)

// classifiedRow is the JSON line printed for one sample.
type classifiedRow struct {
	Section   string   `json:"section"`
	Time      string   `json:"time"`
	Class     int      `json:"class"`
	ClassName string   `json:"class_name"`
	Limiting  []string `json:"limiting"`
	Grade     string   `json:"grade"`
	// NonDetects are the evaluated items below their detection limit and
	// judged class Ⅰ; NotJudged those whose detection limit is above the
	// class Ⅰ limit, left out of the class. Absent when there are none.
	NonDetects []string `json:"non_detects,omitempty"`
	NotJudged  []string `json:"not_judged,omitempty"`
	// Unevaluated are measured items outside the evaluated set; Notes the
	// sentences that say what the class leaves out (water.Result.Notes).
	Unevaluated []string `json:"unevaluated,omitempty"`
	Notes       []string `json:"notes,omitempty"`
}

// WaterRows prints one JSON line per classified sample on out and each
// note on errw with the sample's line. Flush it at the end, also after an
// error: the samples already classified are printed.
type WaterRows struct {
	bw   *bufio.Writer
	enc  *json.Encoder
	errw io.Writer
}

// NewWaterRows prints to out, notes to errw.
func NewWaterRows(out, errw io.Writer) *WaterRows {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &WaterRows{bw: bw, enc: enc, errw: errw}
}

// Unused names the columns that do not enter the class.
func (w *WaterRows) Unused(cols []string) {
	fmt.Fprintf(w.errw, "water classify: ignoring columns not used for the class: %s\n", strings.Join(cols, ", "))
}

// Row prints one sample's result.
func (w *WaterRows) Row(rec water.Record, r water.Result) error {
	row := classifiedRow{
		Section:   rec.Sample.Section,
		Time:      rec.TimeText,
		Class:     int(r.Class),
		ClassName: r.Class.String(),
		Limiting:  r.Limiting(),
		Grade:     r.Class.Grade().String(),
	}
	if row.Limiting == nil {
		row.Limiting = []string{}
	}
	for _, ir := range r.Items {
		if ir.NonDetect {
			row.NonDetects = append(row.NonDetects, ir.Code)
		}
	}
	for _, ir := range r.NotJudged {
		row.NotJudged = append(row.NotJudged, ir.Code)
	}
	for _, ir := range r.Unevaluated {
		row.Unevaluated = append(row.Unevaluated, ir.Code)
	}
	row.Notes = r.Notes()
	for _, n := range row.Notes {
		fmt.Fprintf(w.errw, "water classify: line %d, %s %s: %s\n", rec.Line, rec.Sample.Section, rec.TimeText, n)
	}
	return w.enc.Encode(row)
}

// Flush writes what is buffered.
func (w *WaterRows) Flush() error { return w.bw.Flush() }
