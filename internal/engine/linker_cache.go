package engine

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/value"
)

// A query that reads other objects (link paths, aggregates over lists of
// links, SUBQUERY) meets the same targets again and again: 100,000 Tasks
// watched by 10,000 Users decode every User twenty times. cachingLinker
// keeps the objects one query run has decoded, so each is read and
// decoded once per run. It lives for one run inside one transaction, so
// it never sees a write; the objects it hands out are read-only to the
// predicate (query nodes never modify what they match).

// maxCachedLinks bounds a run's cache; past it objects are decoded again.
const maxCachedLinks = 1 << 17

// classCache holds one class's objects by primary key, in a map of the
// key's own type (an interface-keyed map hashes and compares slower).
type classCache struct {
	str   map[string]map[string]any
	i64   map[int64]map[string]any
	other map[any]map[string]any // ObjectID, UUID
}

type cachingLinker struct {
	linker
	classes map[string]*classCache
	n       int
}

func newCachingLinker(e *engine, tx *buntdb.Tx) *cachingLinker {
	return &cachingLinker{linker: linker{e, tx}, classes: map[string]*classCache{}}
}

func (l *cachingLinker) Object(class string, key any) map[string]any {
	cc := l.classes[class]
	if cc == nil {
		cc = &classCache{}
		l.classes[class] = cc
	}
	switch k := key.(type) {
	case string:
		if o, ok := cc.str[k]; ok {
			return o
		}
	case int64:
		if o, ok := cc.i64[k]; ok {
			return o
		}
	case value.ObjectID, value.UUID:
		if o, ok := cc.other[k]; ok {
			return o
		}
	default:
		return nil // not a primary key value: no object has it
	}
	o := l.linker.Object(class, key)
	if l.n >= maxCachedLinks {
		return o
	}
	l.n++
	switch k := key.(type) {
	case string:
		if cc.str == nil {
			cc.str = map[string]map[string]any{}
		}
		cc.str[k] = o
	case int64:
		if cc.i64 == nil {
			cc.i64 = map[int64]map[string]any{}
		}
		cc.i64[k] = o
	default:
		if cc.other == nil {
			cc.other = map[any]map[string]any{}
		}
		cc.other[key] = o
	}
	return o
}

// matchCached is matchLinked with lk's cache for the targets the
// predicate reaches (nil lk: a fresh linker, as matchLinked).
func (cq *compiled) matchCached(tx *buntdb.Tx, e *engine, obj Object, lk *cachingLinker) bool {
	if lk == nil || !cq.pred.Linked() {
		return cq.matchLinked(tx, e, obj)
	}
	if cq.links {
		lk.resolve(cq.class, obj)
	}
	return cq.pred.MatchLinked(obj, lk)
}
