package boundary

import (
	"testing"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// FuzzTranscode feeds arbitrary bytes to the point read's transcoder as a
// stored object: JSON or a Corrupted error, never a panic.
func FuzzTranscode(f *testing.F) {
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","properties":{"_id":"string","i":"int?","l":"string[]"}}]`))
	if err != nil {
		f.Fatal(err)
	}
	c := s.Class("T")
	f.Add(crdt.EncodeObject(map[string]any{"_id": "a", "i": int64(-3), "l": []any{"x"}}, nil, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := appendEncodedObject(nil, b, c); err != nil && terror.CodeOf(err) != terror.Corrupted {
			t.Fatalf("not Corrupted: %v", err)
		}
	})
}
