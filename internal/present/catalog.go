package present

import (
	"encoding/json"
	"io"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
)

// CatalogJSON prints the catalogue as a JSON array, values in base units.
func CatalogJSON(w io.Writer, cat *config.Catalog) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(cat.Indicators())
}

// CatalogTable prints the catalogue with columns aligned by display
// width, so Chinese names (two cells a character) line up in a terminal.
func CatalogTable(w io.Writer, cat *config.Catalog) error {
	rows := [][]string{{"CODE", "名称", "DOMAIN", "UNIT", "2023基数", "2024目标"}}
	for _, ind := range cat.Indicators() {
		rows = append(rows, []string{ind.Code, ind.NameZh, string(ind.Domain), ind.Unit,
			figureText(ind, ind.Baseline), targetText(ind)})
	}
	return WriteAligned(w, rows)
}

func figureText(ind models.Indicator, f *models.Figure) string {
	if f == nil {
		return "—"
	}
	if f.Text != "" {
		return f.Text
	}
	return models.FormatQuantity(f.Value, ind.Unit, ind.DisplayUnit)
}

func targetText(ind models.Indicator) string {
	t := ind.Target
	switch {
	case t == nil:
		return "—"
	case t.Kind == models.TargetMunicipal:
		return "市级下达"
	case t.Kind == models.TargetGrowth:
		return "增长" + models.FormatQuantity(t.Value, "ratio", "%")
	case t.Text != "":
		return t.Text
	}
	return models.FormatQuantity(t.Value, ind.Unit, ind.DisplayUnit)
}
