package engine

import "github.com/tidwall/buntdb"

// Deep change notifications, as Realm's: a listener on a class (or a
// query, sorted or not) reports an object modified when an object it
// reaches through its links changed in the transaction: a field of the
// target, or the target coming or going (which changes what the link
// reads). Realm follows forward links only (to-one, lists, dictionaries
// and sets of links; not linkingObjects) up to a depth of four
// (realm-core's DeepChangeChecker; Realm's docs: "changes in nested
// documents deeper than four levels down do not trigger change
// notifications"). Links held in mixed properties are not followed: the
// store keeps no backlink index for them. The results of such a listener
// are recomputed (listen_links.go, nextKeys), so a filter or sort on a
// link path sees the target's new values.

// maxNotifyDepth is how many links a change is followed back through.
const maxNotifyDepth = 4

// linkOwner is a property of class that links to some class: to one
// object, or to many (a list, dictionary or set of links).
type linkOwner struct {
	class, prop string
	many        bool
}

// linkOwners maps each class that links point at to the properties that
// point at it.
func (e *engine) linkOwners() map[string][]linkOwner {
	var out map[string][]linkOwner
	for _, c := range e.schema.Classes {
		for _, p := range c.Properties {
			if p.Link == "" || p.IsEmbedded() || !(p.IsLink() || p.HoldsManyLinks()) {
				continue
			}
			if out == nil {
				out = map[string][]linkOwner{}
			}
			out[p.Link] = append(out[p.Link], linkOwner{c.Name, p.Name, p.HoldsManyLinks()})
		}
	}
	return out
}

// noteLinkOwners adds to tr, marked linked, the objects that reach an
// object the transaction changed through at most maxNotifyDepth links, so
// that listeners report them modified.
func (e *engine) noteLinkOwners(tx *buntdb.Tx, tr tracker) {
	if len(tr) == 0 || e.schema == nil {
		return
	}
	owners := e.linkOwners()
	if owners == nil {
		return
	}
	var frontier []*touched
	for objKey, t := range tr {
		if t.linked || len(owners[t.class]) == 0 {
			continue
		}
		if after, _ := tx.Get(objKey); after != t.before {
			frontier = append(frontier, t)
		}
	}
	lk := linker{e, tx}
	for depth := 1; depth <= maxNotifyDepth && len(frontier) > 0; depth++ {
		var next []*touched
		note := func(class, k string) {
			if t, seen := tr[k]; seen {
				if after, _ := tx.Get(k); !t.linked && after == t.before {
					t.linked = true // noted by the transaction, but unchanged
					next = append(next, t)
				}
				return
			}
			if raw, err := tx.Get(k); err == nil {
				t := &touched{class: class, key: pkFromKey(k), before: raw, linked: true}
				tr[k] = t
				next = append(next, t)
			}
		}
		for _, t := range frontier {
			for _, o := range owners[t.class] {
				if o.many {
					lk.linkSourcesEncoded(o.class, o.prop, t.key, func(src string, _ int) bool {
						note(o.class, classPrefix(o.class)+src)
						return true
					})
					continue
				}
				lk.eachSource(o.class, o.prop, t.key, func(k, _ string) bool {
					note(o.class, k)
					return true
				})
			}
		}
		frontier = next
	}
}
