package main

import (
	"sync"
	"time"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/boundary"
)

// event is one callback delivery, as the protocol reports it: the SPEC
// event fields plus "type".
type event map[string]any

// eventLog collects what the binding's callbacks deliver until the runner
// fetches it. Callbacks may run on other goroutines (sync will deliver
// from its own), hence the lock.
type eventLog struct {
	mu     sync.Mutex
	events []event
}

func (l *eventLog) add(e event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// take returns the events since the last take and forgets them.
func (l *eventLog) take() []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	if out == nil {
		out = []event{}
	}
	return out
}

// changeEvent renders a store change with internal/boundary's JSON form.
func changeEvent(c store.Change) event {
	cj := boundary.ChangeToJSON(c)
	return event{"type": "change", "class": cj.Class, "inserted": cj.Inserted,
		"modified": cj.Modified, "deleted": cj.Deleted}
}

// listenerWait bounds how long "events" waits for listeners to catch up.
const listenerWait = 5 * time.Second

// waitForListeners makes "events" report every event visible now: what a
// query or state poll just saw has reached the callbacks (a downloaded
// commit is visible a moment before its listeners run). A closed or
// absent handle has nothing pending.
func (d *driver) waitForListeners() {
	if d.db != nil && !d.db.IsClosed() {
		d.db.WaitForListeners(listenerWait)
	}
	if d.sess != nil {
		d.sess.WaitForListeners(listenerWait)
	}
}
