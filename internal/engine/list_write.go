package engine

import (
	"github.com/tethersync/tether/internal/ops"
)

// needsState reports whether a resolved op is made against the object's
// current state: a list op, or an update or upsert that assigns a list
// (recorded as per-element edits, so concurrent edits of it survive).
func (tx *WriteTx) needsState(cop *ChangeOp) bool {
	c := tx.e.schema.Class(cop.Class)
	return c != nil && ops.NeedsState(c, cop)
}

// doExpanded applies an op that reads the object first: ops.Expand turns
// it into what the changeset records, and each of those applies as any
// op does (the same code replay, rebase and the server run).
func (tx *WriteTx) doExpanded(op Op, cop ChangeOp) error {
	c := tx.e.schema.Class(cop.Class)
	o, err := tx.e.loadObject(tx.tx, c.Name, cop.Key)
	if err == nil {
		var out []ChangeOp
		if out, err = ops.Expand(op, cop, c, &o, tx.stamp, &tx.seq); err == nil {
			for i := range out {
				if err = tx.e.applyLocalOp(tx.tx, &out[i], tx.stamp, tx.tr, tx.noted, true); err != nil {
					break
				}
				tx.record(out[i])
			}
		}
	}
	if err != nil {
		tx.err = err // spoiled, as in Do
	}
	return err
}
