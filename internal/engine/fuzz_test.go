package engine

import (
	"testing"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// FuzzDecodeRecord feeds arbitrary bytes to every decoder of stored data:
// a damaged file must give errors, never a panic.
func FuzzDecodeRecord(f *testing.F) {
	s, _ := schema.FromJSON([]byte(dogSchema))
	c := s.Class("Dog")
	l := newLayout(c)
	f.Add([]byte(encodeRecord(l, &record{
		fields: map[string]any{"_id": "1", "name": "Rex", "age": int64(3), "tags": []any{"a", "b"}},
		stamps: map[string]crdt.Stamp{"_id": {HLC: 1, Client: 2}, "name": {HLC: 1}, "age": {HLC: 3}, "tags": {HLC: 4}},
	})))
	f.Add(encodeChangeset(&Changeset{Version: 3, Stamp: crdt.Stamp{HLC: 9, Client: 1}, Ops: []ChangeOp{
		{Kind: OpCreate, Class: "Dog", Key: "1", Fields: []Field{{Name: "_id", Value: "1"}, {Name: "name", Value: "Rex"}}},
		{Kind: OpIncrement, Class: "Dog", Key: "1", Fields: []Field{{Name: "age", Value: int64(2)}}},
	}}))
	f.Add(appendRecord(fileHeader(), 0, recMeta, meta{"a": 1}.encode()))
	f.Add(value.Append(nil, []any{"x", int64(1), 2.5, nil, true, []byte{1}, value.UUID{}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeRecord(b, true, l.order); err == nil {
			_ = encodeRecord(l, &record{fields: filterKnown(c, r.fields), stamps: r.stamps})
		}
		_ = indexKey(string(b), 0)
		_ = indexKey(string(b), 1)
		_ = indexLess(1)(string(b), string(b))
		if cs, err := decodeChangeset(b); err == nil {
			_ = encodeChangeset(cs)
		}
		_, _ = decodeMeta(b)
		_, _ = decodeDownload(b)
		_, _ = decodeResetState(b)
		_, _ = decodeBinList(b)
		_, _ = decodeSynced(b)
		_, _, _ = parseLog(b)
		_ = loadStateChunkCheck(b)
		_, _, _ = value.Decode(b)
	})
}

func filterKnown(c *schema.Class, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if c.Property(k) != nil {
			out[k] = v
		}
	}
	return out
}

// loadStateChunkCheck parses a state chunk into a throwaway in-memory
// database.
func loadStateChunkCheck(b []byte) error {
	db, err := Open(Options{InMemory: true})
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.e.bunt.Begin(true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return loadStateChunk(tx, b, map[string]bool{})
}
