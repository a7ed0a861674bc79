package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DriverError is a request the driver answered with ok: false — the
// binding reported an error (which a step may expect).
type DriverError struct {
	Code    string
	Message string
}

func (e *DriverError) Error() string { return e.Code + ": " + e.Message }

// fatalError is a failure no retry can fix: the driver died, hung, or
// broke the protocol. `within` stops polling on it.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func fatalf(format string, args ...any) error {
	return &fatalError{fmt.Errorf(format, args...)}
}

// proc is one driver process: requests go to its stdin, one JSON line
// each; responses come back one JSON line each on its stdout.
type proc struct {
	label  string // "go/A", for messages
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []byte // stdout lines; closed at EOF
	stderr *tail
	nextID int64

	exited  chan struct{} // closed once the process is reaped
	waitErr error
}

// startProc starts a driver in dir. argv is the driver command line.
func startProc(argv []string, dir, label string, log io.Writer) (*proc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	setProcessGroup(cmd)
	// A driver's children (node, a JVM) may keep stderr open after a kill;
	// don't let that block reaping forever.
	cmd.WaitDelay = 2 * time.Second
	p := &proc{label: label, cmd: cmd, lines: make(chan []byte, 16), exited: make(chan struct{}),
		stderr: &tail{prefix: "[" + label + "] ", log: log}}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start the driver %q: %v", strings.Join(argv, " "), err)
	}
	go func() {
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				p.lines <- line
			}
			if err != nil {
				break
			}
		}
		close(p.lines)
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// response is one response line.
type response struct {
	ID     *json.Number    `json:"id"`
	OK     *bool           `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call sends one request and waits up to timeout for its response. A
// driver error comes back as *DriverError; anything else that goes wrong
// is fatal (and a hung driver is killed).
func (p *proc) call(req map[string]any, timeout time.Duration) (json.RawMessage, error) {
	p.nextID++
	id := p.nextID
	req["id"] = id
	line, err := json.Marshal(req)
	if err != nil {
		return nil, fatalf("cannot encode the %s request: %v", req["cmd"], err)
	}
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		return nil, p.died(req["cmd"], err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case out, ok := <-p.lines:
		if !ok {
			return nil, p.died(req["cmd"], nil)
		}
		return p.parse(req["cmd"], id, out)
	case <-timer.C:
		p.kill()
		return nil, fatalf("the %s driver did not answer %q within %v (killed it)%s", p.label, req["cmd"], timeout, p.stderr.suffix())
	}
}

func (p *proc) parse(cmd any, id int64, line []byte) (json.RawMessage, error) {
	var r response
	if err := decodeStrict(line, &r); err != nil || r.OK == nil || r.ID == nil {
		return nil, fatalf("protocol error: the %s driver answered %q with %s, not {\"id\": %d, \"ok\": ...}%s",
			p.label, cmd, clip(line), id, p.stderr.suffix())
	}
	if got, err := r.ID.Int64(); err != nil || got != id {
		return nil, fatalf("protocol error: the %s driver answered %q (request id %d) with id %s: %s",
			p.label, cmd, id, r.ID, clip(line))
	}
	if !*r.OK {
		if r.Error == nil || r.Error.Code == "" {
			return nil, fatalf("protocol error: the %s driver answered %q with ok: false but no error code: %s", p.label, cmd, clip(line))
		}
		return nil, &DriverError{Code: r.Error.Code, Message: r.Error.Message}
	}
	return r.Result, nil
}

// died describes a driver that went away in the middle of a request.
func (p *proc) died(cmd any, writeErr error) error {
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		p.kill()
	}
	status := "exited"
	if p.waitErr != nil {
		status = p.waitErr.Error()
	}
	why := ""
	if writeErr != nil && !errors.Is(writeErr, io.ErrClosedPipe) {
		why = " (" + writeErr.Error() + ")"
	}
	return fatalf("the %s driver died while handling %q: %s%s%s", p.label, cmd, status, why, p.stderr.suffix())
}

// kill ends the driver (and its children) abruptly and reaps it.
func (p *proc) kill() {
	killProcessGroup(p.cmd)
	<-p.exited
}

// exit asks the driver to exit, and kills it if it does not within grace.
func (p *proc) exit(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_, _ = p.call(map[string]any{"cmd": "exit"}, grace)
	p.stdin.Close()
	select {
	case <-p.exited:
	case <-time.After(grace):
		p.kill()
	}
}

// tail keeps the end of a driver's stderr for failure messages, and
// forwards it to the verbose log.
type tail struct {
	mu     sync.Mutex
	buf    []byte
	prefix string
	log    io.Writer
}

const tailSize = 2048

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > tailSize {
		t.buf = t.buf[len(t.buf)-tailSize:]
	}
	if t.log != nil {
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if l != "" {
				fmt.Fprint(t.log, t.prefix+l)
			}
		}
	}
	return len(b), nil
}

// suffix renders the stderr tail as "; driver stderr: ..." or "".
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return ""
	}
	if len(s) > maxShown { // the end is where a crash explains itself
		s = "…" + s[len(s)-maxShown:]
	}
	return "; driver stderr: " + strings.ReplaceAll(s, "\n", " | ")
}
