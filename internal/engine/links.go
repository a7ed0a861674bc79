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
	obj, err := toObject(l.e.layout(c), raw)
	if err != nil {
		return nil
	}
	l.resolve(c, obj)
	return obj
}

// Sources returns the primary keys of the objects of class whose link
// property points at key, in primary key order, from the link's index.
func (l linker) Sources(class, property string, key any) []any {
	c := l.e.schema.Class(class)
	if c == nil || key == nil {
		return nil
	}
	p := c.Property(property)
	lay := l.e.layout(c)
	slot, ok := lay.slot[property]
	if p == nil || !p.IsLink() || !ok || !l.e.indexes[indexName(c.Name, property)] {
		return nil
	}
	want := string(appendIndexKey(nil, key))
	var out []any
	l.tx.AscendGreaterOrEqual(indexName(c.Name, property), pivot(slot, want), func(_, v string) bool {
		if indexKey(v, slot) != want {
			return false
		}
		if obj, err := toObject(lay, v); err == nil {
			out = append(out, obj[c.PrimaryKey])
		}
		return true
	})
	return out
}

// Count returns how many objects link to the object class/key through any
// link of the schema (@links.@count).
func (l linker) Count(class string, key any) int {
	n := 0
	for _, c := range l.e.schema.Classes {
		for _, p := range c.Properties {
			if p.Link == class {
				n += len(l.Sources(c.Name, p.Name, key))
			}
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
		case p.Type == schema.Mixed:
			obj[p.Name] = l.resolveMixed(v)
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
	keys, ok := cq.linkCandidates(tx, e, 0)
	if !ok {
		return false
	}
	for _, k := range keys {
		ok := objectKey(cq.class.Name, k)
		if v, err := tx.Get(ok); err == nil && !visit(ok, v) {
			break
		}
	}
	return true
}

// maxLinkHops bounds how many links a plan follows.
const maxLinkHops = 8

// linkCandidates returns the primary keys of cq's class that the filter's
// link conjunct allows.
func (cq *compiled) linkCandidates(tx *buntdb.Tx, e *engine, depth int) ([]any, bool) {
	if cq.pred == nil || depth > maxLinkHops {
		return nil, false
	}
	prop, class, target, ok := cq.pred.LinkPlan()
	if !ok {
		return nil, false
	}
	tc := e.schema.Class(class)
	if tc == nil {
		return nil, false
	}
	tq := &compiled{class: tc, layout: e.layout(tc), pred: target, limit: -1, links: true}
	var tkeys []any
	visit := func(_, v string) bool {
		obj, err := toObject(tq.layout, v)
		if err == nil && tq.matchLinked(tx, e, obj) {
			tkeys = append(tkeys, obj[tc.PrimaryKey])
		}
		return true
	}
	if !tq.scanIndexOnly(tx, e, visit) {
		inner, ok := tq.linkCandidates(tx, e, depth+1)
		if !ok {
			return nil, false
		}
		for _, k := range inner {
			if v, err := tx.Get(objectKey(tc.Name, k)); err == nil {
				visit("", v)
			}
		}
	}
	lk := linker{e, tx}
	var out []any
	for _, tk := range tkeys {
		out = append(out, lk.Sources(cq.class.Name, prop, tk)...)
	}
	return out, true
}
