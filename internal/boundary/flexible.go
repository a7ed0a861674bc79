package boundary

// Flexible sync at the boundary: the subscription set's update, wait and
// state as JSON, so that every binding passes the app's JSON through and
// the rules (removeAll, then remove, then add, in one update; names;
// updateExisting) live once, in core/session.

import (
	"encoding/json"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// SubscriptionJSON is one query of a subscription set, as SPEC writes it.
type SubscriptionJSON struct {
	Name           string `json:"name,omitempty"`
	Class          string `json:"class"`
	Filter         string `json:"filter,omitempty"`
	Args           []any  `json:"args,omitempty"`
	UpdateExisting bool   `json:"updateExisting,omitempty"`
}

// SubscriptionUpdateJSON is one update of the set: removeAll, then
// remove (names), then add, applied as one new version.
type SubscriptionUpdateJSON struct {
	RemoveAll bool               `json:"removeAll,omitempty"`
	Remove    []string           `json:"remove,omitempty"`
	Add       []SubscriptionJSON `json:"add,omitempty"`
}

// apply edits m; a name to remove that the set does not hold is NotFound
// (Realm's remove(name) reports false; a scenario naming a subscription
// it never made is an error, not a no-op).
func (u *SubscriptionUpdateJSON) apply(m *session.MutableSubscriptions) error {
	if u.RemoveAll {
		m.RemoveAll()
	}
	for _, n := range u.Remove {
		if !m.Remove(n) {
			return terror.New(terror.NotFound, "no subscription named %q", n)
		}
	}
	for i, a := range u.Add {
		args, err := queryArgs(a.Args, "subscription argument")
		if err != nil {
			return err
		}
		if a.Filter != "" {
			if err := CheckString("a subscription's filter", a.Filter); err != nil {
				return err
			}
		}
		if err := m.Add(a.Class, a.Filter, args, a.Name, a.UpdateExisting); err != nil {
			return terror.Wrap(terror.CodeOf(err), err, "add[%d]", i)
		}
	}
	return nil
}

// initialSubscriptions turns a flexible config's initial list into
// core/session's InitialSubscriptions (nil when there is none).
func initialSubscriptions(subs []SubscriptionJSON) func(*session.MutableSubscriptions) error {
	if len(subs) == 0 {
		return nil
	}
	u := SubscriptionUpdateJSON{Add: subs}
	return u.apply
}

func subscriptions(h int64) (*session.Subscriptions, error) {
	s, err := sess(h)
	if err != nil {
		return nil, err
	}
	x := s.Subscriptions()
	if x == nil {
		return nil, terror.New(terror.InvalidArgument, "session %d is a partition session: it has no subscriptions", h)
	}
	return x, nil
}

// SessionSubscriptionsUpdate applies one update (SubscriptionUpdateJSON)
// to a flexible session's set.
func SessionSubscriptionsUpdate(h int64, updateJSON []byte) error {
	var u SubscriptionUpdateJSON
	if err := decodeJSON("the subscription update", updateJSON, &u); err != nil {
		return err
	}
	x, err := subscriptions(h)
	if err != nil {
		return err
	}
	return x.Update(u.apply)
}

// SubscriptionsStateJSON is the set as bindings read it.
type SubscriptionsStateJSON struct {
	Version       uint64             `json:"version"`
	State         string             `json:"state"`
	Error         *ErrorJSON         `json:"error,omitempty"`
	Subscriptions []SubscriptionJSON `json:"subscriptions"`
}

// SessionSubscriptionsJSON returns the latest version of the set, its
// state and its subscriptions.
func SessionSubscriptionsJSON(h int64) ([]byte, error) {
	x, err := subscriptions(h)
	if err != nil {
		return nil, err
	}
	st, serr := x.State()
	out := SubscriptionsStateJSON{Version: x.Version(), State: st.String(), Subscriptions: []SubscriptionJSON{}}
	if serr != nil {
		e := ErrorToJSON(serr)
		out.Error = &e
	}
	for _, s := range x.List() {
		j := SubscriptionJSON{Name: s.Name, Class: s.Class, Filter: s.Filter}
		for _, a := range s.Args {
			j.Args = append(j.Args, value.ToJSON(a))
		}
		out.Subscriptions = append(out.Subscriptions, j)
	}
	return json.Marshal(out)
}

// SessionWaitForSubscriptions waits up to timeoutMs (> 0) until the
// latest set is complete; false when the time ran out, the set's error
// when the server refused it (or it was superseded: the wait then follows
// the newer version, core/session's rule).
func SessionWaitForSubscriptions(h int64, timeoutMs int64) (bool, error) {
	x, err := subscriptions(h)
	if err != nil {
		return false, err
	}
	if err := waitTimeout(timeoutMs); err != nil {
		return false, err
	}
	return x.WaitForSynchronizationTimeout(millis(timeoutMs))
}

// SessionAddSubscriptionsListener reports each state a version of the set
// enters: {"type":"subscriptions","version":n,"state":"complete"} (and
// "error": {...} in error). It returns a listener id for
// SessionRemoveListener.
func SessionAddSubscriptionsListener(h int64, cb func(eventJSON []byte)) (int64, error) {
	x, err := subscriptions(h)
	if err != nil {
		return 0, err
	}
	remove := x.AddStateListener(func(v uint64, st session.SubscriptionState, err error) {
		ev := map[string]any{"type": "subscriptions", "version": v, "state": st.String()}
		if err != nil {
			ev["error"] = ErrorToJSON(err)
		}
		b, _ := json.Marshal(ev)
		cb(b)
	})
	return sessionTokens.add(sessionTokenRef{session: h, removes: []func(){remove}}), nil
}

// refusedJSON renders a CompensatingWrite's objects as SPEC's
// [{class, key, reason}] (nil when there are none).
func refusedJSON(in []session.RefusedObject) []map[string]any {
	if len(in) == 0 {
		return nil
	}
	out := make([]map[string]any, len(in))
	for i, o := range in {
		out[i] = map[string]any{"class": o.Class, "key": value.ToJSON(o.Key), "reason": o.Reason}
	}
	return out
}

// ParseSubscriptionUpdate parses a SubscriptionUpdateJSON into the
// function core/session's Subscriptions.Update takes (the Go binding's
// drivers speak JSON too).
func ParseSubscriptionUpdate(updateJSON []byte) (func(*session.MutableSubscriptions) error, error) {
	var u SubscriptionUpdateJSON
	if err := decodeJSON("the subscription update", updateJSON, &u); err != nil {
		return nil, err
	}
	return u.apply, nil
}

// ParseInitialSubscriptions parses a flexible config's initial list (a
// JSON array of SubscriptionJSON) into InitialSubscriptions (nil for none).
func ParseInitialSubscriptions(listJSON []byte) (func(*session.MutableSubscriptions) error, error) {
	if len(listJSON) == 0 {
		return nil, nil
	}
	var subs []SubscriptionJSON
	if err := decodeJSON("the initial subscriptions", listJSON, &subs); err != nil {
		return nil, err
	}
	return initialSubscriptions(subs), nil
}

// RefusedObjectsJSON is refusedJSON for bindings that render events
// themselves.
func RefusedObjectsJSON(in []session.RefusedObject) []map[string]any { return refusedJSON(in) }

// ParseSubscriptionsJSON parses a JSON array of SubscriptionJSON (a
// binding's initial subscriptions), numbers kept exact.
func ParseSubscriptionsJSON(listJSON []byte) ([]SubscriptionJSON, error) {
	var subs []SubscriptionJSON
	if err := decodeJSON("the subscriptions", listJSON, &subs); err != nil {
		return nil, err
	}
	return subs, nil
}
