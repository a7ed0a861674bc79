package store

import "github.com/tethersync/tether/internal/engine"

// List ops edit a list property per element, by visible index: concurrent
// edits of one list on other devices all survive (DESIGN.md).

// OpList is the kind of an Op that edits a list (Op.Field, Op.List).
const OpList = engine.OpList

// ListInsert puts v into a list property at index i (0..len).
func (tx *WriteTx) ListInsert(class string, key any, field string, i int, v any) error {
	return tx.tx.ListInsert(class, key, field, i, v)
}

// ListSet replaces the value at index i.
func (tx *WriteTx) ListSet(class string, key any, field string, i int, v any) error {
	return tx.tx.ListSet(class, key, field, i, v)
}

// ListRemove removes the element at index i.
func (tx *WriteTx) ListRemove(class string, key any, field string, i int) error {
	return tx.tx.ListRemove(class, key, field, i)
}

// ListMove moves the element at index from to index to.
func (tx *WriteTx) ListMove(class string, key any, field string, from, to int) error {
	return tx.tx.ListMove(class, key, field, from, to)
}

// ListClear removes every element the transaction sees.
func (tx *WriteTx) ListClear(class string, key any, field string) error {
	return tx.tx.ListClear(class, key, field)
}
