//go:build !linux

package influxtest

import "os/exec"

// startTied starts cmd. Outside Linux there is no parent-death signal, so
// the server outlives the test binary; stop it by hand.
func startTied(cmd *exec.Cmd) error { return cmd.Start() }
