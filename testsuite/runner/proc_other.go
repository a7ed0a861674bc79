//go:build !unix

package runner

import "os/exec"

// Without process groups, a crash kills the driver process itself only.
func setProcessGroup(*exec.Cmd) {}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
