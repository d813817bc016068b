package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/greenmetrics/greenmetrics/models/water"
)

func newWaterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "water",
		Short: "Surface-water quality under GB 3838-2002 (地表水环境质量)",
	}
	cmd.AddCommand(newWaterClassifyCmd())
	return cmd
}

func newWaterClassifyCmd() *cobra.Command {
	var body, items string
	cmd := &cobra.Command{
		Use:   "classify [FILE|-]",
		Short: "Classify each sample of a wide CSV file (水质类别)",
		Long: "Read a CSV file with a header row and one sample per row: columns section, time\n" +
			"(or timestamp), optional water_body (river, lake, reservoir), and one column per\n" +
			"item named by its code (ph, do, codmn, cod, bod5, nh3n, tp, tn, cu, zn, f, se, as,\n" +
			"hg, cd, cr6, pb, cn, phenol, petroleum, las, sulfide, fecal_coliform; aliases oil,\n" +
			"s2, fc). Blank, -- and * mean not measured; 0.01L or <0.01 is a non-detect below\n" +
			"the detection limit 0.01 (class Ⅰ if the limit meets the class Ⅰ limit, else not\n" +
			"judged). Other columns are ignored.\n\n" +
			"Print one JSON object per row, in input order: section, time, class (1–6, 6 = 劣Ⅴ;\n" +
			"0 when no evaluated item was measured), class_name, limiting (the items at the\n" +
			"class) and grade (优, 良好, 轻度污染, 中度污染, 重度污染); non_detects and not_judged\n" +
			"list the non-detect items when there are any, unevaluated the measured items outside\n" +
			"the evaluated set; notes says in words what the class leaves out (a detection limit\n" +
			"above the limit of the class: 石油类检出限0.06高于Ⅰ类限值0.05，无法判定是否达Ⅰ类;\n" +
			"measured items not evaluated, with the class they would give). Each note is also\n" +
			"written to stderr with the row's line.",
		Example: "  greenmetrics water classify --water lake samples.csv\n" +
			"  greenmetrics water classify --items ph,do,codmn,nh3n,tp - < samples.csv",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := parseClassifyFlags(body, items)
			if err != nil {
				return err
			}
			in, name, closeIn, err := openInput(cmd.InOrStdin(), args)
			if err != nil {
				return err
			}
			defer closeIn()
			if err := classifyWater(in, cmd.OutOrStdout(), cmd.ErrOrStderr(), opts); err != nil {
				return fmt.Errorf("water classify %s: %w", name, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&body, "water", "river", "water body of rows without a water_body cell: river, lake or reservoir")
	cmd.Flags().StringVar(&items, "items", "", "comma-separated items that decide the class (default: the 21 items of 环办〔2011〕22号)")
	return cmd
}

// classifyOptions are the parsed flags of water classify.
type classifyOptions struct {
	body  water.WaterBody
	items []string // nil: the 22号 default
}

func parseClassifyFlags(body, items string) (classifyOptions, error) {
	b, err := water.ParseWaterBody(body)
	if err != nil {
		return classifyOptions{}, fmt.Errorf("--water: %w", err)
	}
	opts := classifyOptions{body: b}
	for _, code := range strings.Split(items, ",") {
		if code = strings.TrimSpace(code); code != "" {
			opts.items = append(opts.items, code)
		}
	}
	if err := (water.SectionConfig{WaterBody: b, Items: opts.items}).Validate(); err != nil {
		return classifyOptions{}, fmt.Errorf("--items: %w", err)
	}
	return opts, nil
}

// openInput opens the file argument, or returns stdin for none or "-".
func openInput(stdin io.Reader, args []string) (io.Reader, string, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, "", nil, err
	}
	return f, args[0], func() { f.Close() }, nil
}

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

// classifyWater reads samples from in and writes one JSON line per sample to
// out. Columns it does not use are named once on errw.
func classifyWater(in io.Reader, out, errw io.Writer, opts classifyOptions) error {
	cr, err := water.NewCSVReader(in)
	if err != nil {
		return err
	}
	if unused := unusedColumns(cr, opts.items); len(unused) > 0 {
		fmt.Fprintf(errw, "water classify: ignoring columns not used for the class: %s\n", strings.Join(unused, ", "))
	}
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return bw.Flush()
		}
		if err == nil {
			err = writeClassified(enc, errw, rec, opts)
		}
		if err != nil {
			// Rows already classified are still printed.
			return errors.Join(err, bw.Flush())
		}
	}
}

func writeClassified(enc *json.Encoder, errw io.Writer, rec water.Record, opts classifyOptions) error {
	body := opts.body
	if rec.HasWaterBody {
		body = rec.WaterBody
	}
	cfg := water.SectionConfig{Name: rec.Sample.Section, WaterBody: body, Items: opts.items}
	r, err := cfg.Evaluate(rec.Sample)
	if err != nil {
		return fmt.Errorf("line %d: %w", rec.Line, err)
	}
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
		fmt.Fprintf(errw, "water classify: line %d, %s %s: %s\n", rec.Line, rec.Sample.Section, rec.TimeText, n)
	}
	return enc.Encode(row)
}

// unusedColumns lists the file's columns that do not enter the class: those
// that are not items, and items outside the evaluated set (water_temp, tn,
// fecal_coliform, or any not in --items).
func unusedColumns(cr *water.CSVReader, items []string) []string {
	if len(items) == 0 {
		items = water.DefaultItems()
	}
	evaluated := make(map[string]bool, len(items))
	for _, code := range items {
		if it, err := water.Lookup(code); err == nil {
			evaluated[it.Code] = true
		}
	}
	unused := cr.Ignored()
	for _, code := range cr.Items() {
		if !evaluated[code] {
			unused = append(unused, code)
		}
	}
	return unused
}
