package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/greenmetrics/greenmetrics/models/water"
)

// ClassifyWater runs greenmetrics water classify: it reads the --water
// and --items flags, then classifies each sample of the file argument or
// stdin (Run), naming the input in an error of the samples.
func ClassifyWater(stdin io.Reader, args []string, body, items string, unused func([]string), each func(water.Record, water.Result) error) error {
	c, err := ParseWaterClassify(body, items)
	if err != nil {
		return err
	}
	in, name, closeIn, err := OpenInput(stdin, args)
	if err != nil {
		return err
	}
	defer closeIn()
	if err := c.Run(in, unused, each); err != nil {
		return fmt.Errorf("water classify %s: %w", name, err)
	}
	return nil
}

// WaterClassify is a parsed greenmetrics water classify: the water body
// of rows without a water_body cell and the items that decide the class
// (nil: the 21 items of 环办〔2011〕22号).
type WaterClassify struct {
	body  water.WaterBody
	items []string
}

// ParseWaterClassify reads the --water and --items flags.
func ParseWaterClassify(body, items string) (WaterClassify, error) {
	b, err := water.ParseWaterBody(body)
	if err != nil {
		return WaterClassify{}, fmt.Errorf("--water: %w", err)
	}
	opts := WaterClassify{body: b}
	for _, code := range strings.Split(items, ",") {
		if code = strings.TrimSpace(code); code != "" {
			opts.items = append(opts.items, code)
		}
	}
	if err := (water.SectionConfig{WaterBody: b, Items: opts.items}).Validate(); err != nil {
		return WaterClassify{}, fmt.Errorf("--items: %w", err)
	}
	return opts, nil
}

// OpenInput opens the file argument, or returns stdin for none or "-".
func OpenInput(stdin io.Reader, args []string) (io.Reader, string, func(), error) {
	if len(args) == 0 || args[0] == "-" {
		return stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, "", nil, err
	}
	return f, args[0], func() { f.Close() }, nil
}

// Run classifies each sample of in, a wide CSV file: unused is told the
// columns that do not enter the class (once, when there are any), each
// is told every sample with its result, in input order. It stops at the
// first error, after the samples already classified.
func (c WaterClassify) Run(in io.Reader, unused func([]string), each func(water.Record, water.Result) error) error {
	cr, err := water.NewCSVReader(in)
	if err != nil {
		return err
	}
	if cols := unusedColumns(cr, c.items); len(cols) > 0 {
		unused(cols)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		body := c.body
		if rec.HasWaterBody {
			body = rec.WaterBody
		}
		cfg := water.SectionConfig{Name: rec.Sample.Section, WaterBody: body, Items: c.items}
		r, err := cfg.Evaluate(rec.Sample)
		if err != nil {
			return fmt.Errorf("line %d: %w", rec.Line, err)
		}
		if err := each(rec, r); err != nil {
			return err
		}
	}
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
