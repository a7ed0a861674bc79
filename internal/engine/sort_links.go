package engine

import (
	"sort"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/schema"
)

// sortLinked sorts objects (and their keys) by sort keys some of which
// follow to-one links: each object's values are read once, through the
// links as they resolve in tx, then compared.
func sortLinked(tx *buntdb.Tx, e *engine, cls *schema.Class, keys []query.SortKey, objKeys []string, objs []Object) {
	lk := linker{e, tx}
	s := byValues{keys: keys, objKeys: objKeys, objs: objs, vals: make([][]any, len(objs))}
	for i, o := range objs {
		s.vals[i] = query.SortValues(keys, e.schema, cls, o, lk)
	}
	sort.Stable(s)
}

type byValues struct {
	keys    []query.SortKey
	objKeys []string
	objs    []Object
	vals    [][]any
}

func (s byValues) Len() int           { return len(s.objs) }
func (s byValues) Less(i, j int) bool { return query.LessValues(s.keys, s.vals[i], s.vals[j]) }
func (s byValues) Swap(i, j int) {
	s.objs[i], s.objs[j] = s.objs[j], s.objs[i]
	s.vals[i], s.vals[j] = s.vals[j], s.vals[i]
	if len(s.objKeys) > 0 {
		s.objKeys[i], s.objKeys[j] = s.objKeys[j], s.objKeys[i]
	}
}
