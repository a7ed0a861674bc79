//go:build unix

package runner

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the driver in a process group of its own, so that a
// crash step (or a timeout) also kills what a wrapper script started — the
// node or java process that really holds the database.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup sends SIGKILL to the driver's whole process group.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
