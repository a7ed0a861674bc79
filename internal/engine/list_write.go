package engine

import (
	"github.com/tethersync/tether/internal/crdt"
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
		lk := linker{tx.e, tx.tx}
		here := func(class string, key any) bool { return pkEncodable(key) && lk.exists(class, key) }
		if out, err = ops.ExpandResolved(op, cop, c, &o, tx.stamp, &tx.seq, here); err == nil {
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

// ListArgs are a list op's arguments (Op.List; the property is Op.Field).
type ListArgs = ops.ListArgs

func listDo(tx *WriteTx, class string, key any, field string, a ListArgs) error {
	return tx.Do(Op{Kind: OpList, Class: class, Key: key, Field: field, List: &a})
}

// ListInsert puts v into a list property at visible index i (0..len).
func (tx *WriteTx) ListInsert(class string, key any, field string, i int, v any) error {
	return listDo(tx, class, key, field, ops.NewListArgs(crdt.EditInsert, i, 0, 0, v))
}

// ListSet replaces the value at visible index i.
func (tx *WriteTx) ListSet(class string, key any, field string, i int, v any) error {
	return listDo(tx, class, key, field, ops.NewListArgs(crdt.EditSet, i, 0, 0, v))
}

// ListRemove removes the element at visible index i.
func (tx *WriteTx) ListRemove(class string, key any, field string, i int) error {
	return listDo(tx, class, key, field, ops.NewListArgs(crdt.EditRemove, i, 0, 0, nil))
}

// ListMove moves the element at index from to index to.
func (tx *WriteTx) ListMove(class string, key any, field string, from, to int) error {
	return listDo(tx, class, key, field, ops.NewListArgs(crdt.EditMove, 0, from, to, nil))
}

// ListClear removes every element the transaction sees (concurrent
// inserts elsewhere survive it).
func (tx *WriteTx) ListClear(class string, key any, field string) error {
	return listDo(tx, class, key, field, ops.NewListArgs(crdt.EditClear, 0, 0, 0, nil))
}
