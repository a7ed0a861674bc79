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
	// *ext*, for one open: the reset backup to open ("last", "first"),
	// and whether to open read-only.
	backup   string
	readOnly bool
	// *ext*, for one open: the session's backoff bounds (0: the driver's).
	minBackoffMs, maxBackoffMs int64
	// Flexible sync: a flexible session for user (the token's subject),
	// its initial subscriptions (a JSON array, nil for none).
	flexible      bool
	user          string
	subscriptions json.RawMessage
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
		s.backup, s.readOnly = "", false // never inherited
		s.minBackoffMs, s.maxBackoffMs = 0, 0
	}
	if st.Do == "open" || st.Do == "reopen" {
		s.backup = st.Str("backup")
		s.readOnly = st.Bool("readOnly", false)
		s.minBackoffMs, s.maxBackoffMs = int64(st.Int("minBackoffMs", 0)), int64(st.Int("maxBackoffMs", 0))
	}
	if st.Has("path") {
		s.path = st.Str("path")
	}
	s.inMemory = st.Bool("inMemory", s.inMemory)
	s.sync = st.Bool("sync", s.sync)
	s.flexible = st.Bool("flexible", s.flexible)
	if s.flexible {
		s.sync = true // flexible: true is a synced open (SPEC: instead of partition)
	}
	if st.Has("user") {
		s.user = st.Str("user")
	}
	if st.Has("subscriptions") {
		s.subscriptions = st.Raw("subscriptions")
	}
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
	fields, err := c.openFields(s)
	if err != nil {
		return err
	}
	if _, err := c.call("open", fields, 0); err != nil {
		return err
	}
	// Events are counted from the open (the driver resets its buffer too).
	c.isOpen, c.last, c.events = true, &s, nil
	return nil
}

// openFields are the open request's "config" and "sync" for s.
func (c *client) openFields(s openSpec) (map[string]any, error) {
	path, err := c.r.realPath(s.path)
	if err != nil {
		return nil, &fatalError{err}
	}
	schema := s.schema
	if schema == nil {
		schema = c.r.sc.Schema
	}
	config := map[string]any{"path": path, "inMemory": s.inMemory}
	if s.readOnly {
		config["readOnly"] = true
	}
	if schema != nil && !isNull(schema) { // "schema": null opens with the stored schema
		config["schema"] = schema
	}
	fields := map[string]any{"config": config}
	if s.backup != "" {
		fields["backup"] = s.backup // the driver opens that file instead of path
	}
	if s.sync {
		sync, err := c.r.syncFields(s)
		if err != nil {
			return nil, err
		}
		fields["sync"] = sync
	}
	return fields, nil
}

// defaultPartition is the partition of a synced open that names none.
const defaultPartition = "default"

// syncFields is the open request's "sync" object: the server's URL, the
// partition, and the token — a valid one for the partition unless the
// step gives one (a special value of tokenKinds, or a literal token).
func (r *run) syncFields(s openSpec) (map[string]any, error) {
	if r.srv == nil {
		return nil, fatalf("runner bug: a synced open but no server")
	}
	if s.flexible {
		return r.flexibleSyncFields(s)
	}
	partition := s.partition
	if partition == "" {
		partition = defaultPartition
	}
	token, err := r.srv.token(partition, s.token)
	if err != nil {
		return nil, &fatalError{err}
	}
	sync := map[string]any{"url": r.srv.syncURL, "partition": partition, "token": token}
	if s.clientReset != "" {
		sync["clientReset"] = s.clientReset
	}
	if s.minBackoffMs != 0 {
		sync["minBackoffMs"] = s.minBackoffMs
	}
	if s.maxBackoffMs != 0 {
		sync["maxBackoffMs"] = s.maxBackoffMs
	}
	return sync, nil
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

// executeClientReset asks the driver to perform the manual reset and
// open again, with the step's open fields (*ext*) over the last open's:
// the request carries "config" and "sync" exactly as an open would. The
// events are kept (the reset's "after" event is among them).
func (c *client) executeClientReset(st *Step) error {
	var fields map[string]any
	var s openSpec
	if c.last != nil {
		s = c.spec(st, c.last)
		var err error
		if fields, err = c.openFields(s); err != nil {
			return err
		}
	}
	if _, err := c.call("executeClientReset", fields, 0); err != nil {
		return err
	}
	if c.last != nil {
		c.isOpen, c.last = true, &s
	}
	return nil
}

// writeFile (*ext*) asks the driver to write the step's text into a file
// of the run: at offset over what is there, or (no offset) as the whole
// file. The path defaults to the client's name, as open's does.
func (c *client) writeFile(st *Step) error {
	logical := st.Str("path")
	if logical == "" {
		logical = c.name
	}
	path, err := c.r.realPath(logical)
	if err != nil {
		return &fatalError{err}
	}
	fields := map[string]any{"path": path, "text": st.Str("text")}
	if st.Has("offset") {
		fields["offset"] = st.Int("offset", 0)
	}
	_, err = c.call("writeFile", fields, 0)
	return err
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
	for _, ev := range evs {
		deriveFields(ev)
	}
	c.events = append(c.events, evs...)
	return nil
}

// deriveFields adds the fields the runner computes from a binding's event
// (README.md, *ext*), so that every binding gets them the same way: a
// progress event's "complete" is transferred >= transferable.
func deriveFields(ev map[string]any) {
	if ev["type"] != "progress" {
		return
	}
	if _, has := ev["complete"]; has {
		return
	}
	done, ok1 := ev["transferred"].(json.Number)
	total, ok2 := ev["transferable"].(json.Number)
	if !ok1 || !ok2 {
		return
	}
	d, err1 := done.Float64()
	t, err2 := total.Float64()
	if err1 == nil && err2 == nil {
		ev["complete"] = d >= t
	}
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
