package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/value"
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
