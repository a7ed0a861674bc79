//go:build linux

package runner

import (
	"os/exec"
	"syscall"
)

// setServerProcAttr: tetherd stays in the runner's process group (so a
// Ctrl-C stops it too) and is killed if the runner dies without stopping
// it (a test binary's timeout, a SIGKILL).
func setServerProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
