package robustness

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"
)

// childEnv names the child mode a test binary runs instead of its tests.
const childEnv = "TETHER_ROBUSTNESS_CHILD"

// children are the child modes; each runs until killed or exits.
var children = map[string]func(){
	"writes": writesChild,
	"reset":  resetChild,
	"upload": uploadChild,
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		run, ok := children[mode]
		if !ok {
			fmt.Println("unknown child mode", mode)
			os.Exit(2)
		}
		run()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child returns this test binary started in a child mode with env added.
func child(mode string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode), env...)
	return cmd
}

// lines delivers what r prints, line by line, closing when it ends.
func lines(r io.Reader) <-chan string {
	out := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			out <- sc.Text()
		}
		close(out)
	}()
	return out
}
