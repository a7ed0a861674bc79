package runner

// Flexible sync (SPEC "Vocabulary, version 2"): the server's mode and
// rules, flexible opens with a user and initial subscriptions, the
// subscribe / waitForSubscriptions steps, the subscriptions expectation,
// and server writes without a partition.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// flexSpace is tetherd's reserved partition name of the flexible space
// (server/flex.go's flexPartition): the admin API's server writes reach
// it by that name.
const flexSpace = "\x00app"

// defaultUser is the user of a flexible open that names none.
const defaultUser = "conformance"

func parseFlexibleOption(sc *Scenario, k string, v json.RawMessage) error {
	switch k {
	case "mode":
		var m string
		if err := json.Unmarshal(v, &m); err != nil || (m != "flexible" && m != "partition") {
			return fmt.Errorf(`server option "mode" must be "flexible" or "partition", got %s`, clip(v))
		}
		sc.Flexible = m == "flexible"
	case "rules":
		var rules map[string]map[string]json.RawMessage
		if err := decodeStrict(v, &rules); err != nil || rules == nil {
			return fmt.Errorf(`server option "rules" must be an object {"Class": {"read": RQL, "write": RQL}}, got %s`, clip(v))
		}
		for class, r := range rules {
			for f, rql := range r {
				var s string
				if (f != "read" && f != "write") || json.Unmarshal(rql, &s) != nil {
					return fmt.Errorf(`server option "rules": class %q: only "read" and "write" strings are allowed, got %q: %s`, class, f, clip(rql))
				}
			}
		}
		sc.Rules = v
	}
	return nil
}

// checkFlexibleSteps checks what depends on the server's mode: rules only
// in flexible mode, server writes with a partition in partition mode and
// without one in flexible mode, flexible opens only against a flexible
// server, subscribe entries with known fields.
func checkFlexibleSteps(sc *Scenario) error {
	if sc.Rules != nil && !sc.Flexible {
		return fmt.Errorf(`server option "rules" needs "mode": "flexible"`)
	}
	for i, st := range sc.Steps {
		n := i + 1
		switch {
		case st.Server == "write" && sc.Flexible && st.Has("partition"):
			return fmt.Errorf("step %d: a server write in flexible mode takes no partition", n)
		case st.Server == "write" && !sc.Flexible && !st.Has("partition"):
			return fmt.Errorf(`step %d: server write: missing required field "partition"`, n)
		case st.Server == "clientReset" && sc.Flexible && st.Has("partition"):
			return fmt.Errorf("step %d: a server clientReset in flexible mode takes no partition (it resets every client of the app's space)", n)
		}
		if (st.Do == "open" || st.Do == "reopen") && st.Bool("flexible", false) {
			if !sc.Flexible {
				return fmt.Errorf(`step %d: a flexible open needs the scenario's server "mode": "flexible"`, n)
			}
			if st.Has("partition") {
				return fmt.Errorf("step %d: a flexible open takes no partition", n)
			}
		}
		if st.Has("subscriptions") {
			if err := checkSubscriptions(st.Raw("subscriptions"), false); err != nil {
				return fmt.Errorf("step %d: subscriptions: %v", n, err)
			}
		}
		if st.Do == "subscribe" {
			if !st.Has("add") && !st.Has("remove") && !st.Has("removeAll") {
				return fmt.Errorf(`step %d: subscribe needs "add", "remove" or "removeAll"`, n)
			}
			if st.Has("add") {
				if err := checkSubscriptions(st.Raw("add"), true); err != nil {
					return fmt.Errorf("step %d: add: %v", n, err)
				}
			}
			if st.Has("remove") {
				var names []string
				if err := decodeStrict(st.Raw("remove"), &names); err != nil {
					return fmt.Errorf(`step %d: "remove" must be a list of names, got %s`, n, clip(st.Raw("remove")))
				}
			}
		}
		if st.Expect == "subscriptions" {
			if !st.Has("state") && !st.Has("names") {
				return fmt.Errorf(`step %d: a subscriptions expectation needs "state" or "names"`, n)
			}
			if st.Has("names") {
				var names []string
				if err := decodeStrict(st.Raw("names"), &names); err != nil {
					return fmt.Errorf(`step %d: "names" must be a list of strings, got %s`, n, clip(st.Raw("names")))
				}
			}
		}
	}
	return nil
}

// checkSubscriptions checks a list of {"name"?, "class", "filter"?,
// "args"?} (and "updateExisting"? in a subscribe's add).
func checkSubscriptions(raw json.RawMessage, update bool) error {
	var subs []map[string]json.RawMessage
	if err := decodeStrict(raw, &subs); err != nil {
		return fmt.Errorf("must be a list of objects: %v", err)
	}
	for i, s := range subs {
		if _, ok := s["class"]; !ok {
			return fmt.Errorf(`entry %d has no "class"`, i)
		}
		for k, v := range s {
			var ok bool
			switch k {
			case "name", "class", "filter":
				var x string
				ok = json.Unmarshal(v, &x) == nil
			case "args":
				var x []json.RawMessage
				ok = json.Unmarshal(v, &x) == nil
			case "updateExisting":
				var x bool
				ok = update && json.Unmarshal(v, &x) == nil
			}
			if !ok {
				return fmt.Errorf("entry %d: unknown or mistyped field %q: %s", i, k, clip(v))
			}
		}
	}
	return nil
}

// setFlexible puts a flexible scenario's server in flexible mode with its
// rules (POST /admin/flexible; tetherd keeps them across a restart).
func (r *run) setFlexible() error {
	if !r.sc.Flexible {
		return nil
	}
	body := map[string]any{"mode": "flexible"}
	if r.sc.Rules != nil {
		body["rules"] = r.sc.Rules
	}
	_, err := r.srv.admin("/admin/flexible", nil, body)
	return err
}

// writePartition is a server write's partition: the flexible space in
// flexible mode.
func (r *run) writePartition(st *Step) string {
	if r.sc.Flexible {
		return flexSpace
	}
	return st.Str("partition")
}

// flexibleSyncFields is a flexible open's "sync": the URL, a token whose
// subject is the user (a token kind or literal token as for partitions),
// flexible: true and the initial subscriptions.
func (r *run) flexibleSyncFields(s openSpec) (map[string]any, error) {
	user := s.user
	if user == "" {
		user = defaultUser
	}
	// The grant is unused in flexible mode (the rules decide), but
	// `tetherd token` needs one.
	token, err := r.srv.tokenAs(user, "flexible", s.token)
	if err != nil {
		return nil, &fatalError{err}
	}
	sync := map[string]any{"url": r.srv.syncURL, "flexible": true, "token": token}
	if s.subscriptions != nil {
		sync["subscriptions"] = s.subscriptions
	}
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

// subscribeFields is the driver's subscribe request: {"update": {...}}.
func subscribeFields(st *Step) map[string]any {
	u := map[string]any{}
	for _, f := range []string{"add", "remove", "removeAll"} {
		if st.Has(f) {
			if f == "removeAll" {
				u[f] = st.Bool(f, false)
			} else {
				u[f] = st.Raw(f)
			}
		}
	}
	return map[string]any{"update": u}
}

// expectSubscriptions reads the latest set ({"state", "subscriptions":
// [{"name", ...}]}) and compares its state and the names of its named
// subscriptions (in any order; unnamed ones have no name to list).
func (r *run) expectSubscriptions(c *client, st *Step) error {
	res, done, err := read(c, st, "subscriptions", nil)
	if done {
		return err
	}
	var got struct {
		State         string `json:"state"`
		Subscriptions []struct {
			Name string `json:"name"`
		} `json:"subscriptions"`
	}
	if err := json.Unmarshal(res, &got); err != nil || got.State == "" {
		return fatalf("protocol error: %q must return {state, subscriptions}, got %s", "subscriptions", clip(res))
	}
	if st.Has("state") && got.State != st.Str("state") {
		return fmt.Errorf("the subscription set is %s, want %s", got.State, st.Str("state"))
	}
	if st.Has("names") {
		var want []string
		_ = json.Unmarshal(st.Raw("names"), &want)
		var have []string
		for _, s := range got.Subscriptions {
			if s.Name != "" {
				have = append(have, s.Name)
			}
		}
		sort.Strings(want)
		sort.Strings(have)
		if strings.Join(want, "\x00") != strings.Join(have, "\x00") {
			return fmt.Errorf("the subscription set holds %q, want %q", have, want)
		}
	}
	return nil
}
