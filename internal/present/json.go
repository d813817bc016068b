package present

import (
	"encoding/json"
	"io"
)

// JSON prints v indented by two spaces, without escaping <, > and & (the
// --json output of catalog, progress and targets).
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
