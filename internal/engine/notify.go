package engine

import (
	"sort"
	"time"
)

// Change is what a listener receives after a commit that changed its
// class or query: the primary keys of the objects that entered the
// results (Inserted), changed while in them (Modified), or left them
// (Deleted: deleted, or no longer matching a query).
type Change struct {
	Class    string
	Inserted []any
	Modified []any
	Deleted  []any
	// Positions in the results as the query orders and limits them, for
	// listeners added with AddResultsListener (nil for AddListener), as
	// Realm's collection change sets give them to list UIs: Deletions and
	// OldModifications index the results before the commit, Insertions and
	// NewModifications the results after it, each ascending. Applying the
	// deletions (from the highest), then the insertions (from the lowest)
	// to the old list gives the new one; an object whose position changed
	// (a sort key changed) is a deletion plus an insertion.
	Deletions        []int
	Insertions       []int
	OldModifications []int
	NewModifications []int
}

func (c *Change) empty() bool {
	return len(c.Inserted) == 0 && len(c.Modified) == 0 && len(c.Deleted) == 0
}

// WaitForListeners returns true once every change listener has been
// called for every commit visible now, local or downloaded, or false if
// that did not happen within timeout (0: check without waiting). Commits
// become visible to readers on other threads just before their listeners
// run; call this between reading new data and checking what a listener
// recorded. Inside a listener it would wait for itself: it returns false
// after the timeout. A closed database gives Closed.
func (db *DB) WaitForListeners(timeout time.Duration) (bool, error) {
	leave, err := db.enter()
	if err != nil {
		return false, err
	}
	e := db.e
	leave() // not held while waiting: Close must not wait for a listener
	return e.notify.Wait(timeout), nil
}

func sortSlice(s []any, less func(a, b any) bool) {
	sort.Slice(s, func(i, j int) bool { return less(s[i], s[j]) })
}
