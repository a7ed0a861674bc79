package runner

import (
	"encoding/json"
	"fmt"
	"time"
)

// expect checks a client expectation, polling while `within` allows.
func (r *run) expect(c *client, st *Step) error {
	switch st.Expect {
	case "objects":
		return poll(st.Within, func() error { return r.expectObjects(c, st) })
	case "count":
		return poll(st.Within, func() error { return r.expectCount(c, st) })
	case "state":
		return poll(st.Within, func() error { return r.expectState(c, st) })
	case "unsynced":
		return poll(st.Within, func() error { return r.expectUnsynced(c, st) })
	case "file":
		return poll(st.Within, func() error { return r.expectFile(c, st) })
	case "event":
		return poll(st.Within, func() error { return r.expectEvent(c, st) })
	case "noEvent":
		return r.expectNoEvent(c, st)
	case "subscriptions":
		return poll(st.Within, func() error { return r.expectSubscriptions(c, st) })
	}
	return fmt.Errorf("expectation %q is not implemented by the runner", st.Expect)
}

// query builds the driver's query object from a step.
func query(st *Step) map[string]any {
	q := map[string]any{"class": st.Str("class")}
	if st.Has("filter") {
		q["filter"] = st.Str("filter")
	}
	if st.Has("args") {
		q["args"] = st.Raw("args")
	}
	if st.Has("and") {
		q["and"] = st.Raw("and")
	}
	if st.Has("sort") {
		q["sort"] = st.Str("sort")
	}
	if st.Has("limit") {
		q["limit"] = st.Int("limit", 0)
	}
	return q
}

// read sends a read command and applies expectError. done is true when
// the step's outcome is settled by the error alone (expected or not).
func read(c *client, st *Step, cmd string, fields map[string]any) (res json.RawMessage, done bool, err error) {
	res, err = c.call(cmd, fields, 0)
	if st.ExpectError != "" || err != nil {
		return nil, true, outcome(err, st.ExpectError, func() string {
			return fmt.Sprintf("%q returned %s", cmd, clip(res))
		})
	}
	return res, false, nil
}

func (r *run) expectObjects(c *client, st *Step) error {
	q, err := r.queryWithKeys(st)
	if err != nil {
		return err
	}
	res, done, err := read(c, st, "query", map[string]any{"query": q})
	if done {
		return err
	}
	var got []map[string]any
	if err := decodeStrict(res, &got); err != nil || got == nil {
		return fatalf("protocol error: %q must return an array of objects, got %s", "query", clip(res))
	}
	var want []map[string]any
	if err := decodeStrict(st.Raw("equals"), &want); err != nil {
		return fmt.Errorf("bad equals: %v", err)
	}
	alignSets(want, got, setFields(r.sc.Schema, st.Str("class")))
	if why := objectsMismatch(want, got); why != "" {
		return fmt.Errorf("%s", why)
	}
	return r.rememberKeys(st, got)
}

func (r *run) expectCount(c *client, st *Step) error {
	q, err := r.queryWithKeys(st)
	if err != nil {
		return err
	}
	res, done, err := read(c, st, "count", map[string]any{"query": q})
	if done {
		return err
	}
	var n json.Number
	got, perr := int64(0), decodeStrict(res, &n)
	if perr == nil {
		got, perr = n.Int64()
	}
	if perr != nil {
		return fatalf("protocol error: %q must return an integer, got %s", "count", clip(res))
	}
	if want := int64(st.Int("equals", 0)); got != want {
		return fmt.Errorf("expected a count of %d, got %d", want, got)
	}
	return nil
}

func (r *run) expectState(c *client, st *Step) error {
	res, done, err := read(c, st, "state", nil)
	if done {
		return err
	}
	var got map[string]any
	if err := decodeStrict(res, &got); err != nil || got == nil {
		return fatalf("protocol error: %q must return an object, got %s", "state", clip(res))
	}
	want := map[string]any{}
	for _, f := range []string{"session", "connection"} {
		if st.Has(f) {
			want[f] = st.Str(f)
		}
	}
	if why := fieldMismatch(want, got); why != "" {
		return fmt.Errorf("state %s: %s", show(got), why)
	}
	return nil
}

func backupFields(st *Step) map[string]any {
	if st.Has("backup") {
		return map[string]any{"backup": st.Str("backup")}
	}
	return nil
}

func (r *run) expectUnsynced(c *client, st *Step) error {
	res, done, err := read(c, st, "unsynced", backupFields(st))
	if done {
		return err
	}
	var got, want []map[string]any
	if err := decodeStrict(res, &got); err != nil || got == nil {
		return fatalf("protocol error: %q must return an array of objects, got %s", "unsynced", clip(res))
	}
	if err := decodeStrict(st.Raw("equals"), &want); err != nil {
		return fmt.Errorf("bad equals: %v", err)
	}
	if why := unsyncedMismatch(want, got); why != "" {
		return fmt.Errorf("%s", why)
	}
	return nil
}

func (r *run) expectFile(c *client, st *Step) error {
	res, done, err := read(c, st, "file", backupFields(st))
	if done {
		return err
	}
	var got struct{ Exists *bool }
	if err := decodeStrict(res, &got); err != nil || got.Exists == nil {
		return fatalf(`protocol error: %q must return {"exists": true|false}, got %s`, "file", clip(res))
	}
	if want := st.Bool("exists", false); *got.Exists != want {
		return fmt.Errorf("expected the backup file to exist: %v, but exists: %v", want, *got.Exists)
	}
	return nil
}

// expectEvent looks for a matching event among those delivered since the
// previous `event` expectation (or the open) and consumes up to and
// including the first match.
func (r *run) expectEvent(c *client, st *Step) error {
	if done, err := fetch(c, st); done {
		return err
	}
	for i, ev := range c.events {
		if eventMatches(st.Match, ev) {
			c.events = c.events[i+1:]
			return nil
		}
	}
	return fmt.Errorf("no event matching %s among the %s delivered since the previous event expectation: %s",
		show(st.Match), plural(len(c.events), "event", "events"), show(c.events))
}

// expectNoEvent checks that no matching event was delivered since the
// previous `event` expectation; it consumes nothing. A failing noEvent can
// never become true, so its `within` means something more useful: keep
// watching that long, and fail if a matching event arrives meanwhile.
func (r *run) expectNoEvent(c *client, st *Step) error {
	deadline := time.Now().Add(st.Within)
	for {
		if done, err := fetch(c, st); done {
			return err
		}
		for i, ev := range c.events {
			if eventMatches(st.Match, ev) {
				return fmt.Errorf("expected no event matching %s, but event %d of %d since the previous event expectation matches: %s",
					show(st.Match), i+1, len(c.events), show(ev))
			}
		}
		if !time.Now().Before(deadline) {
			return nil
		}
		time.Sleep(pollInterval)
	}
}

// fetch fetches events for an event expectation, applying expectError.
func fetch(c *client, st *Step) (done bool, err error) {
	err = c.fetchEvents()
	if st.ExpectError != "" || err != nil {
		return true, outcome(err, st.ExpectError, func() string { return "the events were fetched" })
	}
	return false, nil
}
