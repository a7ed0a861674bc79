//go:build !linux

package runner

import "os/exec"

// setServerProcAttr: tetherd stays in the runner's process group, so a
// Ctrl-C stops it too.
func setServerProcAttr(*exec.Cmd) {}
