//go:build !linux

package ingest

import (
	"errors"
	"os"
)

// Leases are a Linux feature: elsewhere the drop folder relies on the size
// and time check alone (it logs so once), and a department should save
// under a temporary name and rename when done (docs/ingest.md).
var errNoLeases = errors.New("file leases are not available on this system")

func takeReadLease(*os.File) error { return errNoLeases }

func releaseLease(*os.File) {}
