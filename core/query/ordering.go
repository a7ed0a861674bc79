package query

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// SORT, DISTINCT and LIMIT after a filter, any number of each, in any
// order. As in realm-core (DescriptorOrdering), they apply one after the
// other, in the order written, to what the ones before left:
//
//	SORT(age DESC) LIMIT(3) SORT(name ASC)   the 3 oldest, by name
//	DISTINCT(owner) LIMIT(2)                 two objects of different owners
//	SORT(a ASC) SORT(b ASC)                  by b, then a (Realm prepends a
//	                                         later sort: sorts are stable)
//
// DISTINCT(a, b) keeps the first object (in the order so far: primary key
// order when nothing sorted it) of each combination of values of a and b;
// null is one value, and numbers are compared by value (1 and 1.0 are
// the same in a mixed).

type stepKind uint8

const (
	stepSort stepKind = iota
	stepDistinct
	stepLimit
)

type orderStep struct {
	kind  stepKind
	keys  []SortKey // stepSort
	props []string  // stepDistinct
	n     int       // stepLimit
}

// parseDistinct reads the property list of DISTINCT(...).
func (p *parser) parseDistinct() ([]string, error) {
	var props []string
	for {
		t := p.cur()
		if t.kind != tIdent {
			return nil, p.expected("a property name")
		}
		prop := p.class.Property(t.text)
		if prop == nil {
			return nil, terror.New(terror.UnknownProperty, "class %s has no property %q for DISTINCT (at position %d)", p.class.Name, t.text, t.pos)
		}
		if prop.List {
			return nil, terror.New(terror.WrongType, "DISTINCT cannot use %s.%s at position %d: it is a list (%s)", p.class.Name, t.text, t.pos, prop.TypeString())
		}
		props = append(props, prop.Name)
		p.advance()
		switch p.cur().kind {
		case tComma:
			p.advance()
		case tRParen:
			p.advance()
			return props, nil
		default:
			return nil, p.expected("',' or ')'")
		}
	}
}

// simplify merges neighbouring sorts (a later one first) and limits (the
// smaller wins); when what is left is at most one sort followed by at
// most one limit, it returns them as Sort and Limit give them, and no
// steps: the store then sorts and limits as it always did.
func simplify(steps []orderStep) (keys []SortKey, limit int, rest []orderStep) {
	var merged []orderStep
	for _, s := range steps {
		if n := len(merged); n > 0 && merged[n-1].kind == s.kind && s.kind != stepDistinct {
			last := &merged[n-1]
			if s.kind == stepSort {
				last.keys = append(append([]SortKey{}, s.keys...), last.keys...)
			} else {
				last.n = min(last.n, s.n)
			}
			continue
		}
		merged = append(merged, s)
	}
	limit = -1
	switch {
	case len(merged) == 0:
		return nil, -1, nil
	case len(merged) == 1 && merged[0].kind == stepSort:
		return merged[0].keys, -1, nil
	case len(merged) == 1 && merged[0].kind == stepLimit:
		return nil, merged[0].n, nil
	case len(merged) == 2 && merged[0].kind == stepSort && merged[1].kind == stepLimit:
		return merged[0].keys, merged[1].n, nil
	}
	return nil, limit, merged
}

// Ordered reports whether the filter's SORT, DISTINCT and LIMIT clauses
// are more than one sort and a limit: then Sort and Limit return nothing
// and the store must call Order on the matching objects.
func (p *Predicate) Ordered() bool { return p != nil && len(p.steps) > 0 }

// Order applies the filter's clauses to n matching objects (obj(i) is the
// i-th, in primary key order) and returns the indexes of those that
// remain, in their order.
func (p *Predicate) Order(n int, obj func(i int) map[string]any) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if p == nil {
		return idx
	}
	for _, s := range p.steps {
		switch s.kind {
		case stepSort:
			sort.SliceStable(idx, func(a, b int) bool { return Less(s.keys, obj(idx[a]), obj(idx[b])) })
		case stepLimit:
			if len(idx) > s.n {
				idx = idx[:s.n]
			}
		case stepDistinct:
			seen := make(map[string]struct{}, len(idx))
			out := idx[:0]
			var b strings.Builder
			for _, i := range idx {
				b.Reset()
				o := obj(i)
				for _, prop := range s.props {
					writeDistinctKey(&b, o[prop])
				}
				k := b.String()
				if _, dup := seen[k]; dup {
					continue
				}
				seen[k] = struct{}{}
				out = append(out, i)
			}
			idx = out
		}
	}
	return idx
}

// writeDistinctKey appends a self-delimiting encoding of v under which
// values that compare equal encode the same.
func writeDistinctKey(b *strings.Builder, v any) {
	var tag byte
	var s string
	switch x := v.(type) {
	case nil:
		tag = 'n'
	case bool:
		tag, s = 'b', strconv.FormatBool(x)
	case int64:
		tag, s = 'i', strconv.FormatInt(x, 10)
	case float32:
		tag, s = numKey(float64(x))
	case float64:
		tag, s = numKey(x)
	case string:
		tag, s = 's', x
	case []byte:
		tag, s = 'd', string(x)
	case time.Time:
		tag, s = 't', strconv.FormatInt(x.Unix(), 10)+"."+strconv.Itoa(x.Nanosecond())
	case value.ObjectID:
		tag, s = 'o', x.String()
	case value.UUID:
		tag, s = 'u', x.String()
	case value.Decimal128:
		tag, s = 'm', x.String()
	default:
		tag, s = '?', value.Kind(v)
	}
	b.WriteByte(tag)
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

func numKey(f float64) (byte, string) {
	switch {
	case math.IsNaN(f):
		return 'f', "NaN"
	case f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63:
		return 'i', strconv.FormatInt(int64(f), 10)
	}
	return 'f', strconv.FormatFloat(f, 'g', -1, 64)
}
