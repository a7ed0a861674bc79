package ops

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Lists of links: a list op's indexes count the elements a read shows,
// the links whose target is here (an unresolved link, to an object
// deleted or not downloaded yet, is kept but not seen). visible maps
// those indexes to the stored list's; without a Resolver (the server,
// which holds every object) every element is visible. listClear and a
// whole-list assignment act on the stored list: they remove unresolved
// links too, as realm-core's clear and assign do.

// Resolver reports whether the object class/key is here.
type Resolver func(class string, key any) bool

// visibleIndexes returns the stored indexes of the visible elements of a
// list of links to class, or nil when every element is visible.
func visibleIndexes(l *crdt.List, class string, here Resolver) []int {
	if here == nil {
		return nil
	}
	vals := l.Values()
	var vis []int
	hidden := false
	for i, v := range vals {
		if here(class, v) {
			vis = append(vis, i)
		} else {
			hidden = true
		}
	}
	if !hidden {
		return nil
	}
	if vis == nil {
		vis = []int{}
	}
	return vis
}

// applyVisible makes a list op's edit with its indexes counted over the
// visible elements vis (stored length n).
func applyVisible(w *crdt.ListWriter, a *ListArgs, vis []int, n int) error {
	m := len(vis)
	bad := func(op string, i int) error {
		return terror.New(terror.InvalidArgument, "%s at index %d of a list of %d elements", op, i, m)
	}
	switch a.Verb {
	case crdt.EditInsert:
		if a.Index < 0 || a.Index > m {
			return bad("listInsert", a.Index)
		}
		at := n
		if a.Index < m {
			at = vis[a.Index]
		}
		return w.Insert(at, a.Value)
	case crdt.EditSet, crdt.EditRemove:
		if a.Index < 0 || a.Index >= m {
			return bad(a.Verb.String(), a.Index)
		}
		if a.Verb == crdt.EditSet {
			return w.Set(vis[a.Index], a.Value)
		}
		return w.Remove(vis[a.Index])
	case crdt.EditMove:
		if a.From < 0 || a.From >= m || a.To < 0 || a.To >= m {
			return bad("listMove", max(a.From, a.To))
		}
		if a.From == a.To {
			return nil
		}
		from := vis[a.From]
		rest := make([]int, 0, m-1) // the visible elements but the moved one, stored indexes after its removal
		for _, i := range vis {
			switch {
			case i < from:
				rest = append(rest, i)
			case i > from:
				rest = append(rest, i-1)
			}
		}
		to := rest[len(rest)-1] + 1 // after the last visible element
		if a.To < len(rest) {
			to = rest[a.To] // before the one now at that index
		}
		return w.Move(from, to)
	}
	return apply(w, a)
}

// linkListTarget is the target class of c's property name when it is a
// list of links, else "".
func linkListTarget(c *schema.Class, name string) string {
	if p := c.Property(name); p != nil && p.IsLinkList() {
		return p.Link
	}
	return ""
}
