package spool_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
)

// smallDisk mounts a tmpfs of size (e.g. "1m") for the test and returns
// its path; it needs root (the test machine's CI runs as root) and skips
// otherwise — the daemon's disk-full test has a fallback without root.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; ingest/daemon's full-spool test covers the same path with spool_max_bytes")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s)", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// TestDiskFull: on a full disk Append answers a *FullError carrying the
// disk's error (back-pressure: the client waits), Err reports the full
// disk at once, and once everything is delivered the active segment's
// space is given back, so Appends succeed again without a restart.
func TestDiskFull(t *testing.T) {
	dir := smallDisk(t, "1m")
	sp, err := spool.Open(dir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var fullErr error
	appended := 0
	for i := 0; fullErr == nil; i++ {
		fullErr = sp.Append(context.Background(), observations(i*500, 500))
		if fullErr == nil {
			appended += 500
		}
	}
	var fe *spool.FullError
	if !errors.As(fullErr, &fe) || !errors.Is(fullErr, syscall.ENOSPC) {
		t.Fatalf("Append on a full disk = %v, want a *FullError wrapping ENOSPC", fullErr)
	}
	if err := sp.Err(); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("Err() on a full disk = %v, want the disk's error", err)
	}
	got, _ := drain(t, sp, 5000)
	if len(got) != appended {
		t.Fatalf("delivered %d points, want the %d appended", len(got), appended)
	}
	if n := segmentBytes(t, dir); n != 0 {
		t.Errorf("%d bytes left in segments after delivering everything, want 0", n)
	}
	if err := sp.Err(); err != nil {
		t.Errorf("Err() after delivery freed the disk = %v, want nil", err)
	}
	if err := sp.Append(context.Background(), observations(0, 500)); err != nil {
		t.Errorf("Append after delivery freed the disk = %v, want nil", err)
	}
}
