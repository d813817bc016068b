package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// TargetsOptions are what greenmetrics targets was asked: one year
// (0: the current year in Asia/Shanghai) or All years.
type TargetsOptions struct {
	Settings config.Overrides
	Year     int
	All      bool
}

// TargetsResult are the targets in force in Years, with the catalogue
// and plans they come from.
type TargetsResult struct {
	Catalog *config.Catalog
	Plans   *models.PlanSet
	Years   []int
	InForce []models.InForce
}

// Targets lists the targets in force.
func Targets(o TargetsOptions) (TargetsResult, error) {
	setup, err := load(o.Settings)
	if err != nil {
		return TargetsResult{}, err
	}
	plans := setup.Plans
	years := []int{o.Year}
	switch {
	case o.All:
		years = plans.Years()
	case o.Year == 0:
		years = []int{clockNow().In(models.Shanghai).Year()}
	}
	var list []models.InForce
	for _, y := range years {
		list = append(list, plans.InForce(y)...)
	}
	return TargetsResult{Catalog: setup.Catalog, Plans: plans, Years: years, InForce: list}, nil
}

// Catalog is the indicator catalogue the configuration names.
func Catalog(o config.Overrides) (*config.Catalog, error) {
	setup, err := load(o)
	return setup.Catalog, err
}

// WritePlanTemplate writes an empty plan spreadsheet, the same as
// config/plans/template.{xlsx,csv}.
func WritePlanTemplate(path string) error {
	var write func(io.Writer, *models.Plan) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		write = config.WritePlanXLSX
	case ".csv":
		write = config.WritePlanCSV
	default:
		return fmt.Errorf("--template %s: want a .xlsx or .csv file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	if err := write(f, &models.Plan{}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	return nil
}
