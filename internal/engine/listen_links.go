package engine

import (
	"github.com/tidwall/buntdb"
)

// Listeners whose filter reads other objects (link paths, backlinks, or a
// link that reads null once its target goes) cannot tell from the objects
// a commit touched whether an object entered or left the results: renaming
// a User moves Tasks in or out of "assignee.name == 'x'". Such a listener
// keeps the object keys of its results and, after every commit, runs its
// query again and reports the difference.

// rerunsQuery reports whether cq's results may change with other objects.
func (cq *compiled) rerunsQuery() bool {
	if cq.pred == nil {
		return false
	}
	if cq.pred.Linked() {
		return true
	}
	for _, p := range cq.class.Properties {
		if p.Link != "" { // a link or a list of links reads what its targets are
			return true
		}
	}
	return false
}

// startMatched records the results l starts from, inside tx (a write
// transaction, so that no commit falls between them and its registration).
func (l *listener) startMatched(tx *buntdb.Tx, e *engine) error {
	_, keys, err := l.cq.runKeyed(tx, e, true)
	if err != nil {
		return err
	}
	l.matched = make(map[string]bool, len(keys))
	for _, k := range keys {
		l.matched[k] = true
	}
	return nil
}

// rerunChanges is what l is told about a commit, by running its query
// again: inserted and deleted from the results' difference, modified the
// objects of its class the commit changed that stay in them.
func (l *listener) rerunChanges(tx *buntdb.Tx, e *engine, tr tracker) func() {
	_, keys, err := l.cq.runKeyed(tx, e, true)
	if err != nil {
		return nil
	}
	now := make(map[string]bool, len(keys))
	ch := Change{Class: l.cq.class.Name}
	var entered []string
	var left, modified map[string]bool
	for _, k := range keys {
		now[k] = true
		if !l.matched[k] {
			ch.Inserted = append(ch.Inserted, pkFromKey(k))
			entered = append(entered, k)
		}
	}
	for k := range l.matched {
		if !now[k] {
			ch.Deleted = append(ch.Deleted, pkFromKey(k))
			if left == nil {
				left = map[string]bool{}
			}
			left[k] = true
		}
	}
	for objKey, t := range tr {
		if t.class != ch.Class || !l.matched[objKey] || !now[objKey] {
			continue
		}
		if after, _ := tx.Get(objKey); after != t.before || t.linked {
			ch.Modified = append(ch.Modified, t.key)
			if modified == nil {
				modified = map[string]bool{}
			}
			modified[objKey] = true
		}
	}
	l.matched = now
	if ch.empty() {
		return nil
	}
	return l.deliver(tx, e, ch, entered, left, modified)
}
