package boundary

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/engine"
)

// TestTranscodeMatchesDecodedObject: a point read's JSON, written straight
// from the stored bytes, is byte for byte what encoding the decoded object
// gives, for every kind of value and for absent optional properties.
func TestTranscodeMatchesDecodedObject(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","indexed":["i"],"properties":{"_id":"string",
	  "s":"string?","i":"int?","d":"double?","b":"bool?","t":"date?","bin":"data?","o":"objectId?","u":"uuid?","l":"string[]","n":{"type":"int","default":0}}}]`))
	require.NoError(t, err)
	db, err := store.Open(store.Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	objs := []store.Object{
		{"_id": "full", "s": "a\"\\\n\x01é", "i": int64(-1 << 40), "d": 2.0, "b": true, "t": time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC),
			"bin": []byte{1, 2}, "o": value.ObjectID{1}, "u": value.UUID{2}, "l": []any{"x", "y"}, "n": int64(300)},
		{"_id": "sparse"},
		{"_id": "small", "i": int64(5), "d": -0.5, "n": int64(-7)},
	}
	for _, o := range objs {
		require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "T", Value: o}}))
		decoded, err := db.Get("T", o["_id"])
		require.NoError(t, err)
		var got []byte
		require.NoError(t, engine.Of(db).GetEncoded("T", o["_id"], func(obj []byte, c *schema.Class) error {
			got, err = appendEncodedObject(nil, obj, c)
			return err
		}))
		require.Equal(t, string(AppendObject(nil, decoded)), string(got), "%v", o["_id"])
	}
}

// TestTranscodeRefusesDamage: every cut of a stored object's properties
// (the stamps after them are not read), and a nil where a property name
// stands, is a Corrupted error, never a panic.
func TestTranscodeRefusesDamage(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","properties":{"_id":"string","l":"string[]"}}]`))
	require.NoError(t, err)
	c := s.Class("T")
	obj := crdt.EncodeObject(map[string]any{"_id": "a", "l": []any{"x"}}, nil, nil)
	_, err = appendEncodedObject(nil, obj, c)
	require.NoError(t, err)
	props, err := value.Skip(obj[1:])
	require.NoError(t, err)
	for n := range 1 + props {
		_, err := appendEncodedObject(nil, obj[:n], c)
		require.Equal(t, terror.Corrupted, terror.CodeOf(err), "cut at %d: %v", n, err)
	}
	_, err = appendEncodedObject(nil, []byte{0x92, 0x81, 0xc0, 0x01, 0x92, 0x00, 0x00}, c)
	require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%v", err)
	_, err = appendEncodedObject(nil, []byte{0x95, 0x80, 0x90, 0x80, 0x80, 0x90}, c)
	require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%v", err)
	// A third item (list states) and a fourth (path stamps of embedded
	// objects) are part of the form, not damage.
	_, err = appendEncodedObject(nil, []byte{0x93, 0x80, 0x90, 0x80}, c)
	require.NoError(t, err)
	_, err = appendEncodedObject(nil, []byte{0x94, 0x80, 0x90, 0x80, 0x80}, c)
	require.NoError(t, err)
}
