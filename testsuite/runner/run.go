package runner

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"
)

// Binding is one binding under test.
type Binding struct {
	Name string
	// Command is the driver's command line (its path, maybe with arguments).
	Command []string
	// Skip, when set, is why the binding cannot run here (its toolchain is
	// absent): every scenario is reported as skipped with this reason.
	Skip string
}

// Status is the outcome of one (scenario, binding) pair.
type Status int

const (
	Pass Status = iota
	Fail
	Skip
)

// Result is the outcome of one (scenario, binding) pair.
type Result struct {
	Scenario string // the scenario's name
	Path     string // its file
	Binding  string
	Status   Status
	// Reason: for Fail, "step N (what): why"; for Skip, the binding's reason.
	Reason   string
	Duration time.Duration
	// KeptDir is the run's directory when it was kept for inspection.
	KeptDir string
}

// run is one scenario running against one binding.
type run struct {
	sc      *Scenario
	binding Binding
	dir     string
	clients map[string]*client
	order   []*client // in order of first use, for shutdown
	timeout time.Duration
	log     io.Writer // verbose log, or nil
	label   string
	// srv is the scenario's sync server (nil when it needs none).
	srv *tetherd
	// keys are the generated object keys remembered by keysAs (keys.go).
	keys map[string]any
}

// RunScenario runs one scenario against one binding, in a fresh temporary
// directory, and always shuts down every driver it started.
func RunScenario(sc *Scenario, b Binding, o Options) (res Result) {
	o.defaults()
	res = Result{Scenario: sc.Name, Path: sc.Path, Binding: b.Name}
	if b.Skip != "" {
		res.Status, res.Reason = Skip, b.Skip
		return res
	}
	start := time.Now()
	dir, err := os.MkdirTemp(o.WorkDir, "tether-conformance-")
	if err != nil {
		res.Status, res.Reason = Fail, fmt.Sprintf("cannot create a temporary directory: %v", err)
		return res
	}
	r := &run{sc: sc, binding: b, dir: dir, clients: map[string]*client{}, timeout: o.RequestTimeout,
		label: b.Name + " " + sc.Name}
	if o.Verbose {
		r.log = o.Log
	}
	defer func() {
		// A runner bug must fail this pair, not take the whole suite down.
		if p := recover(); p != nil {
			res.Status, res.Reason = Fail, fmt.Sprintf("runner bug: panic: %v (stack on stderr)", p)
			fmt.Fprintf(o.Log, "runner panic in %s: %v\n%s", r.label, p, debug.Stack())
		}
		if err := r.shutdown(); err != nil && res.Status == Pass {
			res.Status, res.Reason = Fail, "after the last step: "+err.Error()
		}
		res.Duration = time.Since(start)
		if res.Status == Fail && o.Keep {
			res.KeptDir = dir
		} else {
			os.RemoveAll(dir)
		}
	}()
	if needsServer(sc) {
		bin, err := o.tetherdPath()
		if err == nil {
			r.srv, err = startTetherdVersion(bin, dir, sc.MaxOfflineTime, sc.ProtocolVersion, b.Name+"/tetherd", r.log)
		}
		if err != nil {
			res.Status, res.Reason = Fail, "cannot start the sync server: "+err.Error()
			return res
		}
		if err := r.setFlexible(); err != nil {
			res.Status, res.Reason = Fail, "cannot put the sync server in flexible mode: "+err.Error()
			return res
		}
		r.logf("  tetherd: sync %s, admin %s", r.srv.syncURL, r.srv.adminURL)
	}
	for _, st := range sc.Steps {
		t := time.Now()
		err := r.step(st)
		r.logf("  %s: %s", st, status(err, time.Since(t)))
		if err != nil {
			res.Status, res.Reason = Fail, fmt.Sprintf("%s: %v", st, err)
			if r.srv != nil {
				if died := r.srv.unexpectedExit(); died != nil {
					res.Reason += " (" + died.Error() + ")"
				}
			}
			return res
		}
	}
	return res
}

func status(err error, d time.Duration) string {
	if err != nil {
		return "FAIL: " + err.Error()
	}
	return fmt.Sprintf("ok (%v)", d.Round(time.Millisecond))
}

// client returns the named client, creating it on first use.
func (r *run) client(name string) *client {
	c := r.clients[name]
	if c == nil {
		c = &client{name: name, r: r}
		r.clients[name] = c
		r.order = append(r.order, c)
	}
	return c
}

// shutdown asks every driver to exit (closing its database), killing any
// that does not, then stops the server. It reports a server that did not
// shut down cleanly.
func (r *run) shutdown() error {
	for _, c := range r.order {
		if c.proc != nil {
			t := time.Now()
			c.proc.exit(5 * time.Second)
			c.proc = nil
			r.logf("  driver %s exited (%v)", c.name, time.Since(t).Round(time.Millisecond))
		}
	}
	if r.srv != nil {
		t := time.Now()
		err := r.srv.stop()
		r.logf("  tetherd stopped: %s", status(err, time.Since(t)))
		return err
	}
	return nil
}

// needsServer: a scenario that opens a synced database or has a server
// step runs against its own fresh tetherd.
func needsServer(sc *Scenario) bool {
	for _, st := range sc.Steps {
		if st.Server != "" || ((st.Do == "open" || st.Do == "reopen") && (st.Bool("sync", false) || st.Bool("flexible", false))) {
			return true
		}
	}
	return false
}

func (r *run) logf(format string, args ...any) {
	if r.log != nil {
		fmt.Fprintf(r.log, "[%s] "+format+"\n", append([]any{r.label}, args...)...)
	}
}
