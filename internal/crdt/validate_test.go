package crdt

import (
	"testing"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// CheckOp hands back what every replica's store fits an op to: values in
// canonical form, so the server merges what the replicas merge.
func TestCheckOpCanonicalForm(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"Dog","primaryKey":"n","properties":{"n":"int","w":"double?","tags":"string[]"}}]`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := CheckOp(s, &ChangeOp{Kind: OpUpsert, Class: "Dog", Key: 3.0, Fields: []Field{{Name: "n", Value: int64(3)}, {Name: "w", Value: int64(2)}, {Name: "tags", Value: nil}}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != int64(3) || got.Fields[1].Value != 2.0 {
		t.Fatalf("not canonical: %#v", got)
	}
	if l, ok := got.Fields[2].Value.([]any); !ok || len(l) != 0 {
		t.Fatalf("a null list is not the empty list: %#v", got.Fields[2].Value)
	}
	inc, err := CheckOp(s, &ChangeOp{Kind: OpIncrement, Class: "Dog", Key: int64(3), Fields: []Field{{Name: "w", Value: int64(1)}}})
	if err != nil || inc.Fields[0].Value != 1.0 {
		t.Fatalf("increment of a double by an int: %#v, %v", inc, err)
	}
	_, err = CheckOp(s, &ChangeOp{Kind: OpIncrement, Class: "Dog", Key: int64(3), Fields: []Field{{Name: "n", Value: int64(1)}}})
	if !terror.Is(err, terror.InvalidArgument) {
		t.Fatalf("increment of the primary key: %v", err)
	}
}
