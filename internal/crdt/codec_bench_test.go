package crdt

import (
	"fmt"
	"testing"
	"time"

	"github.com/tethersync/tether/core/value"
)

// benchChangeset is a realistic upload: creates of an eight-property
// object, updates of two fields, increments and deletes.
func benchChangeset() *Changeset {
	cs := &Changeset{Version: 412, Stamp: Stamp{HLC: 0x18c2f3a4b5c60001, Client: 17}}
	at := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		key := fmt.Sprintf("dog-%04d", i)
		switch i % 4 {
		case 0, 1:
			cs.Ops = append(cs.Ops, ChangeOp{Kind: OpCreate, Class: "Dog", Key: key, Fields: []Field{
				{Name: "_id", Value: key}, {Name: "name", Value: "Rex the " + key}, {Name: "age", Value: int64(i)},
				{Name: "weight", Value: 12.5}, {Name: "born", Value: at}, {Name: "tags", Value: []any{"good", "brown"}},
				{Name: "owner", Value: value.UUID{1, 2, 3}}, {Name: "chip", Value: []byte{9, 8, 7, 6}},
			}})
		case 2:
			cs.Ops = append(cs.Ops, ChangeOp{Kind: OpUpdate, Class: "Dog", Key: key, Fields: []Field{
				{Name: "name", Value: "Max"}, {Name: "weight", Value: 13.25},
			}})
		default:
			cs.Ops = append(cs.Ops, ChangeOp{Kind: OpIncrement, Class: "Dog", Key: key, Fields: []Field{{Name: "age", Value: int64(1)}}})
			cs.Ops = append(cs.Ops, ChangeOp{Kind: OpDelete, Class: "Cat", Key: int64(i)})
		}
	}
	return cs
}

func BenchmarkDecodeChangeset(b *testing.B) {
	enc := EncodeChangeset(benchChangeset())
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeChangeset(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// benchObject is a stored object of eight properties.
func benchObject() ([]byte, []string) {
	names := []string{"_id", "name", "age", "weight", "born", "tags", "owner", "chip"}
	vals := []any{"dog-0001", "Rex", int64(3), 12.5, time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC), []any{"good"}, value.UUID{1}, []byte{9, 8}}
	return AppendNewObject(nil, names, vals, Stamp{HLC: 0x18c2f3a4b5c60001, Client: 17}), names
}

func BenchmarkDecodeObject(b *testing.B) {
	enc, _ := benchObject()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := DecodeObject(enc, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeObjectNames is a query's decode: no stamps, names reused.
func BenchmarkDecodeObjectNames(b *testing.B) {
	enc, names := benchObject()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := DecodeObjectNames(enc, false, names); err != nil {
			b.Fatal(err)
		}
	}
}
