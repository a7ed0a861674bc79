package engine

import (
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"
)

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
	e.listenMu.Lock()
	listening := len(e.listeners) > 0 // the tracker may be only for counts
	e.listenMu.Unlock()
	if !listening {
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
		byClass := map[string][]*touched{}
		for _, t := range frontier {
			byClass[t.class] = append(byClass[t.class], t)
		}
		total, _ := tx.Len()
		for class, ts := range byClass {
			for _, o := range owners[class] {
				if len(ts)*scanRatio > total {
					e.scanOwners(lk, o, ts, note)
					continue
				}
				for _, t := range ts {
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
		}
		frontier = next
	}
}

// scanRatio: when the changed targets of one class are more than the
// database's items over scanRatio (a bulk insert, a bootstrap), one pass
// over an owner property's backlink index costs less than a lookup per
// target (measured: BenchmarkListenedInsertOfLinkTargets). A variable for
// the tests, which run both ways (0: never scan).
var scanRatio = 32

// scanOwners notes the sources of o that link to any of ts, in one pass
// over o's backlink index.
func (e *engine) scanOwners(lk linker, o linkOwner, ts []*touched, note func(class, k string)) {
	if o.many {
		want := make(map[string]bool, len(ts))
		for _, t := range ts {
			if pkEncodable(t.key) {
				want[encodePK(t.key)] = true
			}
		}
		prefix := linkIndexPrefix + o.class + ":" + o.prop + ":"
		lk.tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			rest := k[len(prefix):]
			if len(rest) < 4 {
				return true
			}
			n, err := strconv.ParseUint(rest[:4], 16, 16)
			if err != nil || len(rest) < 4+int(n) {
				return true
			}
			if want[rest[4:4+n]] {
				note(o.class, classPrefix(o.class)+rest[4+n:])
			}
			return true
		})
		return
	}
	c := e.schema.Class(o.class)
	if c == nil {
		return
	}
	slot, ok := e.layout(c).slot[o.prop]
	if !ok || !e.indexes[indexName(c.Name, o.prop)] {
		return
	}
	want := make(map[string]bool, len(ts))
	for _, t := range ts {
		want[string(appendIndexKey(nil, t.key))] = true
	}
	lk.tx.Ascend(indexName(c.Name, o.prop), func(k, v string) bool {
		if want[indexKey(v, slot)] {
			note(o.class, k)
		}
		return true
	})
}
