package ingest

import (
	"os"
	"syscall"
)

// takeReadLease sets a read lease on f. The kernel refuses it (EAGAIN)
// while any process has the file open for writing, which is how the drop
// folder knows a paused writer is not done yet.
func takeReadLease(f *os.File) error { return setLease(f, syscall.F_RDLCK) }

// releaseLease gives the lease back.
func releaseLease(f *os.File) { _ = setLease(f, syscall.F_UNLCK) }

func setLease(f *os.File, typ int) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := sc.Control(func(fd uintptr) {
		_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETLEASE, uintptr(typ))
		if errno != 0 {
			lerr = errno
		}
	}); err != nil {
		return err
	}
	return lerr
}
