package store

import (
	"github.com/tidwall/buntdb"
)

// listener is a registered change callback on a class or a query.
type listener struct {
	owner *DB
	cq    *compiled
	fn    func(Change)
}

// ListenerToken identifies a listener for RemoveListener.
type ListenerToken struct{ l *listener }

// AddListener calls fn after every commit (local or downloaded) that
// inserts, modifies or deletes objects of q.Class matching q.Filter. Sort
// and limit are ignored: a change is about which objects, not their order.
// fn runs on the committing goroutine after the commit, outside every
// lock: it may read, write (its own change is delivered after it returns)
// or close the database.
func (db *DB) AddListener(q Query, fn func(Change)) (ListenerToken, error) {
	leave, err := db.enter()
	if err != nil {
		return ListenerToken{}, err
	}
	defer leave()
	q.Sort, q.Limit = "", 0
	cq, err := compileQuery(db.e, q)
	if err != nil {
		return ListenerToken{}, err
	}
	l := &listener{owner: db, cq: cq, fn: fn}
	db.mu.Lock()
	db.owned = append(db.owned, l)
	db.mu.Unlock()
	db.e.listenMu.Lock()
	db.e.listeners = append(db.e.listeners, l)
	db.e.listenMu.Unlock()
	return ListenerToken{l}, nil
}

// RemoveListener stops a listener; removing it twice is harmless.
func (db *DB) RemoveListener(t ListenerToken) {
	db.e.removeListener(t.l)
	db.mu.Lock()
	for i, l := range db.owned {
		if l == t.l {
			db.owned = append(db.owned[:i], db.owned[i+1:]...)
			break
		}
	}
	db.mu.Unlock()
}

func (e *engine) removeListener(l *listener) {
	e.listenMu.Lock()
	defer e.listenMu.Unlock()
	for i, x := range e.listeners {
		if x == l {
			e.listeners = append(e.listeners[:i:i], e.listeners[i+1:]...)
			return
		}
	}
}

// trackerFor returns a tracker when some listener needs the before-state
// of the objects a transaction touches, else nil (no tracking cost).
func (e *engine) trackerFor() tracker {
	e.listenMu.Lock()
	defer e.listenMu.Unlock()
	if len(e.listeners) == 0 {
		return nil
	}
	return tracker{}
}

// changesFor computes, inside the write transaction, what each listener
// will be told once it commits.
func (e *engine) changesFor(tx *buntdb.Tx, tr tracker) []func() {
	if len(tr) == 0 {
		return nil
	}
	e.listenMu.Lock()
	ls := append([]*listener(nil), e.listeners...)
	e.listenMu.Unlock()
	var out []func()
	for _, l := range ls {
		ch := Change{Class: l.cq.class.Name}
		for objKey, t := range tr {
			if t.class != ch.Class {
				continue
			}
			after, _ := tx.Get(objKey)
			if after == t.before {
				continue
			}
			was, is := l.matches(t.before), l.matches(after)
			switch {
			case !was && is:
				ch.Inserted = append(ch.Inserted, t.key)
			case was && !is:
				ch.Deleted = append(ch.Deleted, t.key)
			case was && is:
				ch.Modified = append(ch.Modified, t.key)
			}
		}
		if !ch.empty() {
			sortKeys(ch.Inserted)
			sortKeys(ch.Modified)
			sortKeys(ch.Deleted)
			fn, ch := l.fn, ch
			out = append(out, func() { fn(ch) })
		}
	}
	return out
}

func (l *listener) matches(raw string) bool {
	if raw == "" {
		return false
	}
	if l.cq.pred == nil {
		return true
	}
	obj, err := toObject(l.cq.layout, raw)
	return err == nil && l.cq.pred.Match(obj)
}

// sortKeys puts keys in primary key order, so events are deterministic.
func sortKeys(keys []any) {
	if len(keys) < 2 {
		return
	}
	enc := make(map[any]string, len(keys))
	for _, k := range keys {
		enc[k] = encodePK(k)
	}
	sortSlice(keys, func(a, b any) bool { return enc[a] < enc[b] })
}
