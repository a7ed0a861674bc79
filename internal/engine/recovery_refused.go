package engine

// Flexible sync's part of recovery: the server checks a recovered
// changeset's ops against its rules and the view, op by op, and names
// each refused op (the changeset's client version, the op's index). The
// session turns each into the app ops the after-reset event reports as
// dropped with DropPermissionDenied.

import "github.com/tethersync/tether/core/terror"

// RefusedOps reports the app ops of op number index of the encoded
// changeset data (a pending upload) as dropped for reason. An index out of
// range (a hostile or confused server) is InvalidArgument.
func RefusedOps(data []byte, index int, reason string) ([]DroppedOp, error) {
	cs, err := decodeChangeset(data)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(cs.Ops) {
		return nil, terror.New(terror.InvalidArgument, "op %d of a changeset of %d ops", index, len(cs.Ops))
	}
	return dropAll(&cs.Ops[index], reason)
}
