package crdt

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tethersync/tether/core/value"
)

type stamped struct {
	op *ChangeOp
	st Stamp
}

func addr(city, zip string) value.Object { return value.Object{"city": city, "zip": zip} }

func embeddedBase() *Object {
	o := &Object{}
	Apply(o, create(Field{"_id", "p"}, Field{"address", addr("Oslo", "0150")}), s(1, 1), nil)
	return o
}

// applyAll applies ops to a fresh base in every order (up to n shuffles)
// and checks that every order gives the same object.
func requireCommutes(t *testing.T, ops []stamped) *Object {
	t.Helper()
	var want []byte
	var first *Object
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 24; i++ {
		o := embeddedBase()
		for _, k := range rng.Perm(len(ops)) {
			Apply(o, ops[k].op, ops[k].st, nil)
		}
		got := EncodeObjectState(o, nil)
		if want == nil {
			want, first = got, o
			continue
		}
		require.Equal(t, want, got, "order %d", i)
	}
	return first
}

func TestEmbeddedConcurrentFieldEditsBothSurvive(t *testing.T) {
	o := requireCommutes(t, []stamped{
		{update(Field{"address.city", "Bergen"}), s(2, 1)},
		{update(Field{"address.zip", "5003"}), s(2, 2)},
	})
	require.Equal(t, addr("Bergen", "5003"), o.Fields["address"])
}

func TestEmbeddedReplacementAgainstFieldEdits(t *testing.T) {
	// A replacement stamped later wins over an older edit of a field and
	// loses to a newer one, in either order.
	o := requireCommutes(t, []stamped{
		{update(Field{"address.city", "Bergen"}), s(2, 1)},
		{update(Field{"address", addr("Trondheim", "7010")}), s(3, 2)},
		{update(Field{"address.zip", "7011"}), s(4, 1)},
	})
	require.Equal(t, addr("Trondheim", "7011"), o.Fields["address"])
	require.Equal(t, s(4, 1), o.Stamps["address.zip"])
	_, stale := o.Stamps["address.city"]
	require.False(t, stale, "an edit the replacement overrode has no stamp left")

	o = requireCommutes(t, []stamped{
		{update(Field{"address", nil}), s(3, 2)},
		{update(Field{"address.city", "Bergen"}), s(4, 1)},
	})
	require.Nil(t, o.Fields["address"], "an edit inside a null object changes nothing")
}

func TestEmbeddedNestedPaths(t *testing.T) {
	o := &Object{}
	Apply(o, create(Field{"_id", "p"}, Field{"address", value.Object{"city": "Oslo", "geo": value.Object{"lat": 1.0, "lon": 2.0}}}), s(1, 1), nil)
	base := EncodeObjectState(o, nil)
	Apply(o, update(Field{"address.geo.lat", 5.0}), s(2, 1), nil)
	Apply(o, update(Field{"address.geo", value.Object{"lat": 7.0, "lon": 8.0}}), s(3, 1), nil)
	Apply(o, update(Field{"address.geo.lon", 9.0}), s(2, 2), nil) // older than the replacement of geo
	require.Equal(t, value.Object{"city": "Oslo", "geo": value.Object{"lat": 7.0, "lon": 8.0}}, o.Fields["address"])
	// Copy on write: the state the base was encoded from is untouched.
	again, err := DecodeObjectState(base, nil)
	require.NoError(t, err)
	require.Equal(t, 1.0, again.Fields["address"].(value.Object)["geo"].(value.Object)["lat"])
}

func TestEmbeddedPathStampsRoundTrip(t *testing.T) {
	o := embeddedBase()
	Apply(o, update(Field{"address.city", "Bergen"}), s(2, 1), nil)
	b := EncodeObjectState(o, nil)
	back, err := DecodeObjectState(b, nil)
	require.NoError(t, err)
	require.Equal(t, o.Stamps, back.Stamps)
	require.Equal(t, o.Fields, back.Fields)
	for i := 0; i < len(b); i++ {
		_, err := DecodeObjectState(b[:i], nil)
		require.Error(t, err, "cut at %d", i)
	}
	// The encoder writes no stamp of a path into a property the object
	// lacks; the decoder refuses one as damage, and a bad stamp too.
	enc := AppendObjectLists(nil, map[string]any{"a": int64(1)}, map[string]Stamp{"a": s(1, 1), "b.c": s(2, 1)}, nil, nil)
	back, err = DecodeObjectState(enc, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]Stamp{"a": s(1, 1)}, back.Stamps)
	head := []byte{0x94, 0x81, 0xa1, 'a', 0x01, 0x92, 0x01, 0x01, 0x80}
	for _, tail := range [][]byte{
		append([]byte{0x81, 0xa3, 'b', '.', 'c', 0xc4, 16}, make([]byte, 16)...), // b is not a property here
		append([]byte{0x81, 0xa3, 'a', '.', 'c', 0xc4, 15}, make([]byte, 15)...), // a stamp is 16 bytes
		{0x80}, // an empty item is not written
		append(append([]byte{0x82, 0xa3, 'a', '.', 'c', 0xc4, 16}, make([]byte, 16)...), append([]byte{0xa3, 'a', '.', 'c', 0xc4, 16}, make([]byte, 16)...)...), // twice
	} {
		_, err = DecodeObjectState(append(append([]byte{}, head...), tail...), nil)
		require.Error(t, err, "%x", tail)
	}
	good := append(append([]byte{}, head...), append([]byte{0x81, 0xa3, 'a', '.', 'c', 0xc4, 16}, make([]byte, 16)...)...)
	_, err = DecodeObjectState(good, nil)
	require.NoError(t, err)
}

func TestEmbeddedMergeState(t *testing.T) {
	a, b := embeddedBase(), embeddedBase()
	Apply(a, update(Field{"address.city", "Bergen"}), s(2, 1), nil)
	Apply(b, update(Field{"address.zip", "5003"}), s(2, 2), nil)
	MergeState(a, b)
	require.Equal(t, addr("Bergen", "5003"), a.Fields["address"])
	c := embeddedBase()
	Apply(c, update(Field{"address", addr("Moss", "1530")}), s(3, 3), nil)
	MergeState(a, c)
	require.Equal(t, addr("Moss", "1530"), a.Fields["address"])
}
