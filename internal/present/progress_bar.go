package present

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// ProgressBars shows a progress bar per input of an import on errw when it is a
// terminal (and not --no-progress); nil otherwise.
func ProgressBars(errw io.Writer, off bool) func(name string, size int64) (io.Writer, func()) {
	f, ok := errw.(*os.File)
	if off || !ok || !isTerminal(f) {
		return nil
	}
	return func(name string, size int64) (io.Writer, func()) {
		if size <= 0 {
			size = -1
		}
		bar := progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		return bar, func() { _ = bar.Finish() }
	}
}

// isTerminal reports whether f is a character device, as a terminal is.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
