package engine

import (
	"errors"
	"sort"
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Query selects objects of one class.
type Query struct {
	Class string
	// Filter in the query language (Realm Query Language subset); "" = all.
	Filter string
	Args   []any
	// Sort, e.g. "name ASC, age DESC"; "" = primary key order (or the
	// filter's own SORT(...)).
	Sort string
	// Limit caps the result; 0 = no limit (or the filter's own LIMIT(n)).
	Limit int
}

// compiled is a query bound to its class.
type compiled struct {
	class  *schema.Class
	layout *classLayout
	pred   *query.Predicate // nil = every object
	sort   []query.SortKey
	limit  int  // -1 = none
	links  bool // the class has links to resolve (links.go)
	// ordered is the filter when its SORT/DISTINCT/LIMIT clauses are more
	// than a sort and a limit: they apply (pred.Order) before sort and limit.
	ordered *query.Predicate
}

func compileQuery(e *engine, q Query) (*compiled, error) {
	c, err := e.schema.MustClass(q.Class)
	if err != nil {
		return nil, err
	}
	out := &compiled{class: c, layout: e.layout(c), limit: -1}
	out.links = out.layout.links
	if q.Filter != "" { // "" is no filter; a blank one is refused (QuerySyntax)
		if out.pred, err = e.queries.CompileIn(q.Filter, e.schema, c, q.Args); err != nil {
			return nil, err
		}
		out.sort, out.limit = out.pred.Sort(), out.pred.Limit()
		if out.pred.Ordered() {
			out.ordered = out.pred
		}
	} else if len(q.Args) > 0 {
		return nil, terror.New(terror.InvalidArgument, "query arguments given without a filter")
	}
	if q.Sort != "" {
		if out.sort, err = query.ParseSortIn(q.Sort, c, e.schema); err != nil {
			return nil, err
		}
	}
	if q.Limit < 0 {
		return nil, terror.New(terror.InvalidArgument, "limit %d is negative", q.Limit)
	}
	if q.Limit > 0 {
		out.limit = q.Limit
	}
	return out, nil
}

func (c *compiled) match(obj Object) bool { return c.pred == nil || c.pred.Match(obj) }

// Get returns the object with the given primary key; NotFound if absent.
func (db *DB) Get(class string, key any) (Object, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	var obj Object
	err = db.e.bunt.View(func(tx *buntdb.Tx) error {
		obj, err = getObject(db.e, tx, class, key)
		return err
	})
	return obj, err
}

func getObject(e *engine, tx *buntdb.Tx, class string, key any) (Object, error) {
	c, err := e.schema.MustClass(class)
	if err != nil {
		return nil, err
	}
	k, err := c.CoerceKey(key)
	if err != nil {
		return nil, err
	}
	raw, err := tx.Get(objectKey(c.Name, k))
	if errors.Is(err, buntdb.ErrNotFound) {
		return nil, terror.New(terror.NotFound, "no %s with primary key %v", c.Name, key)
	}
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "read")
	}
	l := e.layout(c)
	obj, err := toObject(l, raw)
	if err == nil && l.links {
		linker{e, tx}.resolve(c, obj)
	}
	return obj, err
}

// toObject decodes a stored object for the API: every property present,
// null where absent.
func toObject(l *classLayout, raw string) (Object, error) {
	obj, ok := stripPrefix(strBytes(raw))
	if !ok {
		return nil, terror.New(terror.Corrupted, "stored object: bad index-key prefix")
	}
	fields, _, known, err := crdt.DecodeObjectNames(obj, false, l.order)
	if err != nil {
		return nil, corrupted(err, "stored object")
	}
	if known == len(l.order) {
		return fields, nil // every property is there (the usual case)
	}
	for _, p := range l.class.Properties {
		if _, ok := fields[p.Name]; !ok {
			fields[p.Name] = p.Zero()
		}
	}
	return fields, nil
}

// Query returns the objects that match q, sorted and limited.
func (db *DB) Query(q Query) ([]Object, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	cq, err := compileQuery(db.e, q)
	if err != nil {
		return nil, err
	}
	var out []Object
	err = db.e.bunt.View(func(tx *buntdb.Tx) error {
		out, err = cq.run(tx, db.e)
		return err
	})
	return out, err
}

// Count returns how many objects match q.
// A whole class is counted from its keys, without decoding an object,
// and cached until the next commit (Results.length is read at every
// render of a list); a filter is evaluated object by object, without
// sorting or keeping them.
func (db *DB) Count(q Query) (int, error) {
	leave, err := db.enter()
	if err != nil {
		return 0, err
	}
	defer leave()
	cq, err := compileQuery(db.e, q)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.e.bunt.View(func(tx *buntdb.Tx) error {
		n, err = cq.count(tx, db.e)
		return err
	})
	return n, err
}

// classCount is a whole-class count at one version of the data.
type classCount struct {
	version uint64
	n       int
}

func (cq *compiled) count(tx *buntdb.Tx, e *engine) (int, error) {
	if cq.limit == 0 {
		return 0, nil
	}
	if cq.ordered != nil { // DISTINCT, or a LIMIT before a sort: count the results
		out, _, err := cq.runKeyed(tx, e, false)
		return len(out), err
	}
	capped := func(n int) int {
		if cq.limit > 0 && n > cq.limit {
			return cq.limit
		}
		return n
	}
	if cq.pred == nil {
		return capped(e.classCount(tx, cq.class.Name)), nil
	}
	n := 0
	var ferr error
	visit := func(_, v string) bool {
		obj, err := toObject(cq.layout, v)
		if err != nil {
			ferr = err
			return false
		}
		if cq.matchLinked(tx, e, obj) {
			n++
		}
		return !(cq.limit > 0 && n >= cq.limit)
	}
	if !cq.scanIndex(tx, e, visit) {
		prefix := classPrefix(cq.class.Name)
		tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
			return strings.HasPrefix(k, prefix) && visit(k, v)
		})
	}
	return capped(n), ferr
}

// counting reports whether some whole-class count is cached: then every
// transaction tracks the objects it touches (trackerFor), so that
// advanceCounts can carry the counts over its commit.
func (e *engine) counting() bool {
	e.countsMu.Lock()
	defer e.countsMu.Unlock()
	return len(e.counts) > 0
}

// advanceCounts moves the data version on for a transaction about to
// commit (under buntdb's write lock) and carries the cached counts over
// it: the tracker holds every object the transaction touched, as it was
// before, so each class's count changes by the objects that appeared less
// those that went. Without a tracker (nothing cached when it began) the
// cache simply goes stale.
func (e *engine) advanceCounts(tx *buntdb.Tx, tr tracker) {
	old := e.version.Load()
	now := e.version.Add(1)
	if tr == nil {
		return
	}
	var delta map[string]int
	for objKey, t := range tr {
		_, err := tx.Get(objKey)
		d := 0
		if err == nil {
			d++
		}
		if t.before != "" {
			d--
		}
		if d != 0 {
			if delta == nil {
				delta = map[string]int{}
			}
			delta[t.class] += d
		}
	}
	e.countsMu.Lock()
	defer e.countsMu.Unlock()
	for class, c := range e.counts {
		if c.version == old {
			e.counts[class] = classCount{version: now, n: c.n + delta[class]}
		}
	}
}

// classCount is how many objects a class has: cached for the version tx
// sees (the version cannot change while a read transaction is open),
// else counted from the keys.
func (e *engine) classCount(tx *buntdb.Tx, class string) int {
	v := e.version.Load()
	e.countsMu.Lock()
	c, ok := e.counts[class]
	e.countsMu.Unlock()
	if ok && c.version == v {
		return c.n
	}
	n := 0
	prefix := classPrefix(class)
	tx.AscendGreaterOrEqual("", prefix, func(k, _ string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		n++
		return true
	})
	e.countsMu.Lock()
	if e.counts == nil {
		e.counts = map[string]classCount{}
	}
	e.counts[class] = classCount{version: v, n: n}
	e.countsMu.Unlock()
	return n
}

// run scans the smallest candidate set (an index range when the filter
// allows, else the class) and filters, sorts and limits it. Without a sort
// the order is primary key order however the objects were found, so that
// adding an index never changes what an app sees.
func (cq *compiled) run(tx *buntdb.Tx, e *engine) ([]Object, error) {
	out, _, err := cq.runKeyed(tx, e, false)
	return out, err
}

// runKeyed is run that can also return the object keys of the results,
// in their order (withKeys; listeners of ordered results use them).
func (cq *compiled) runKeyed(tx *buntdb.Tx, e *engine, withKeys bool) ([]Object, []string, error) {
	if cq.limit == 0 {
		return []Object{}, []string{}, nil
	}
	var out []Object
	var keys []string // the object keys of out: primary key order
	var ferr error
	limitEarly := false // a primary-key-ordered scan without sort may stop at the limit

	var lk *cachingLinker // linker_cache.go: the run's decoded targets
	if cq.pred != nil && cq.pred.Linked() {
		lk = newCachingLinker(e, tx)
	}
	visit := func(k, v string) bool {
		obj, err := toObject(cq.layout, v)
		if err != nil {
			ferr = err
			return false
		}
		if cq.matchCached(tx, e, obj, lk) {
			out = append(out, obj)
			keys = append(keys, k)
		}
		return !(limitEarly && len(out) >= cq.limit)
	}
	usedIndex := cq.scanIndex(tx, e, visit)
	if !usedIndex {
		limitEarly = cq.limit > 0 && len(cq.sort) == 0 && cq.ordered == nil
		prefix := classPrefix(cq.class.Name)
		tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			return visit(k, v)
		})
	}
	if ferr != nil {
		return nil, nil, ferr
	}
	if cq.ordered != nil {
		if usedIndex && len(out) > 1 {
			sort.Sort(byKey{keys, out}) // the clauses start from primary key order
		}
		out, keys = cq.order(out, keys)
		usedIndex = false
	}
	switch {
	case query.SortLinked(cq.sort):
		sortLinked(tx, e, cq.class, cq.sort, keys, out)
	case len(cq.sort) > 0 && withKeys:
		sort.Stable(bySort{cq.sort, keys, out})
	case len(cq.sort) > 0:
		sort.SliceStable(out, func(i, j int) bool { return query.Less(cq.sort, out[i], out[j]) })
	case usedIndex && len(out) > 1:
		sort.Sort(byKey{keys, out}) // an equality scan is already in key order: one pass
	}
	if cq.limit > 0 && len(out) > cq.limit {
		out = out[:cq.limit]
		keys = keys[:cq.limit]
	}
	if out == nil {
		out, keys = []Object{}, []string{}
	}
	return out, keys, nil
}

// bySort sorts objects and their keys by a query's sort keys.
type bySort struct {
	sort []query.SortKey
	keys []string
	objs []Object
}

func (s bySort) Len() int           { return len(s.objs) }
func (s bySort) Less(i, j int) bool { return query.Less(s.sort, s.objs[i], s.objs[j]) }
func (s bySort) Swap(i, j int) {
	s.keys[i], s.keys[j] = s.keys[j], s.keys[i]
	s.objs[i], s.objs[j] = s.objs[j], s.objs[i]
}

// scanIndex visits the candidates of an index range (or the one object of
// a primary key equality) and reports whether it could.
func (cq *compiled) scanIndex(tx *buntdb.Tx, e *engine, visit func(k, v string) bool) bool {
	return cq.scanIndexOnly(tx, e, visit) || cq.scanText(tx, e, visit) || cq.scanLinks(tx, e, visit)
}

// scanIndexOnly is scanIndex by the class's own indexes alone.
func (cq *compiled) scanIndexOnly(tx *buntdb.Tx, e *engine, visit func(k, v string) bool) bool {
	if cq.pred == nil {
		return false
	}
	c := cq.class
	r, ok := cq.pred.IndexRange(func(p string) bool {
		return p == c.PrimaryKey || e.indexes[indexName(c.Name, p)]
	})
	if !ok {
		return false
	}
	if r.Property == c.PrimaryKey {
		if !r.HasLower || !r.HasUpper || !r.LowerInclusive || !r.UpperInclusive {
			return false
		}
		if enc, ok := pkString(c, r.Lower); ok {
			if enc2, ok := pkString(c, r.Upper); ok && enc == enc2 {
				k := classPrefix(c.Name) + enc
				if v, err := tx.Get(k); err == nil {
					visit(k, v)
				}
				return true
			}
		}
		return false
	}
	index := indexName(c.Name, r.Property)
	slot, ok := cq.layout.slot[r.Property]
	if !ok {
		return false
	}
	p := c.Property(r.Property)
	var lo, hi string
	if r.HasLower {
		if lo, ok = boundKey(p, r.Lower); !ok {
			return false
		}
	}
	if r.HasUpper {
		if hi, ok = boundKey(p, r.Upper); !ok {
			return false
		}
	}
	iter := func(k, v string) bool {
		key := indexKey(v, slot)
		if r.HasUpper && (key > hi || key == hi && !r.UpperInclusive) {
			return false
		}
		if r.HasLower && !r.LowerInclusive && key == lo {
			return true
		}
		return visit(k, v)
	}
	if !r.HasLower {
		lo = "\x00" // below every non-null key and above null (""): nulls never satisfy a range
	}
	tx.AscendGreaterOrEqual(index, pivot(slot, lo), iter)
	return true
}

// byKey sorts objects by their object keys.
type byKey struct {
	keys []string
	objs []Object
}

func (s byKey) Len() int           { return len(s.keys) }
func (s byKey) Less(i, j int) bool { return s.keys[i] < s.keys[j] }
func (s byKey) Swap(i, j int) {
	s.keys[i], s.keys[j] = s.keys[j], s.keys[i]
	s.objs[i], s.objs[j] = s.objs[j], s.objs[i]
}

// pkString encodes v as the class's primary key, if it is of that type.
func pkString(c *schema.Class, v any) (string, bool) {
	k, err := c.Coerce(c.PK(), v)
	if err != nil || k == nil {
		return "", false
	}
	return encodePK(k), true
}

// GetEncoded calls fn with an object's stored form (crdt.EncodeObject's
// msgpack: properties and stamps) and its class, without decoding it:
// the boundary transcodes it to JSON directly. obj is valid only during
// fn, which runs under the read lock and must not call the database.
func (db *DB) GetEncoded(class string, key any, fn func(obj []byte, c *schema.Class) error) error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	defer leave()
	return db.e.bunt.View(func(tx *buntdb.Tx) error {
		c, err := db.e.schema.MustClass(class)
		if err != nil {
			return err
		}
		k, err := c.CoerceKey(key)
		if err != nil {
			return err
		}
		raw, err := tx.Get(objectKey(c.Name, k))
		if errors.Is(err, buntdb.ErrNotFound) {
			return terror.New(terror.NotFound, "no %s with primary key %v", c.Name, key)
		}
		if err != nil {
			return terror.Wrap(terror.IO, err, "read")
		}
		obj, ok := stripPrefix(strBytes(raw))
		if !ok {
			return terror.New(terror.Corrupted, "stored object: bad index-key prefix")
		}
		return fn(obj, c)
	})
}

// DataVersion is a number that changes with every commit that may change
// objects (local, downloaded, a schema change): what a caller read stays
// valid while it is the same.
func (db *DB) DataVersion() (int64, error) {
	leave, err := db.enter()
	if err != nil {
		return 0, err
	}
	defer leave()
	return int64(db.e.version.Load()), nil
}

// order applies the filter's SORT/DISTINCT/LIMIT clauses to out and keys.
func (cq *compiled) order(out []Object, keys []string) ([]Object, []string) {
	idx := cq.ordered.Order(len(out), func(i int) map[string]any { return out[i] })
	objs := make([]Object, len(idx))
	ks := make([]string, len(idx))
	for j, i := range idx {
		objs[j], ks[j] = out[i], keys[i]
	}
	return objs, ks
}
