package engine

import (
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// TestIndexKeyOrder: comparing index keys as strings orders values exactly
// as value.Compare does, null first, for every indexable kind.
func TestIndexKeyOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	nan := math.NaN()
	kinds := [][]any{
		{int64(0), int64(-1), int64(1), int64(math.MinInt64), int64(math.MaxInt64), int64(255), int64(-256)},
		{0.0, math.Copysign(0, -1), 1.5, -1.5, math.Inf(1), math.Inf(-1), nan, -nan, math.Float64frombits(0x7ff0000000000001),
			math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64},
		{"", "a", "ab", "b", "a\x00", "\x00", "\xff", "é", "aa", strings.Repeat("x", 200), strings.Repeat("x", 201)},
		{false, true},
		{time.Unix(0, 0).UTC(), time.Unix(-1, 999999999).UTC(), time.Unix(-1, 0).UTC(), time.Unix(1, 1).UTC(), time.Unix(1<<40, 5).UTC()},
		{value.ObjectID{}, value.ObjectID{1}, value.ObjectID{0, 0xff}, value.ObjectID{0xff}},
		{value.UUID{}, value.UUID{1}, value.UUID{0, 0xff}, value.UUID{0xff}},
	}
	for i := 0; i < 200; i++ {
		kinds[0] = append(kinds[0], rng.Int63()-rng.Int63())
		kinds[1] = append(kinds[1], rng.NormFloat64()*math.Pow(10, float64(rng.Intn(40)-20)))
		kinds[2] = append(kinds[2], string([]byte{byte(rng.Intn(3)), byte(rng.Intn(256))}[:rng.Intn(3)]))
		kinds[4] = append(kinds[4], time.Unix(rng.Int63n(1<<35)-1<<34, rng.Int63n(1e9)).UTC())
	}
	for _, vals := range kinds {
		vals = append(vals, nil)
		for _, a := range vals {
			for _, b := range vals {
				want, ok := value.Compare(a, b)
				require.True(t, ok)
				ka, kb := string(appendIndexKey(nil, a)), string(appendIndexKey(nil, b))
				require.Equal(t, want, strings.Compare(ka, kb), "%#v vs %#v", a, b)
			}
		}
	}
}

// TestPrefixFraming: each key of a stored object's prefix reads back
// alone, long keys included, and stripping the prefix gives the
// crdt.EncodeObject form.
func TestPrefixFraming(t *testing.T) {
	s := mustSchema(t, `[{"name":"T","primaryKey":"_id","indexed":["a","b","c"],
	  "properties":{"_id":"int","a":"string?","b":"int?","c":"string?","d":"string"}}]`)
	l := newLayout(s.Class("T"))
	for _, long := range []int{0, 1, 126, 127, 128, 300, 20000} {
		fields := map[string]any{"_id": int64(7), "a": strings.Repeat("a", long), "c": strings.Repeat("c", long+1), "d": "x"}
		stamps := map[string]crdt.Stamp{"_id": {HLC: 1}, "a": {HLC: 2}, "c": {HLC: 3}, "d": {HLC: 4}}
		stored := encodeRecord(l, &record{fields: fields, stamps: stamps})
		require.Equal(t, string(appendIndexKey(nil, fields["a"])), indexKey(stored, 0))
		require.Equal(t, "", indexKey(stored, 1), "absent is null")
		require.Equal(t, string(appendIndexKey(nil, fields["c"])), indexKey(stored, 2))
		obj, ok := stripPrefix([]byte(stored))
		require.True(t, ok)
		require.Equal(t, crdt.EncodeObject(fields, stamps, l.order), obj)
		p := pivot(2, indexKey(stored, 2))
		require.Equal(t, indexKey(stored, 2), indexKey(p, 2))
		require.Equal(t, "", indexKey(p, 0))
	}
	for _, bad := range []string{"", "\x05", "\x02\x05a", "\x80", "\xff\xff\xff\xff\xff\xff\xff\x01"} {
		require.Equal(t, "", indexKey(bad, 0))
		require.Equal(t, "", indexKey(bad, 3))
	}
}

// TestIndexChangesRewriteObjects: adding an index in front of an existing
// one (moving its key) and removing one rewrite the stored objects, and
// queries through every index still agree with a scan, before and after
// a reopen.
func TestIndexChangesRewriteObjects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idx.tether")
	const props = `"properties":{"_id":"int","a":"int?","m":"string?","z":"double?"}}]`
	open := func(indexed string) *DB {
		db, err := Open(Options{Path: path, Schema: mustSchema(t, `[{"name":"T","primaryKey":"_id","indexed":[`+indexed+`],`+props)})
		require.NoError(t, err)
		return db
	}
	db := open(`"m"`)
	var ops []Op
	for i := 0; i < 500; i++ {
		o := Object{"_id": int64(i), "a": int64(i % 17), "m": string(rune('a' + i%23))}
		if i%5 > 0 {
			o["z"] = float64(i%11) - 5.5
		}
		ops = append(ops, Op{Kind: OpCreate, Class: "T", Value: o})
	}
	require.NoError(t, db.Apply(ops))
	require.NoError(t, db.Close())
	check := func(db *DB) {
		t.Helper()
		for _, q := range []Query{
			{Class: "T", Filter: "a == 3"}, {Class: "T", Filter: "a > 12"}, {Class: "T", Filter: "m == 'c'"},
			{Class: "T", Filter: "m >= 'k' AND m < 'p'"}, {Class: "T", Filter: "z < -2"}, {Class: "T", Filter: "z >= 0.5 AND z <= 3"},
		} {
			got, err := db.Query(q)
			require.NoError(t, err)
			var want []Object
			all, err := db.Query(Query{Class: "T"})
			require.NoError(t, err)
			cq, err := compileQuery(db.e, q)
			require.NoError(t, err)
			for _, o := range all {
				if cq.match(o) {
					want = append(want, o)
				}
			}
			require.NotEmpty(t, want, q.Filter)
			require.Equal(t, want, got, q.Filter)
		}
	}
	for _, indexed := range []string{`"a","m","z"`, `"z"`, `"a","m"`, ``} {
		db = open(indexed)
		check(db)
		require.NoError(t, db.Close())
		db = open(indexed)
		check(db)
		require.NoError(t, db.Close())
	}
}
