package present

import (
	"fmt"
	"io"
	"strings"

	"github.com/greenmetrics/greenmetrics/ingest/ledger"
	"github.com/greenmetrics/greenmetrics/models"
)

// History prints ledger entries as a table, Chinese headings first.
func History(out io.Writer, ind models.Indicator, entries []ledger.Entry, dir string) error {
	unit := ind.DisplayUnit
	if unit == "" {
		unit = ind.Unit
	}
	fmt.Fprintf(out, "%s %s (%s, %s)\n", ind.Code, ind.NameZh, ind.Frequency, unit)
	if len(entries) == 0 {
		fmt.Fprintf(out, "无记录 no ledgered figures (ledger %s)\n", dir)
		return nil
	}
	perEntity := false
	for _, e := range entries {
		perEntity = perEntity || e.Entity != ""
	}
	value := func(v float64) string { return models.FormatQuantity(v, ind.Unit, ind.DisplayUnit) }
	head := []string{"期间 period"}
	if perEntity {
		head = append(head, "对象 entity")
	}
	rows := [][]string{append(head, "数值 value", "提供方 provider", "来源 origin", "接收时间 accepted (+08:00)", "修订 revision")}
	revisions, providerOnly := 0, 0
	for _, e := range entries {
		row := []string{e.Label}
		if perEntity {
			row = append(row, e.Entity)
		}
		rev := ""
		if p := e.Previous; p != nil {
			revisions++
			if p.Value == e.Value {
				providerOnly++
			}
			rev = revisionText(*p, e, value)
		}
		if e.Confirmed {
			rev = strings.TrimSpace(rev + " [已确认 confirmed]")
		}
		rows = append(rows, append(row, value(e.Value), e.Provider, e.Origin,
			e.Accepted.In(models.Shanghai).Format("2006-01-02 15:04:05"), rev))
	}
	// Chinese headers and units take two terminal cells a character.
	if err := WriteAligned(out, rows); err != nil {
		return err
	}
	tail := ""
	if providerOnly > 0 {
		tail = fmt.Sprintf(" (其中 %d 次数值未变，仅报送方变更 value unchanged, provider changed)", providerOnly)
	}
	_, err := fmt.Fprintf(out, "%d 条记录 entries, %d 次修订 revisions%s\n", len(entries), revisions, tail)
	return err
}

// revisionText says what a revision changed. The ledger records the same
// value sent again by another provider as a revision (who vouches for the
// figure changed); written as "修订 12.5 → 12.5" it would read as a new
// value, so it says that the value stayed.
func revisionText(p ledger.Previous, e ledger.Entry, value func(float64) string) string {
	if p.Value == e.Value {
		return fmt.Sprintf("数值未变，报送方变更 (%s → %s)", p.Provider, e.Provider)
	}
	return fmt.Sprintf("修订 %s (%s) → %s", value(p.Value), p.Provider, value(e.Value))
}
