package crdt

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
)

// FuzzDecodeChangeset feeds arbitrary bytes to the changeset and object
// decoders (the wire's and the logs' payloads): an error or a value that
// encodes back, never a panic.
func FuzzDecodeChangeset(f *testing.F) {
	f.Add(EncodeChangeset(&Changeset{Version: 3, Stamp: Stamp{HLC: 9, Client: 1}, Ops: []ChangeOp{
		{Kind: OpCreate, Class: "Dog", Key: "1", Fields: []Field{{Name: "_id", Value: "1"}, {Name: "tags", Value: []any{"a"}}}},
		{Kind: OpIncrement, Class: "Dog", Key: int64(1), Fields: []Field{{Name: "age", Value: int64(2)}}},
		{Kind: OpDelete, Class: "Dog", Key: "2"},
		ListOp("Dog", "1", "tags", []Edit{{Kind: EditInsert, Value: "a"}, {Kind: EditClear, Elems: []ID{{HLC: 9, Client: 1}}}}),
	}}))
	f.Add(EncodeObject(map[string]any{"a": int64(1), "b": "x"}, map[string]Stamp{"a": {HLC: 1}, "b": {HLC: 2, Client: 3}}, []string{"a", "b"}))
	f.Add([]byte{0x95, 0, 1, 1, 1, 0xdd, 0x00, 0xf4, 0x24, 0x00})
	// Embedded objects: an object value, a field path, path stamps.
	f.Add(EncodeChangeset(&Changeset{Version: 4, Stamp: Stamp{HLC: 9, Client: 1}, Ops: []ChangeOp{
		{Kind: OpCreate, Class: "P", Key: "1", Fields: []Field{{Name: "_id", Value: "1"}, {Name: "home", Value: value.Object{"city": "Oslo", "geo": value.Object{"lat": 1.5}}}}},
		{Kind: OpUpdate, Class: "P", Key: "1", Fields: []Field{{Name: "home.city", Value: "Bergen"}}},
	}}))
	f.Add(EncodeObject(map[string]any{"home": value.Object{"city": "Oslo"}}, map[string]Stamp{"home": {HLC: 1}, "home.city": {HLC: 2, Client: 3}}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if cs, err := DecodeChangeset(b); err == nil {
			again, err := DecodeChangeset(EncodeChangeset(cs))
			require.NoError(t, err)
			require.Equal(t, len(cs.Ops), len(again.Ops))
		}
		_, _, _ = DecodeObject(b, true)
		_, _, _ = DecodeObject(b, false)
		if o, err := DecodeObjectState(b, nil); err == nil {
			again, err := DecodeObjectState(EncodeObjectState(o, nil), nil)
			require.NoError(t, err)
			require.Equal(t, len(o.Stamps), len(again.Stamps))
			Apply(o, &ChangeOp{Kind: OpUpdate, Fields: []Field{{Name: "home.city", Value: "x"}, {Name: "a..b", Value: nil}}}, Stamp{HLC: 5}, nil)
		}
	})
}
