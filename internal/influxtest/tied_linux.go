//go:build linux

package influxtest

import (
	"os/exec"
	"runtime"
	"syscall"
)

// startTied starts cmd with PR_SET_PDEATHSIG, so the kernel kills it when
// the test binary dies, however it dies. The signal follows the thread that
// started the child, not the process, and Go may retire threads; so the
// child is started from a goroutine that locks its thread and never
// returns, keeping that thread alive as long as the process.
func startTied(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		started <- cmd.Start()
		select {}
	}()
	return <-started
}
