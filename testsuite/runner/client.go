package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// client is one named scenario client: one driver process (started by the
// client's first step, and again after a crash) holding at most one
// database handle.
type client struct {
	name string
	r    *run
	proc *proc
	// isOpen is the runner's view: an open succeeded and no close or crash
	// followed. reopen uses it to decide whether to close first.
	isOpen bool
	// last is what the last successful open or reopen used; reopen takes
	// the fields it does not give from here.
	last *openSpec
	// events were delivered (fetched from the driver) and not yet consumed
	// by an `event` expectation.
	events []map[string]any
}

// openSpec is the effective set of open fields.
type openSpec struct {
	path        string // logical name
	inMemory    bool
	sync        bool
	partition   string
	token       string
	clientReset string
	schema      json.RawMessage
}

// call sends one command to the client's driver, starting the driver if
// the client has none. extra lengthens the 30s answer deadline for
// commands that may legitimately wait (uploadAll with its own timeout).
func (c *client) call(cmd string, fields map[string]any, extra time.Duration) (json.RawMessage, error) {
	if c.proc == nil {
		p, err := startProc(c.r.binding.Command, c.r.dir, c.r.binding.Name+"/"+c.name, c.r.log)
		if err != nil {
			return nil, &fatalError{err}
		}
		c.proc = p
	}
	req := map[string]any{"cmd": cmd}
	for k, v := range fields {
		req[k] = v
	}
	return c.proc.call(req, c.r.timeout+extra)
}

// spec merges a step's open fields over base (nil for a plain open).
func (c *client) spec(st *Step, base *openSpec) openSpec {
	s := openSpec{path: c.name}
	if base != nil {
		s = *base
	}
	if st.Has("path") {
		s.path = st.Str("path")
	}
	s.inMemory = st.Bool("inMemory", s.inMemory)
	s.sync = st.Bool("sync", s.sync)
	for name, into := range map[string]*string{"partition": &s.partition, "token": &s.token, "clientReset": &s.clientReset} {
		if st.Has(name) {
			*into = st.Str(name)
		}
	}
	if st.Has("schema") {
		s.schema = st.Raw("schema")
	}
	return s
}

// open opens a database as s describes.
func (c *client) open(s openSpec) error {
	path, err := c.r.realPath(s.path)
	if err != nil {
		return &fatalError{err}
	}
	schema := s.schema
	if schema == nil {
		schema = c.r.sc.Schema
	}
	config := map[string]any{"path": path, "inMemory": s.inMemory}
	if schema != nil && !isNull(schema) { // "schema": null opens with the stored schema
		config["schema"] = schema
	}
	fields := map[string]any{"config": config}
	if s.sync {
		// The token default ("a valid token for the partition") comes from
		// the server the runner will own; until then it is passed as given.
		sync := map[string]any{"partition": s.partition}
		if s.token != "" {
			sync["token"] = s.token
		}
		if s.clientReset != "" {
			sync["clientReset"] = s.clientReset
		}
		fields["sync"] = sync
	}
	if _, err := c.call("open", fields, 0); err != nil {
		return err
	}
	// Events are counted from the open (the driver resets its buffer too).
	c.isOpen, c.last, c.events = true, &s, nil
	return nil
}

// close closes the client's database handle.
func (c *client) close() error {
	_, err := c.call("close", nil, 0)
	if err == nil {
		c.isOpen = false
	}
	return err
}

// reopen closes the handle if it is open, then opens with the step's
// fields over the last open's.
func (c *client) reopen(st *Step) error {
	if c.isOpen {
		if err := c.close(); err != nil {
			return err
		}
	}
	return c.open(c.spec(st, c.last))
}

// crash kills the driver process without a close; the next step on this
// client starts a fresh process, which opens nothing by itself.
func (c *client) crash() {
	if c.proc != nil {
		c.proc.kill()
		c.proc = nil
	}
	c.isOpen, c.events = false, nil
}

// fetchEvents appends the events delivered since the last fetch.
func (c *client) fetchEvents() error {
	res, err := c.call("events", nil, 0)
	if err != nil {
		return err
	}
	var evs []map[string]any
	if err := decodeStrict(res, &evs); err != nil {
		return fatalf("protocol error: %q must return an array of event objects, got %s", "events", clip(res))
	}
	c.events = append(c.events, evs...)
	return nil
}

// realPath maps a logical path name to a file in the run's directory.
func (r *run) realPath(logical string) (string, error) {
	if logical == "" {
		return "", fmt.Errorf("an empty path name")
	}
	// Clean under "/" so that "../x" cannot leave the run's directory.
	p := filepath.Join(r.dir, "data", filepath.Clean("/"+logical))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	return p, nil
}
