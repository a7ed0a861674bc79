// Package query compiles and evaluates a subset of Realm Query Language
// (RQL) against objects of one schema class.
//
// A filter is compiled once against a class and its $N arguments:
// constants are type-checked and coerced to the property types at compile
// time so that Match, which the store calls on every candidate object, only
// compares values that already have the right Go type. A compiled Predicate
// is immutable and safe for concurrent use.
//
// Supported: ==, =, !=, <>, <, <=, >, >=, BEGINSWITH, ENDSWITH, CONTAINS,
// LIKE (? and *), the [c] modifier, IN {list} / IN $N / value IN listProp,
// BETWEEN {low, high}, AND/&&, OR/||, NOT/!, parentheses, TRUEPREDICATE,
// FALSEPREDICATE, ANY/SOME/ALL/NONE on list properties, list.@count and
// list.@size, and trailing SORT(...) and LIMIT(n). Literals: integers,
// floats, quoted strings with backslash escapes, true, false, null/nil,
// oid(hex), uuid(canonical), dates (2026-01-02T03:04:05Z, Realm's
// 2026-01-02@03:04:05[:nanos] and T<seconds>:<nanos>).
package query

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Predicate is a compiled filter, with the SORT and LIMIT clauses that were
// written after it.
type Predicate struct {
	root   node
	sort   []SortKey
	limit  int
	linked bool // the filter has link paths: match it with MatchLinked
	// steps are SORT, DISTINCT and LIMIT clauses that sort and limit
	// cannot say (ordering.go); then sort is nil and limit -1.
	steps []orderStep
}

// Range is a range of values of one indexed property that contains every
// object the predicate can match (it may contain more).
type Range struct {
	Property       string
	Lower, Upper   any
	HasLower       bool
	HasUpper       bool
	LowerInclusive bool
	UpperInclusive bool
}

// SortKey orders query results by one property.
type SortKey struct {
	Property   string
	Descending bool
}

// Compile parses filter against class, with args as the values of $0, $1...
// An empty (or blank) filter is a QuerySyntax error, as in Realm.
//
// Errors: QuerySyntax (Pos is the byte offset of the problem), UnknownProperty,
// InvalidArgument (a missing $N, or an argument of an unsupported Go type)
// and WrongType (a constant that does not fit the property it is compared
// with, or an operator that does not apply to the property's type).
func Compile(filter string, class *schema.Class, args []any) (pred *Predicate, err error) {
	return CompileIn(filter, nil, class, args)
}

// CompileIn is Compile with the schema of class, which link paths and
// backlinks need (links.go); with a nil schema they are refused.
func CompileIn(filter string, s *schema.Schema, class *schema.Class, args []any) (pred *Predicate, err error) {
	if class == nil {
		return nil, terror.New(terror.InvalidArgument, "query: no class given")
	}
	// The parser is written not to panic; this only turns a bug into an
	// error instead of crashing the host app (the fuzz test fails on it).
	defer func() {
		if r := recover(); r != nil {
			pred, err = nil, terror.New(terror.Internal, "query: internal error compiling %q: %v", filter, r)
		}
	}()
	if strings.TrimSpace(filter) == "" {
		// Realm: "an empty query string is an invalid predicate" (match
		// everything with TRUEPREDICATE, or give no filter at all).
		return nil, syntaxErr(len(filter), "expected a predicate at position %d, found an empty query (use TRUEPREDICATE to match every object)", len(filter))
	}
	p := newParser(filter, class, args)
	p.schema = s
	root, steps, err := p.parseQuery()
	if err != nil {
		return nil, err
	}
	sort, limit, rest := simplify(steps)
	return &Predicate{root: root, sort: sort, limit: limit, steps: rest, linked: p.linked}, nil
}

// Match reports whether obj (property name -> value; an absent key is null)
// satisfies the predicate. A nil Predicate matches everything.
func (p *Predicate) Match(obj map[string]any) bool {
	if p == nil || p.root == nil {
		return true
	}
	return p.root.match(obj, nil)
}

// Linked reports whether the filter reads other objects (link paths,
// backlinks): only then does MatchLinked need a Linker.
func (p *Predicate) Linked() bool { return p != nil && p.linked }

// MatchLinked is Match with link paths and backlinks resolved by lk (the
// store's objects at one version); Match reads every link as null.
func (p *Predicate) MatchLinked(obj map[string]any, lk Linker) bool {
	if p == nil || p.root == nil {
		return true
	}
	return p.root.match(obj, lk)
}

// Sort returns the keys of the filter's SORT clause, or nil.
func (p *Predicate) Sort() []SortKey {
	if p == nil {
		return nil
	}
	return slices.Clone(p.sort)
}

// Limit returns the filter's LIMIT, or -1 when there is none.
func (p *Predicate) Limit() int {
	if p == nil {
		return -1
	}
	return p.limit
}

// String describes the range for logs and test failures.
func (r Range) String() string {
	lo, hi := "(-inf", "+inf)"
	if r.HasLower {
		b := "("
		if r.LowerInclusive {
			b = "["
		}
		lo = fmt.Sprintf("%s%v", b, r.Lower)
	}
	if r.HasUpper {
		b := ")"
		if r.UpperInclusive {
			b = "]"
		}
		hi = fmt.Sprintf("%v%s", r.Upper, b)
	}
	return r.Property + " in " + lo + ", " + hi
}
