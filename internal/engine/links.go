package engine

import (
	"errors"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// Links and backlinks. A to-one link is stored as its target's primary
// key and indexed like any indexed property: that index, ordered by target
// key, is the backlink index (class, property, target key -> sources), and
// buntdb keeps it in the commit that writes the link. A link whose target
// is absent (deleted, or not downloaded yet) stays stored and reads as
// null, so it resolves again when the target comes back; deleting a target
// never touches the objects that link to it.

// linker resolves links inside one read transaction (query.Linker).
type linker struct {
	e  *engine
	tx *buntdb.Tx
}

// Object returns the object of class with primary key key as it reads
// (its own links resolved), or nil when there is none here.
func (l linker) Object(class string, key any) map[string]any {
	c := l.e.schema.Class(class)
	if c == nil || key == nil {
		return nil
	}
	raw, err := l.tx.Get(objectKey(c.Name, key))
	if err != nil {
		return nil
	}
	lay := l.e.layout(c)
	obj, err := toObject(lay, raw)
	if err != nil {
		return nil
	}
	if lay.links {
		l.resolve(c, obj)
	}
	return obj
}

// Sources returns the primary keys of the objects of class whose link
// property points at key, in primary key order, from the link's index.
// Through a list of links, a source is there once per link it holds to
// key (as realm-core keeps one backlink per link).
func (l linker) Sources(class, property string, key any) []any {
	var out []any
	if schema.IsPath(property) { // a link inside embedded objects (links_embedded.go)
		return l.embeddedSources(l.e.schema.Class(class), property, key)
	}
	if c := l.e.schema.Class(class); c != nil {
		if p := c.Property(property); p != nil && p.HoldsManyLinks() {
			l.linkSources(c.Name, p.Name, key, func(src any, n int) bool {
				for ; n > 0; n-- {
					out = append(out, src)
				}
				return true
			})
			return out
		}
	}
	l.eachSource(class, property, key, func(k, _ string) bool {
		out = append(out, pkFromKey(k))
		return true
	})
	return out
}

// eachSource calls fn with the object key and stored value of each object
// of class whose link property points at key, until fn returns false.
func (l linker) eachSource(class, property string, key any, fn func(k, v string) bool) {
	c := l.e.schema.Class(class)
	if c == nil || key == nil {
		return
	}
	p := c.Property(property)
	slot, ok := l.e.layout(c).slot[property]
	if p == nil || !p.IsLink() || !ok || !l.e.indexes[indexName(c.Name, property)] {
		return
	}
	want := string(appendIndexKey(nil, key))
	l.tx.AscendGreaterOrEqual(indexName(c.Name, property), pivot(slot, want), func(k, v string) bool {
		return indexKey(v, slot) == want && fn(k, v)
	})
}

// Count returns how many objects link to the object class/key through any
// link of the schema (@links.@count).
func (l linker) Count(class string, key any) int {
	n := 0
	for _, c := range l.e.schema.Classes {
		for _, p := range c.Properties {
			if p.LinksTo(class) {
				n += len(l.Sources(c.Name, p.Name, key))
			}
		}
		for _, path := range c.EmbeddedLinkPaths(class) {
			n += len(l.Sources(c.Name, path, key))
		}
	}
	return n
}

// exists reports whether the object class/key is here.
func (l linker) exists(class string, key any) bool {
	_, err := l.tx.Get(objectKey(class, key))
	return !errors.Is(err, buntdb.ErrNotFound) && err == nil
}

// resolve turns every link of obj whose target is absent into null (links
// in mixed properties too); the stored object keeps them.
func (l linker) resolve(c *schema.Class, obj map[string]any) {
	for _, p := range c.Properties {
		v := obj[p.Name]
		if v == nil {
			continue
		}
		switch {
		case p.IsLink():
			if !l.exists(p.Link, v) {
				obj[p.Name] = nil
			}
		case p.IsLinkList(), p.IsLinkSet():
			obj[p.Name] = l.resolveList(p.Link, v)
		case p.IsLinkDict():
			obj[p.Name] = l.resolveDict(p.Link, v)
		case p.Type == schema.Mixed:
			obj[p.Name] = l.resolveMixed(v)
		case p.Embedded != nil && p.Embedded.HasLinks():
			obj[p.Name] = l.resolveEmbedded(p.Embedded, v) // links_embedded.go
		}
	}
}

func (l linker) resolveMixed(v any) any {
	switch x := v.(type) {
	case value.Link:
		if l.e.schema.Class(x.Class) == nil || !l.exists(x.Class, x.Key) {
			return nil
		}
	case []any:
		var out []any // a list of mixed: copied only when a link in it dangles
		for i, e := range x {
			if r := l.resolveMixed(e); r == nil && e != nil && out == nil {
				out = append([]any(nil), x...)
				out[i] = nil
			} else if out != nil {
				out[i] = r
			}
		}
		if out != nil {
			return out
		}
	}
	return v
}

// matchLinked matches obj against cq with its links resolved in tx (a
// dangling link reads as null, and link paths reach other objects).
func (cq *compiled) matchLinked(tx *buntdb.Tx, e *engine, obj Object) bool {
	if !cq.links && !cq.pred.Linked() {
		return cq.match(obj)
	}
	lk := linker{e, tx}
	if cq.links {
		lk.resolve(cq.class, obj)
	}
	return cq.pred == nil || cq.pred.MatchLinked(obj, lk)
}

// scanLinks visits the candidates of a filter through a to-one link whose
// target test an index (or another link) answers: the matching targets,
// then the objects linking to them through the backlink index. It reports
// whether it could.
func (cq *compiled) scanLinks(tx *buntdb.Tx, e *engine, visit func(k, v string) bool) bool {
	return cq.linkCandidates(tx, e, 0, visit)
}

// maxLinkHops bounds how many links a plan follows.
const maxLinkHops = 8

// linkCandidates visits the objects of cq's class that the filter's link
// conjunct allows, and reports whether it could.
func (cq *compiled) linkCandidates(tx *buntdb.Tx, e *engine, depth int, visit func(k, v string) bool) bool {
	if cq.pred == nil || depth > maxLinkHops {
		return false
	}
	prop, class, target, ok := cq.pred.LinkPlan()
	if !ok {
		return cq.listLinkCandidates(tx, e, depth, visit)
	}
	tc := e.schema.Class(class)
	if tc == nil {
		return false
	}
	tl := e.layout(tc)
	tq := &compiled{class: tc, layout: tl, pred: target, limit: -1, links: tl.links}
	lk := linker{e, tx}
	more := true
	visitTarget := func(k, v string) bool {
		obj, err := toObject(tq.layout, v)
		if err == nil && tq.matchLinked(tx, e, obj) {
			lk.eachSource(cq.class.Name, prop, obj[tc.PrimaryKey], func(k, v string) bool {
				more = visit(k, v)
				return more
			})
		}
		return more
	}
	return tq.scanIndexOnly(tx, e, visitTarget) || tq.linkCandidates(tx, e, depth+1, visitTarget)
}
