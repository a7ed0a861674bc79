package engine

import (
	"sort"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/terror"
)

// listener is a registered change callback on a class or a query.
type listener struct {
	owner *DB
	cq    *compiled
	fn    func(Change)
	// Ordered listeners (AddResultsListener): the query with its sort and
	// limit, and the object keys of its results at the last commit (read
	// and written under buntdb's write lock only).
	ordered *compiled
	keys    []string
	// matched: the object keys of the results at the last commit, for a
	// query that reads other objects (listen_links.go); nil otherwise.
	matched map[string]bool
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
	if cq.rerunsQuery() {
		// Registered under the write lock, as AddResultsListener is.
		btx, err := db.e.bunt.Begin(true)
		if err != nil {
			return ListenerToken{}, terror.Wrap(terror.IO, err, "begin a transaction")
		}
		defer btx.Rollback()
		if err := l.startMatched(btx, db.e); err != nil {
			return ListenerToken{}, err
		}
	}
	return db.register(l), nil
}

// AddResultsListener is AddListener for a list on screen: the query keeps
// its sort and limit, and every Change also carries the positions of the
// objects inserted, deleted and modified in the results before and after
// the commit (Change.Insertions, ...). Keeping them costs a run of the
// query per commit that changes its results.
func (db *DB) AddResultsListener(q Query, fn func(Change)) (ListenerToken, error) {
	leave, err := db.enter()
	if err != nil {
		return ListenerToken{}, err
	}
	defer leave()
	ordered, err := compileQuery(db.e, q)
	if err != nil {
		return ListenerToken{}, err
	}
	q.Sort, q.Limit = "", 0
	cq, err := compileQuery(db.e, q)
	if err != nil {
		return ListenerToken{}, err
	}
	l := &listener{owner: db, cq: cq, fn: fn, ordered: ordered}
	// Under the write lock, so that no commit falls between the results
	// it starts from and its registration.
	btx, err := db.e.bunt.Begin(true)
	if err != nil {
		return ListenerToken{}, terror.Wrap(terror.IO, err, "begin a transaction")
	}
	defer btx.Rollback()
	if _, l.keys, err = ordered.runKeyed(btx, db.e, true); err != nil {
		return ListenerToken{}, err
	}
	if cq.rerunsQuery() {
		if err := l.startMatched(btx, db.e); err != nil {
			return ListenerToken{}, err
		}
	}
	return db.register(l), nil
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
	listening := len(e.listeners) > 0
	e.listenMu.Unlock()
	if !listening && !e.counting() {
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
		if l.matched != nil {
			if f := l.rerunChanges(tx, e, tr); f != nil {
				out = append(out, f)
			}
			continue
		}
		ch := Change{Class: l.cq.class.Name}
		// Object keys, for ordered listeners.
		var modified, left map[string]bool
		var entered []string
		for objKey, t := range tr {
			if t.class != ch.Class {
				continue
			}
			after, _ := tx.Get(objKey)
			if after == t.before && !t.linked {
				continue
			}
			was, is := l.matches(tx, e, t.before), l.matches(tx, e, after)
			switch {
			case !was && is:
				ch.Inserted = append(ch.Inserted, t.key)
				entered = append(entered, objKey)
			case was && !is:
				ch.Deleted = append(ch.Deleted, t.key)
				if left == nil {
					left = map[string]bool{}
				}
				left[objKey] = true
			case was && is:
				ch.Modified = append(ch.Modified, t.key)
				if l.ordered != nil {
					if modified == nil {
						modified = map[string]bool{}
					}
					modified[objKey] = true
				}
			}
		}
		if !ch.empty() {
			out = append(out, l.deliver(tx, e, ch, entered, left, modified))
		}
	}
	return out
}

// Link paths in the filter read the linked objects as tx holds them, for
// the before state too.
func (l *listener) matches(tx *buntdb.Tx, e *engine, raw string) bool {
	if raw == "" {
		return false
	}
	if l.cq.pred == nil {
		return true
	}
	obj, err := toObject(l.cq.layout, raw)
	return err == nil && l.cq.matchLinked(tx, e, obj)
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

// nextKeys is an ordered listener's results after a commit. In primary
// key order without a limit (no sort) they follow from the change alone:
// the keys before, less those that left, merged with those that entered,
// without reading an object. Otherwise the query runs again (a sort
// needs the objects' values; a limit, the objects past it).
func (l *listener) nextKeys(tx *buntdb.Tx, e *engine, entered []string, left map[string]bool) ([]string, error) {
	if len(l.ordered.sort) > 0 || l.ordered.limit >= 0 || l.ordered.ordered != nil {
		_, keys, err := l.ordered.runKeyed(tx, e, true)
		return keys, err
	}
	sort.Strings(entered)
	out := make([]string, 0, len(l.keys)+len(entered))
	i := 0
	for _, k := range l.keys {
		if left[k] {
			continue
		}
		for i < len(entered) && entered[i] < k {
			out = append(out, entered[i])
			i++
		}
		out = append(out, k)
	}
	return append(out, entered[i:]...), nil
}

// diffPositions compares a result list before and after a commit (object
// keys in order): the old positions of the objects that left it, the new
// positions of those that entered, and the old and new positions of the
// modified ones that stayed in place. Objects present in both keep their
// relative order along a longest increasing subsequence of their old
// positions; any other one moved, and is reported as deleted and inserted.
func diffPositions(old, cur []string, modified map[string]bool) (del, ins, oldMod, newMod []int) {
	del, ins, oldMod, newMod = []int{}, []int{}, []int{}, []int{}
	oldPos := make(map[string]int, len(old))
	for i, k := range old {
		oldPos[k] = i
	}
	// For the objects in both lists, in the new order: their old position.
	var both []int // new positions
	var seq []int  // their old positions
	for j, k := range cur {
		if i, ok := oldPos[k]; ok {
			both = append(both, j)
			seq = append(seq, i)
		}
	}
	stays := longestIncreasing(seq)
	kept := make(map[string]bool, len(stays))
	for _, x := range stays {
		kept[cur[both[x]]] = true
	}
	for i, k := range old {
		if !kept[k] {
			del = append(del, i)
		}
	}
	for j, k := range cur {
		switch {
		case !kept[k]:
			ins = append(ins, j)
		case modified[k]:
			oldMod = append(oldMod, oldPos[k])
			newMod = append(newMod, j)
		}
	}
	return del, ins, oldMod, newMod
}

// longestIncreasing returns the indexes into seq of one longest strictly
// increasing subsequence (patience sorting, O(n log n)).
func longestIncreasing(seq []int) []int {
	tails := []int{} // tails[l]: index of the smallest tail of a run of length l+1
	prev := make([]int, len(seq))
	for i, v := range seq {
		l := sort.Search(len(tails), func(k int) bool { return seq[tails[k]] >= v })
		if l > 0 {
			prev[i] = tails[l-1]
		} else {
			prev[i] = -1
		}
		if l == len(tails) {
			tails = append(tails, i)
		} else {
			tails[l] = i
		}
	}
	out := make([]int, len(tails))
	for k, i := len(tails)-1, -1; k >= 0; k-- {
		if k == len(tails)-1 {
			i = tails[k]
		}
		out[k] = i
		i = prev[i]
	}
	return out
}

// register makes l one of db's listeners (closed with db) and the engine's
// (called after each commit).
func (db *DB) register(l *listener) ListenerToken {
	db.mu.Lock()
	db.owned = append(db.owned, l)
	db.mu.Unlock()
	db.e.listenMu.Lock()
	db.e.listeners = append(db.e.listeners, l)
	db.e.listenMu.Unlock()
	return ListenerToken{l}
}

// deliver completes a non-empty change (positions for an ordered listener,
// keys sorted) and returns the call that hands it to the listener.
func (l *listener) deliver(tx *buntdb.Tx, e *engine, ch Change, entered []string, left, modified map[string]bool) func() {
	if l.ordered != nil {
		if keys, err := l.nextKeys(tx, e, entered, left); err == nil {
			ch.Deletions, ch.Insertions, ch.OldModifications, ch.NewModifications = diffPositions(l.keys, keys, modified)
			l.keys = keys
		}
	}
	sortKeys(ch.Inserted)
	sortKeys(ch.Modified)
	sortKeys(ch.Deleted)
	fn := l.fn
	return func() { fn(ch) }
}
