// Package ops holds the rules of an app's write ops that the client store
// and the server's own writes share: reading them from JSON (Parse) and
// resolving them against a schema into the changeset op a client logs
// (Resolve), so that a server write is exactly what a client would upload.
package ops

import "github.com/tethersync/tether/internal/crdt"

// Op is one change to one object, as an app asks for it.
type Op struct {
	Kind  crdt.OpKind
	Class string
	// Key is the primary key (update, delete, increment; create and upsert
	// take it from Value).
	Key any
	// Value holds the properties of create and upsert; Set those of update.
	Value map[string]any
	Set   map[string]any
	// Field and By describe an increment (By is an int64 or a float64).
	Field string
	By    any
	// List holds a list op's arguments (Kind OpList; the property is Field).
	List *ListArgs
	// Keyed holds a dictionary or set op's arguments (Kind OpDict or
	// OpSet; the property is Field).
	Keyed *KeyedArgs
}
