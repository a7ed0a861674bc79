package engine

import (
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

// The changeset types live in internal/crdt, shared with the server; these
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
	OpList          = crdt.OpList
	OriginLocal     = crdt.OriginLocal
	OriginRemote    = crdt.OriginRemote
	OriginRecovered = crdt.OriginRecovered
)

// Op is one change to one object, as an app asks for it (the type is
// internal/ops', whose rules the server's own writes share).
type Op = ops.Op

func encodeChangeset(cs *Changeset) []byte { return crdt.EncodeChangeset(cs) }

func decodeChangeset(b []byte) (*Changeset, error) {
	cs, err := crdt.DecodeChangeset(b)
	if err != nil {
		return nil, terror.Wrap(terror.Corrupted, err, "changeset")
	}
	return cs, nil
}
