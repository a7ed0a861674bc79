package engine

import (
	"strings"

	"github.com/tethersync/tether/internal/crdt"
)

// missingElem reports whether an update writes a field path into a list
// element the recovered state no longer has (removed on the server, or
// the list replaced): that part cannot apply (crdt/elem_path.go changes
// nothing there) and recovery reports it as AnchorMissing, as it reports
// a listSet of a removed element; the update's other fields still apply.
func missingElem(o *crdt.Object, op *ChangeOp) bool {
	if op.Kind != OpUpdate {
		return false
	}
	p := crdt.MissingParent(o, op)
	return p != "" && strings.IndexByte(p, '[') >= 0
}
