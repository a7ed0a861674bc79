package query

import (
	"errors"
	"math"
	"testing"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// FuzzCompile checks that no filter makes Compile, Match, IndexRange or
// ParseSort panic, that every error carries a conformance code (syntax
// errors with a position inside the filter), and that an index range never
// excludes an object the predicate matches.
//
//	go test -run='^$' -fuzz=FuzzCompile -fuzztime=60s ./core/query/
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"age > 3", "age == $0", "name BEGINSWITH[c] $1", "tags == 'x' OR ALL scores > 2",
		"age IN {1, 2, $0} AND NOT (weight < 2.5 || alive == false)", "age IN $2", "'x' IN tags",
		"name LIKE 'R*?x' SORT(name ASC, age DESC) LIMIT(10)", "born > 2026-01-02T03:04:05Z",
		"born == T1767323045:0", "owner == oid(507f1f77bcf86cd799439011)", "tags.@count BETWEEN {1, 4}",
		"ref == uuid(6ba7b810-9dad-11d1-80b4-00c04fd430c8)", "age > 2.5 AND age <= 1e300",
		"name BEGINSWITH 'a\\u00ff'", "TRUEPREDICATE SORT(name)", "((age == 1))", "age == friends",
		"ANY scores > age", "weight > $3", "name == \"R\\\"x\"", "age IN {0,1,2,3,4,5,6,7,8,9}",
		"", "(", "$", "age >", "NOT !", "age == 99999999999999999999", "age IN $7",
		"2 * age > $0", "(age + 1) * 2 > weight / 0", "scores[LAST] == 9", "scores.@avg > 1", "age == {1, $0}",
		"ANY {1, 2} == ALL scores", "name TEXT 'a* -b'", "age > 1 DISTINCT(name) LIMIT(2) SORT(age ASC)",
		"weight == -inf", "born == 1969-12-31@23:59:59:1", "age == 1 OR age == 2 OR age == $0", "name.@size == 3",
		"photo CONTAINS[c] B64\"Zm8=\"", "photo LIKE NULL", "scores[0].x == 1", "scores[LAST].@values.y == 2",
	} {
		f.Add(s)
	}
	class := testClass(f)
	args := []any{int64(3), "Rex", []any{int64(1), int64(5)}, math.NaN(), nil, oid1, day, []any{"a", "Rex"}}
	objs := []map[string]any{
		rex(),
		{},
		{"id": int64(2), "name": "", "age": int64(math.MaxInt64), "weight": math.NaN(), "tags": []any{}, "scores": []any{int64(-1)}},
		{"id": int64(3), "name": "\xffa", "age": int64(math.MinInt64), "weight": math.Inf(-1), "alive": false, "tags": []any{"x", nil}},
		{"id": int64(4), "name": "rex", "age": int64(3), "weight": -0.0, "nick": "R", "friends": int64(3), "born": day.Add(1)},
		{"id": int64(5), "name": "Rex", "age": int64(1), "weight": 2.5, "like": "Rex", "scores": []any{int64(1), int64(5)}},
	}
	f.Fuzz(func(t *testing.T, filter string) {
		p, err := Compile(filter, class, args)
		checkErr(t, filter, err)
		if err == nil {
			r, ok := p.IndexRange(func(string) bool { return true })
			for _, o := range objs {
				if p.Match(o) && ok && !inRange(r, o[r.Property]) {
					t.Fatalf("%q matches %v but its index range %v excludes it", filter, o, r)
				}
			}
			p.Sort()
			p.Limit()
			p.Order(len(objs), func(i int) map[string]any { return objs[i] })
		}
		_, err = ParseSort(filter, class)
		checkErr(t, filter, err)
	})
}

func checkErr(t *testing.T, filter string, err error) {
	if err == nil {
		return
	}
	var te *terror.Error
	if !errors.As(err, &te) {
		t.Fatalf("%q: error without a code: %v", filter, err)
	}
	switch te.Code {
	case terror.QuerySyntax:
		if te.Pos < 0 || te.Pos > len(filter) {
			t.Fatalf("%q: syntax error position %d outside the filter: %s", filter, te.Pos, te.Message)
		}
	case terror.UnknownProperty, terror.InvalidArgument, terror.WrongType:
		if te.Pos != -1 {
			t.Fatalf("%q: %s error with a position", filter, te.Code)
		}
	default:
		t.Fatalf("%q: unexpected error %v", filter, err)
	}
}

func inRange(r Range, v any) bool {
	if v == nil {
		return false
	}
	if r.HasLower {
		c, ok := value.Compare(v, r.Lower)
		if !ok || c < 0 || c == 0 && !r.LowerInclusive {
			return false
		}
	}
	if r.HasUpper {
		c, ok := value.Compare(v, r.Upper)
		if !ok || c > 0 || c == 0 && !r.UpperInclusive {
			return false
		}
	}
	return true
}
