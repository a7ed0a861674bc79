package query

import (
	"strconv"
	"strings"
	"sync"

	"github.com/tethersync/tether/core/schema"
)

// Cache keeps compiled predicates by (schema, class, filter, arguments),
// so that a query an app runs again (a list re-rendered, a listener's
// query after every commit) is parsed and type-checked once. A Predicate
// is immutable, so one may serve any number of callers. Entries are
// evicted least recently used first; a schema change makes new keys
// (the old classes are other pointers) and the old entries age out.
type Cache struct {
	mu    sync.Mutex
	max   int
	tick  uint64
	items map[cacheKey]*cacheItem
}

type cacheKey struct {
	schema *schema.Schema
	class  *schema.Class
	filter string
	args   string
}

type cacheItem struct {
	pred *Predicate
	used uint64
}

// maxCachedArgs bounds the encoded arguments of a cached query, so that
// a query with a huge argument list does not pin a huge key.
const maxCachedArgs = 1 << 20

// NewCache returns a cache of at most n predicates.
func NewCache(n int) *Cache {
	return &Cache{max: max(n, 1), items: make(map[cacheKey]*cacheItem)}
}

// CompileIn is the package's CompileIn through the cache. Errors are not
// cached: a failing query is rare, and its error carries its positions.
func (c *Cache) CompileIn(filter string, s *schema.Schema, class *schema.Class, args []any) (*Predicate, error) {
	argKey, ok := argsKey(args)
	if c == nil || !ok {
		return CompileIn(filter, s, class, args)
	}
	k := cacheKey{s, class, filter, argKey}
	c.mu.Lock()
	c.tick++
	if it, hit := c.items[k]; hit {
		it.used = c.tick
		c.mu.Unlock()
		return it.pred, nil
	}
	c.mu.Unlock()
	p, err := CompileIn(filter, s, class, args)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		c.evict()
	}
	c.items[k] = &cacheItem{pred: p, used: c.tick}
	return p, nil
}

// Len is how many predicates the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// evict drops the least recently used quarter of the entries: one scan
// pays for many insertions.
func (c *Cache) evict() {
	n := max(len(c.items)/4, 1)
	for ; n > 0; n-- {
		var oldest cacheKey
		first := true
		var used uint64
		for k, it := range c.items {
			if first || it.used < used {
				oldest, used, first = k, it.used, false
			}
		}
		delete(c.items, oldest)
	}
}

// argsKey encodes arguments so that equal keys mean arguments Compile
// reads the same; false for arguments it cannot encode (they are then
// compiled every time, and Compile reports what is wrong with them).
func argsKey(args []any) (string, bool) {
	if len(args) == 0 {
		return "", true
	}
	var b strings.Builder
	for i, a := range args {
		v, err := normalizeArg(a, i, true)
		if err != nil {
			return "", false
		}
		if l, isList := v.([]any); isList {
			b.WriteString("[" + strconv.Itoa(len(l)) + ":")
			for _, e := range l {
				writeExactKey(&b, e)
			}
		} else {
			writeExactKey(&b, v)
		}
		if b.Len() > maxCachedArgs {
			return "", false
		}
	}
	return b.String(), true
}

// writeExactKey is writeDistinctKey without merging numbers of different
// kinds: an int 2 and a double 2.0 argument may compile differently (a
// decimal property reads the double through its text).
func writeExactKey(b *strings.Builder, v any) {
	switch v.(type) {
	case float64:
		b.WriteByte('D')
	case float32:
		b.WriteByte('F')
	case int64:
		b.WriteByte('I')
	}
	writeDistinctKey(b, v)
}
