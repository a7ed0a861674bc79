package store

import "time"

// AddListener calls fn after every commit (local or downloaded) that
// inserts, modifies or deletes objects of q.Class matching q.Filter. Sort
// and limit are ignored: a change is about which objects, not their order.
// fn runs on the committing goroutine after the commit, outside every
// lock: it may read, write (its own change is delivered after it returns)
// or close the database.
func (db *DB) AddListener(q Query, fn func(Change)) (ListenerToken, error) {
	return db.eng().AddListener(q, fn)
}

// AddResultsListener is AddListener for a list on screen: the query keeps
// its sort and limit, and every Change also carries the positions of the
// objects inserted, deleted and modified in the results before and after
// the commit (Change.Insertions, ...). Keeping them costs a run of the
// query per commit that changes its results.
func (db *DB) AddResultsListener(q Query, fn func(Change)) (ListenerToken, error) {
	return db.eng().AddResultsListener(q, fn)
}

// RemoveListener stops a listener; removing it twice is harmless.
func (db *DB) RemoveListener(t ListenerToken) { db.eng().RemoveListener(t) }

// WaitForListeners returns true once every change listener has been
// called for every commit visible now, local or downloaded, or false if
// that did not happen within timeout (0: check without waiting). Commits
// become visible to readers on other threads just before their listeners
// run; call this between reading new data and checking what a listener
// recorded. Inside a listener it would wait for itself: it returns false
// after the timeout. A closed database gives Closed.
func (db *DB) WaitForListeners(timeout time.Duration) (bool, error) {
	return db.eng().WaitForListeners(timeout)
}
