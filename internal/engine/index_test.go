package engine

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndexAgreesWithScan: every query answered through an index returns
// exactly what the same query over an unindexed copy of the property
// returns by scanning.
func TestIndexAgreesWithScan(t *testing.T) {
	s := mustSchema(t, `[{"name":"T","primaryKey":"_id","indexed":["a","s"],
	  "properties":{"_id":"int","a":"int?","b":"int?","s":"string?","u":"string?"}}]`)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	rng := rand.New(rand.NewSource(1))
	var ops []Op
	for i := 0; i < 2000; i++ {
		o := Object{"_id": int64(i)}
		if rng.Intn(10) > 0 {
			v := int64(rng.Intn(200) - 100)
			o["a"], o["b"] = v, v
		}
		if rng.Intn(10) > 0 {
			v := fmt.Sprintf("k%03d", rng.Intn(300))
			o["s"], o["u"] = v, v
		}
		ops = append(ops, Op{Kind: OpCreate, Class: "T", Value: o})
	}
	require.NoError(t, db.Apply(ops))
	keys := func(q Query) []any {
		objs, err := db.Query(q)
		require.NoError(t, err)
		out := make([]any, len(objs))
		for i, o := range objs {
			out[i] = o["_id"]
		}
		return out
	}
	filters := []string{"%s == $0", "%s != $0", "%s < $0", "%s <= $0", "%s > $0", "%s >= $0",
		"%s > $0 AND %s < $1", "%s >= $0 AND %s <= $1", "%s == null", "%s > $0 OR %s == $1"}
	for i := 0; i < 300; i++ {
		f := filters[rng.Intn(len(filters))]
		var args []any
		var ip, sp string
		if rng.Intn(2) == 0 {
			ip, sp = "a", "b"
			x, y := int64(rng.Intn(220)-110), int64(rng.Intn(220)-110)
			if rng.Intn(3) == 0 {
				args = []any{float64(x) + 0.5, float64(y)}
			} else {
				args = []any{x, y}
			}
		} else {
			ip, sp = "s", "u"
			args = []any{fmt.Sprintf("k%03d", rng.Intn(320)), fmt.Sprintf("k%03d", rng.Intn(320))}
		}
		n := len(f) / 2
		_ = n
		fi := fmt.Sprintf(f, ip, ip)
		fs := fmt.Sprintf(f, sp, sp)
		fi, fs = trimExtra(fi), trimExtra(fs)
		require.Equal(t, keys(Query{Class: "T", Filter: fs, Args: args}), keys(Query{Class: "T", Filter: fi, Args: args}), "%s %v", fi, args)
	}
}

// trimExtra drops the "%!(EXTRA ...)" Sprintf appends when a format uses
// the property once.
func trimExtra(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == '!' {
			return s[:i]
		}
	}
	return s
}
