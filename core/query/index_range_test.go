package query

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

func indexedIn(names ...string) func(string) bool {
	return func(p string) bool {
		for _, n := range names {
			if n == p {
				return true
			}
		}
		return false
	}
}

func eqRange(prop string, v any) Range {
	return Range{Property: prop, Lower: v, Upper: v, HasLower: true, HasUpper: true, LowerInclusive: true, UpperInclusive: true}
}

func TestIndexRange(t *testing.T) {
	all := indexedIn("name", "age", "weight", "born", "alive", "owner", "id", "nick", "tags")
	tests := []struct {
		filter string
		args   []any
		want   *Range // nil: no range
	}{
		{"age == 5", nil, &Range{Property: "age", Lower: int64(5), Upper: int64(5), HasLower: true, HasUpper: true, LowerInclusive: true, UpperInclusive: true}},
		{"5 == age", nil, ptr(eqRange("age", int64(5)))},
		{"age == 5.0", nil, ptr(eqRange("age", int64(5)))},
		{"weight == 3", nil, ptr(eqRange("weight", 3.0))},
		{"name == $0", []any{"Rex"}, ptr(eqRange("name", "Rex"))},
		{"alive == true", nil, ptr(eqRange("alive", true))},
		{"owner == $0", []any{oid1}, ptr(eqRange("owner", oid1))},
		{"born == 2026-01-02T03:04:05Z", nil, ptr(eqRange("born", day))},
		{"age > 3", nil, &Range{Property: "age", Lower: int64(3), HasLower: true}},
		{"age >= 3", nil, &Range{Property: "age", Lower: int64(3), HasLower: true, LowerInclusive: true}},
		{"age < 3", nil, &Range{Property: "age", Upper: int64(3), HasUpper: true}},
		{"age <= 3", nil, &Range{Property: "age", Upper: int64(3), HasUpper: true, UpperInclusive: true}},
		{"3 < age", nil, &Range{Property: "age", Lower: int64(3), HasLower: true}},
		{"3 >= age", nil, &Range{Property: "age", Upper: int64(3), HasUpper: true, UpperInclusive: true}},
		{"age > 3 AND age <= 9", nil, &Range{Property: "age", Lower: int64(3), Upper: int64(9), HasLower: true, HasUpper: true, UpperInclusive: true}},
		{"age >= 3 AND age > 3 AND age < 10 AND age < 20", nil, &Range{Property: "age", Lower: int64(3), Upper: int64(10), HasLower: true, HasUpper: true}},
		{"age >= 3 AND age >= 5", nil, &Range{Property: "age", Lower: int64(5), HasLower: true, LowerInclusive: true}},
		{"age BETWEEN {2, 4}", nil, &Range{Property: "age", Lower: int64(2), Upper: int64(4), HasLower: true, HasUpper: true, LowerInclusive: true, UpperInclusive: true}},
		{"name == 'x' AND age BETWEEN {2, 4}", nil, ptr(eqRange("name", "x"))},
		{"age BETWEEN {2, 4} AND name == 'x'", nil, ptr(eqRange("name", "x"))},
		{"(age > 1 AND alive == true) AND tags == 'x'", nil, ptr(eqRange("alive", true))},
		// fractional bounds on an int property become integer bounds
		{"age > 2.5", nil, &Range{Property: "age", Lower: int64(2), HasLower: true}},
		{"age >= 2.5", nil, &Range{Property: "age", Lower: int64(2), HasLower: true}},
		{"age < 2.5", nil, &Range{Property: "age", Upper: int64(3), HasUpper: true}},
		{"age <= -2.5", nil, &Range{Property: "age", Upper: int64(-2), HasUpper: true}},
		{"age == 2.5", nil, nil},
		{"age < 1e300", nil, nil},
		{"weight > 2", nil, &Range{Property: "weight", Lower: 2.0, HasLower: true}},
		{"weight > $0", []any{math.NaN()}, nil},
		// IN spans its members
		{"age IN {7, 3, 5}", nil, &Range{Property: "age", Lower: int64(3), Upper: int64(7), HasLower: true, HasUpper: true, LowerInclusive: true, UpperInclusive: true}},
		{"age IN {4}", nil, ptr(eqRange("age", int64(4)))},
		{"age IN {4, 4.0}", nil, ptr(eqRange("age", int64(4)))},
		{"age IN {4, 2.5}", nil, nil},
		{"age IN {4, null}", nil, nil},
		{"age IN {}", nil, nil},
		{"name IN $0", []any{[]string{"b", "a"}}, &Range{Property: "name", Lower: "a", Upper: "b", HasLower: true, HasUpper: true, LowerInclusive: true, UpperInclusive: true}},
		// BEGINSWITH is a prefix range
		{"name BEGINSWITH 'ab'", nil, &Range{Property: "name", Lower: "ab", Upper: "ac", HasLower: true, HasUpper: true, LowerInclusive: true}},
		{"name BEGINSWITH $0", []any{"a\xff"}, &Range{Property: "name", Lower: "a\xff", Upper: "b", HasLower: true, HasUpper: true, LowerInclusive: true}},
		{"name BEGINSWITH $0", []any{"\xff"}, &Range{Property: "name", Lower: "\xff", HasLower: true, LowerInclusive: true}},
		{"name BEGINSWITH ''", nil, nil},
		{"name BEGINSWITH[c] 'ab'", nil, nil},
		{"'abc' BEGINSWITH name", nil, nil},
		// an equality wins over a range, even a later one
		{"age > 3 AND name == 'x'", nil, ptr(eqRange("name", "x"))},
		{"age == 4 AND age == 5", nil, ptr(eqRange("age", int64(4)))},
		// two-sided beats one-sided
		{"weight > 1 AND age > 3 AND age < 5", nil, &Range{Property: "age", Lower: int64(3), Upper: int64(5), HasLower: true, HasUpper: true}},
		{"weight > 1 AND age > 3", nil, &Range{Property: "weight", Lower: 1.0, HasLower: true}},
		// never a range
		{"name ==[c] 'x'", nil, nil},
		{"tags == 'x'", nil, nil},
		{"tags.@count == 1", nil, nil},
		{"age != 3", nil, nil},
		{"age == null", nil, nil},
		{"nick == 'x' OR age == 3", nil, nil},
		{"NOT age == 3", nil, nil},
		{"age == friends", nil, nil},
		{"friends == 3", nil, nil}, // not indexed
		{"TRUEPREDICATE", nil, nil},
		{"name CONTAINS 'x'", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			r, ok := compile(t, tt.filter, tt.args...).IndexRange(all)
			if tt.want == nil {
				assert.False(t, ok, "got %v", r)
				return
			}
			assert.True(t, ok)
			assert.Equal(t, *tt.want, r)
		})
	}
}

func TestIndexRangeOnlyIndexed(t *testing.T) {
	p := compile(t, "age == 3 AND name == 'x'")
	r, ok := p.IndexRange(indexedIn("name"))
	assert.True(t, ok)
	assert.Equal(t, "name", r.Property)
	_, ok = p.IndexRange(indexedIn())
	assert.False(t, ok)
	_, ok = p.IndexRange(nil)
	assert.False(t, ok)
	var nilPred *Predicate
	_, ok = nilPred.IndexRange(indexedIn("age"))
	assert.False(t, ok)
}

func TestIndexRangeContradiction(t *testing.T) {
	r, ok := compile(t, "age > 5 AND age < 3").IndexRange(indexedIn("age"))
	assert.True(t, ok)
	assert.Equal(t, int64(6-1), r.Lower)
	assert.Equal(t, int64(3), r.Upper)
}

func TestRangeString(t *testing.T) {
	assert.Equal(t, "age in [1, 5)", Range{Property: "age", Lower: 1, Upper: 5, HasLower: true, HasUpper: true, LowerInclusive: true}.String())
	assert.Equal(t, "age in (-inf, 5]", Range{Property: "age", Upper: 5, HasUpper: true, UpperInclusive: true}.String())
}

func ptr[T any](v T) *T { return &v }

// TestIndexRangeNeverNarrower compiles random conjunctions and checks, on
// random objects, that every object the predicate matches lies inside the
// range IndexRange returns.
func TestIndexRangeNeverNarrower(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := []string{"==", "!=", "<", "<=", ">", ">=", "BEGINSWITH", "IN", "BETWEEN"}
	ints := []string{"-3", "0", "1", "2", "2.5", "-2.5", "3.0", "1e19", "-1e19", "9223372036854775807", "4.999"}
	strs := []string{"''", "'a'", "'ab'", "'b'", "'\\u00ff'", "'a\\u00ff'"}
	constFor := func(prop string) string {
		if prop == "name" {
			return strs[rng.IntN(len(strs))]
		}
		return ints[rng.IntN(len(ints))]
	}
	randObj := func() map[string]any {
		o := map[string]any{}
		if rng.IntN(5) > 0 {
			o["age"] = int64(rng.IntN(9) - 4)
			if rng.IntN(10) == 0 {
				o["age"] = int64(math.MaxInt64 - rng.IntN(2000))
			}
		}
		if rng.IntN(5) > 0 {
			o["weight"] = float64(rng.IntN(13)-6) / 2
		}
		if rng.IntN(5) > 0 {
			o["name"] = []string{"", "a", "ab", "abc", "b", "\u00ff", "a\u00ff", "A"}[rng.IntN(8)]
		}
		return o
	}
	objs := make([]map[string]any, 300)
	for i := range objs {
		objs[i] = randObj()
	}
	checked := 0
	for range 3000 {
		n := 1 + rng.IntN(3)
		filter := ""
		for k := range n {
			prop := []string{"age", "weight", "name"}[rng.IntN(3)]
			op := ops[rng.IntN(len(ops))]
			var c string
			switch op {
			case "IN":
				c = "{" + constFor(prop) + ", " + constFor(prop) + "}"
			case "BETWEEN":
				c = "{" + constFor(prop) + ", " + constFor(prop) + "}"
			default:
				c = constFor(prop)
			}
			if k > 0 {
				filter += " AND "
			}
			filter += prop + " " + op + " " + c
		}
		p, err := Compile(filter, testClass(t), nil)
		if err != nil {
			continue // BEGINSWITH on a number, say
		}
		r, ok := p.IndexRange(func(string) bool { return true })
		if !ok {
			continue
		}
		checked++
		for _, o := range objs {
			if p.Match(o) && !inRange(r, o[r.Property]) {
				t.Fatalf("%q matches %v, outside its range %v", filter, o, r)
			}
		}
	}
	assert.Greater(t, checked, 1000)
}
