package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
)

// instance is a tetherd child process: a real process so that its memory
// and CPU are its own (/proc), as an operator would see them.
type instance struct {
	cmd  *exec.Cmd
	url  string
	args []string
}

// startInstance runs tetherd with its data in dir and, when dsn is not
// empty, its partitions in PostgreSQL; listen "" is any free port.
func startInstance(bin, dir, dsn, listen string) *instance {
	benchkit.Check(os.MkdirAll(dir, 0o755))
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	args := []string{"-listen", listen, "-admin", "-", "-data", dir, "-max-conns-per-ip", "0"}
	if dsn != "" {
		args = append(args, "-storage", dsn)
	}
	in := &instance{args: args}
	in.start(dir)
	return in
}

func (in *instance) start(dir string) {
	ready := filepath.Join(dir, fmt.Sprintf("ready-%d.json", time.Now().UnixNano()))
	in.cmd = exec.Command(benchBin, append(in.args, "-ready-file", ready)...)
	in.cmd.Env = append(os.Environ(), "TETHER_SECRET="+benchkit.Secret)
	logf, err := os.Create(filepath.Join(dir, "tetherd.log"))
	benchkit.Check(err)
	in.cmd.Stdout, in.cmd.Stderr = logf, logf
	benchkit.Check(in.cmd.Start())
	logf.Close()
	for i := 0; ; i++ {
		if b, err := os.ReadFile(ready); err == nil {
			var r struct{ Sync string }
			benchkit.Check(json.Unmarshal(b, &r))
			in.url = r.Sync
			return
		}
		if i > 2400 {
			log, _ := os.ReadFile(filepath.Join(dir, "tetherd.log"))
			benchkit.Check(fmt.Errorf("tetherd did not start:\n%s", log))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// restart stops the process (cleanly) and starts it again on its port.
func (in *instance) restart(dir string) {
	in.stop()
	for i, a := range in.args {
		if a == "-listen" {
			in.args[i+1] = strings.TrimSuffix(strings.TrimPrefix(in.url, "ws://"), "/sync")
		}
	}
	in.start(dir)
}

func (in *instance) stop() {
	in.cmd.Process.Signal(syscall.SIGTERM)
	in.cmd.Wait()
}

func (in *instance) pid() int { return in.cmd.Process.Pid }

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTick = 10 * time.Millisecond

// procCPU is a process's user+system CPU, with its waited-for children's
// when children is set (a postmaster's exited backends).
func procCPU(pid int, children bool) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces), from field 3.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ticks := 0
	n := 2 // utime, stime (fields 14, 15)
	if children {
		n = 4 // cutime, cstime (16, 17)
	}
	for _, s := range f[11 : 11+n] {
		v, _ := strconv.Atoi(s)
		ticks += v
	}
	return time.Duration(ticks) * clockTick
}

func ppid(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	v, _ := strconv.Atoi(f[1])
	return v
}

// postgresCPU is the CPU of the whole cluster: the postmaster (with its
// exited children) and every live backend and helper.
func postgresCPU(pgDir string) time.Duration {
	b, err := os.ReadFile(filepath.Join(pgDir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	total := procCPU(pm, true)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && ppid(pid) == pm {
			total += procCPU(pid, false)
		}
	}
	return total
}

// selfCPU is this process's CPU (the clients).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	benchkit.Check(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
