package session

// Flexible sync's subscription set, in Realm's shape: Subscriptions()
// returns the set, Update changes it in one step (Add / Remove /
// RemoveAll, named and unnamed queries), and each version of the set goes
// pending → bootstrapping → complete, or error, or superseded by a newer
// one. The set is kept in the local database: a reopened database syncs
// the same objects without the app re-subscribing.

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/protocol"
)

// SubscriptionState is the state of one version of the set.
type SubscriptionState int

const (
	SubscriptionPending       SubscriptionState = iota // not yet answered by the server
	SubscriptionBootstrapping                          // its objects are arriving
	SubscriptionComplete                               // every object of the set is local
	SubscriptionError                                  // the server refused the set (Error says why)
	SubscriptionSuperseded                             // a newer version replaced it first
)

var subStateNames = [...]string{"pending", "bootstrapping", "complete", "error", "superseded"}

func (s SubscriptionState) String() string {
	if int(s) < len(subStateNames) {
		return subStateNames[s]
	}
	return "unknown"
}

// Subscription is one query of the set.
type Subscription struct {
	Name   string `json:"name,omitempty"` // "" for an unnamed one
	Class  string `json:"class"`
	Filter string `json:"filter,omitempty"`
	// Args are the filter's $0, $1... (core/value kinds).
	Args []any `json:"-"`
	// ArgsData is Args in core/value's encoding (how they are stored and
	// sent).
	ArgsData []byte `json:"args,omitempty"`
}

func (x *Subscription) same(y *Subscription) bool {
	return x.Class == y.Class && x.Filter == y.Filter && string(x.ArgsData) == string(y.ArgsData)
}

// storedSet is the set as the database keeps it.
type storedSet struct {
	Version   uint64         `json:"version"`
	Completed uint64         `json:"completed,omitempty"` // the last version that completed
	Subs      []Subscription `json:"subscriptions"`
	// ViewGen names the server rules the completed view was computed
	// under: with it the next bind resumes instead of re-bootstrapping
	// (flex_resume.go).
	ViewGen uint64 `json:"viewGen,omitempty"`
}

// Subscriptions is a flexible session's subscription set.
type Subscriptions struct {
	s *Session

	mu        sync.Mutex
	set       storedSet
	state     SubscriptionState
	err       error
	waiters   []chan error
	listeners map[int]func(version uint64, state SubscriptionState, err error)
	nextID    int
	keep      []protocol.ObjectRef // objects of a Full bootstrap so far
}

// MutableSubscriptions is the set inside Update.
type MutableSubscriptions struct {
	subs []Subscription
}

// Add adds a query; a name makes it replaceable. An unnamed query equal to
// one in the set is not added twice. A named one whose name is taken by a
// different query replaces it when updateExisting, else InvalidArgument.
func (m *MutableSubscriptions) Add(class, filter string, args []any, name string, updateExisting bool) error {
	if class == "" {
		return terror.New(terror.InvalidArgument, "a subscription needs a class")
	}
	if len(filter) > protocol.MaxFilterLen || len(name) > protocol.MaxNameLen || len(class) > protocol.MaxNameLen {
		return terror.New(terror.InvalidArgument, "a subscription's filter is limited to %d bytes, its name and class to %d", protocol.MaxFilterLen, protocol.MaxNameLen)
	}
	x := Subscription{Name: name, Class: class, Filter: filter, Args: args}
	if len(args) > 0 {
		x.ArgsData = value.Append(nil, args)
		if len(x.ArgsData) > protocol.MaxArgsLen {
			return terror.New(terror.InvalidArgument, "a subscription's arguments are limited to %d bytes", protocol.MaxArgsLen)
		}
	}
	for i := range m.subs {
		y := &m.subs[i]
		switch {
		case name == "" && y.Name == "" && y.same(&x):
			return nil
		case name != "" && y.Name == name:
			if y.same(&x) {
				return nil
			}
			if !updateExisting {
				return terror.New(terror.InvalidArgument, "a subscription named %q exists with another query (updateExisting replaces it)", name)
			}
			*y = x
			return nil
		}
	}
	if len(m.subs) >= protocol.MaxSubscriptions {
		return terror.New(terror.InvalidArgument, "a subscription set holds at most %d subscriptions", protocol.MaxSubscriptions)
	}
	m.subs = append(m.subs, x)
	return nil
}

// Remove removes the named subscription, reporting whether it was there.
func (m *MutableSubscriptions) Remove(name string) bool {
	n := len(m.subs)
	m.subs = slices.DeleteFunc(m.subs, func(x Subscription) bool { return x.Name == name })
	return len(m.subs) != n
}

// RemoveAll empties the set.
func (m *MutableSubscriptions) RemoveAll() { m.subs = nil }

// List returns the subscriptions being edited.
func (m *MutableSubscriptions) List() []Subscription { return slices.Clone(m.subs) }

// loadSubscriptions reads the stored set.
func (s *Session) loadSubscriptions() error {
	sub := &Subscriptions{s: s, listeners: map[int]func(uint64, SubscriptionState, error){}}
	raw, err := s.db.Subscriptions()
	if err != nil {
		return err
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &sub.set); err != nil {
			return terror.Wrap(terror.Corrupted, err, "the stored subscription set")
		}
		for i := range sub.set.Subs {
			x := &sub.set.Subs[i]
			if len(x.ArgsData) > 0 {
				v, n, err := value.Decode(x.ArgsData)
				list, ok := v.([]any)
				if err != nil || n != len(x.ArgsData) || !ok {
					return terror.New(terror.Corrupted, "the stored subscription set: arguments of %q", x.Name)
				}
				x.Args = list
			}
		}
	}
	if sub.set.Version > 0 && sub.set.Completed == sub.set.Version {
		sub.state = SubscriptionComplete
	}
	s.subs = sub
	return nil
}

// Subscriptions returns the session's subscription set (nil for a
// partition session).
func (s *Session) Subscriptions() *Subscriptions { return s.subs }

// Version is the set's latest version (0: never updated).
func (x *Subscriptions) Version() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.set.Version
}

// State is the latest version's state, and its error if it is in error.
func (x *Subscriptions) State() (SubscriptionState, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.state, x.err
}

// List returns the latest version's subscriptions.
func (x *Subscriptions) List() []Subscription {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.set.Subs)
}

// Update changes the set in one step: fn edits a copy, and if it returns
// nil the result becomes the next version (stored durably, then sent).
// The version before it, if still waiting, is superseded.
func (x *Subscriptions) Update(fn func(m *MutableSubscriptions) error) error {
	x.mu.Lock()
	m := &MutableSubscriptions{subs: slices.Clone(x.set.Subs)}
	x.mu.Unlock()
	if err := fn(m); err != nil {
		return err
	}
	defer x.s.deliveries.Drain()
	x.mu.Lock()
	next := storedSet{Version: x.set.Version + 1, Completed: x.set.Completed, Subs: m.subs, ViewGen: x.set.ViewGen}
	b, err := json.Marshal(next)
	if err == nil {
		err = x.s.db.SetSubscriptions(b)
	}
	if err != nil {
		x.mu.Unlock()
		return err
	}
	old, oldState := x.set.Version, x.state
	x.set = next
	if old > 0 && oldState != SubscriptionComplete && oldState != SubscriptionError {
		x.notifyLocked(old, SubscriptionSuperseded, nil)
	}
	x.setLocked(SubscriptionPending, nil)
	x.mu.Unlock()
	x.s.post(event{kind: evSubscribe})
	return nil
}

// setLocked moves the latest version to a state and tells its waiters and
// listeners.
func (x *Subscriptions) setLocked(st SubscriptionState, err error) {
	if x.state == st && st != SubscriptionPending {
		return
	}
	x.state, x.err = st, err
	switch st {
	case SubscriptionComplete:
		for _, w := range x.waiters {
			w <- nil
		}
		x.waiters = nil
	case SubscriptionError:
		for _, w := range x.waiters {
			w <- err
		}
		x.waiters = nil
	}
	x.notifyLocked(x.set.Version, st, err)
}

func (x *Subscriptions) notifyLocked(version uint64, st SubscriptionState, err error) {
	for _, fn := range x.listeners {
		x.s.deliveries.Enqueue(func() { fn(version, st, err) })
	}
}

// AddStateListener calls fn with every state change of any version of the
// set (a superseded version's too); the returned func removes it.
func (x *Subscriptions) AddStateListener(fn func(version uint64, state SubscriptionState, err error)) (remove func()) {
	x.mu.Lock()
	id := x.nextID
	x.nextID++
	x.listeners[id] = fn
	x.mu.Unlock()
	return func() {
		x.mu.Lock()
		delete(x.listeners, id)
		x.mu.Unlock()
	}
}

// WaitForSynchronization waits until the latest version of the set is
// complete (nil), in error (that error), or ctx ends (Timeout/Canceled).
// A version superseded while waited for hands the wait to the newer one.
// A closed session returns Closed.
func (x *Subscriptions) WaitForSynchronization(ctx context.Context) error {
	x.mu.Lock()
	switch x.state {
	case SubscriptionComplete:
		x.mu.Unlock()
		return nil
	case SubscriptionError:
		err := x.err
		x.mu.Unlock()
		return err
	}
	ch := make(chan error, 1)
	x.waiters = append(x.waiters, ch)
	x.mu.Unlock()
	select {
	case err := <-ch:
		return err
	case <-x.s.quit:
		return closedErr()
	case <-ctx.Done():
		return waitErr(ctx.Err())
	}
}

// WaitForSynchronizationTimeout is WaitForSynchronization with a timeout:
// false (no error) when it passes first. NoTimeout waits without a limit;
// 0 is InvalidArgument.
func (x *Subscriptions) WaitForSynchronizationTimeout(timeout time.Duration) (bool, error) {
	if timeout == 0 {
		return false, terror.New(terror.InvalidArgument, "the timeout must be positive (or NoTimeout: no limit)")
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	err := x.WaitForSynchronization(ctx)
	if terror.CodeOf(err) == terror.Timeout {
		return false, nil
	}
	return err == nil, err
}

// sendSubscriptions sends the latest set (run goroutine, after a bind or
// an Update). After a bind, what an earlier connection's cut-off Full
// bootstrap collected is dropped; after an Update it is not (the Full
// bootstrap under way goes on, under the newer version).
func (s *Session) sendSubscriptions(afterBind bool) {
	if s.subs == nil || !s.bound {
		return
	}
	x := s.subs
	x.mu.Lock()
	m := &protocol.Subscribe{Version: x.set.Version}
	for _, y := range x.set.Subs {
		m.Subscriptions = append(m.Subscriptions, protocol.Subscription{Name: y.Name, Class: y.Class, Filter: y.Filter, Args: y.ArgsData})
	}
	if afterBind {
		x.keep = nil
		m.Have, m.ViewGen = x.resumeLocked(s.boundSV)
	}
	x.mu.Unlock()
	s.conn.send(&protocol.Message{Type: protocol.TSubscribe, Session: s.sid, Subscribe: m})
}

// subscriptionDownload notes a bootstrap chunk of version v before it is
// applied: the first moves the set to bootstrapping; a Full bootstrap's
// objects are collected for its last chunk. It returns the objects to
// keep when d is a Full bootstrap's last chunk.
func (x *Subscriptions) subscriptionDownload(d *protocol.Download) []protocol.ObjectRef {
	defer x.s.deliveries.Drain()
	x.mu.Lock()
	defer x.mu.Unlock()
	if d.Query == x.set.Version && x.state == SubscriptionPending {
		x.setLocked(SubscriptionBootstrapping, nil)
	}
	if !d.Full {
		return nil
	}
	for _, o := range d.State {
		x.keep = append(x.keep, protocol.ObjectRef{Class: o.Class, Key: o.Key})
	}
	x.keep = append(x.keep, d.Kept...) // a resumed bootstrap's objects the database holds
	if d.More {
		return nil
	}
	keep := x.keep
	x.keep = nil
	if keep == nil {
		keep = []protocol.ObjectRef{}
	}
	return keep
}

// subscriptionApplied completes version v once its last chunk is applied
// (viewGen: the rules it was computed under, flex_resume.go; a review
// after a rules change completes it again under the new ones).
func (x *Subscriptions) subscriptionApplied(v, viewGen uint64) {
	defer x.s.deliveries.Drain()
	x.mu.Lock()
	defer x.mu.Unlock()
	if v != x.set.Version || (x.state == SubscriptionComplete && x.set.ViewGen == viewGen) {
		return
	}
	x.set.Completed, x.set.ViewGen = v, viewGen
	if b, err := json.Marshal(x.set); err == nil {
		x.s.db.SetSubscriptions(b) // best effort: an unrecorded completion only re-bootstraps
	}
	x.setLocked(SubscriptionComplete, nil)
}

// subscriptionRefused puts version v in error (the server refused it).
func (x *Subscriptions) subscriptionRefused(v uint64, err error) {
	defer x.s.deliveries.Drain()
	x.mu.Lock()
	defer x.mu.Unlock()
	if v == x.set.Version {
		x.setLocked(SubscriptionError, err)
	} else if v < x.set.Version {
		x.notifyLocked(v, SubscriptionError, err)
	}
}

// close answers the waiters when the session ends.
func (x *Subscriptions) close() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, w := range x.waiters {
		w <- closedErr()
	}
	x.waiters = nil
}

// refusedObjects decodes a CompensatingWrite's objects (a key that does
// not decode is reported as its bytes).
func refusedObjects(in []protocol.Refused) []RefusedObject {
	var out []RefusedObject
	for _, r := range in {
		var k any = r.Key
		if v, n, err := value.Decode(r.Key); err == nil && n == len(r.Key) {
			k = v
		}
		out = append(out, RefusedObject{Class: r.Class, Key: k, Reason: r.Reason})
	}
	return out
}
