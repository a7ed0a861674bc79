package engine

import (
	"github.com/tethersync/tether/core/crdt"
	"github.com/tethersync/tether/core/terror"
)

// The changeset types live in core/crdt, shared with the server; these
// names keep the store's API self-contained.
type (
	OpKind    = crdt.OpKind
	Changeset = crdt.Changeset
	ChangeOp  = crdt.ChangeOp
	Field     = crdt.Field
	Origin    = crdt.Origin
)

const (
	OpCreate        = crdt.OpCreate
	OpUpsert        = crdt.OpUpsert
	OpUpdate        = crdt.OpUpdate
	OpDelete        = crdt.OpDelete
	OpIncrement     = crdt.OpIncrement
	OriginLocal     = crdt.OriginLocal
	OriginRemote    = crdt.OriginRemote
	OriginRecovered = crdt.OriginRecovered
)

// Op is one change to one object, as an app asks for it.
type Op struct {
	Kind  OpKind
	Class string
	// Key is the primary key (update, delete, increment; create and upsert
	// take it from Value).
	Key any
	// Value holds the properties of create and upsert; Set those of update.
	Value Object
	Set   Object
	// Field and By describe an increment (By is an int64 or a float64).
	Field string
	By    any
}

func encodeChangeset(cs *Changeset) []byte { return crdt.EncodeChangeset(cs) }

func decodeChangeset(b []byte) (*Changeset, error) {
	cs, err := crdt.DecodeChangeset(b)
	if err != nil {
		return nil, terror.Wrap(terror.Corrupted, err, "changeset")
	}
	return cs, nil
}
