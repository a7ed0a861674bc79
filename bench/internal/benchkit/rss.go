package benchkit

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// RSSMiB is a process's resident set (VmRSS in /proc/PID/status), in MiB;
// 0 when the kernel does not report it.
func RSSMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	Check(err)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}
