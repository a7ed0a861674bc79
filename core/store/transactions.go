package store

import "github.com/tethersync/tether/internal/engine"

// WriteTx is an open write transaction. Its ops apply in order; if any
// fails, or the function passed to Write returns an error, nothing of the
// transaction remains.
type WriteTx struct{ tx *engine.WriteTx }

// Write runs fn in a write transaction and commits it: durably (per the
// sync policy) before Write returns, then the change listeners run.
func (db *DB) Write(fn func(tx *WriteTx) error) error {
	return db.eng().Write(func(tx *engine.WriteTx) error { return fn(&WriteTx{tx}) })
}

// Apply commits a batch of ops as one transaction (the coarse form the
// bindings use).
func (db *DB) Apply(ops []Op) error { return db.eng().Apply(ops) }

// Do applies one op.
func (tx *WriteTx) Do(op Op) error { return tx.tx.Do(op) }

// Create adds a new object; DuplicateKey if its primary key exists.
func (tx *WriteTx) Create(class string, obj Object) error { return tx.tx.Create(class, obj) }

// Upsert creates the object or sets the given properties of the existing one.
func (tx *WriteTx) Upsert(class string, obj Object) error { return tx.tx.Upsert(class, obj) }

// Update sets properties of an existing object; NotFound if it is absent.
func (tx *WriteTx) Update(class string, key any, set Object) error {
	return tx.tx.Update(class, key, set)
}

// Delete removes an object; NotFound if it is absent.
func (tx *WriteTx) Delete(class string, key any) error { return tx.tx.Delete(class, key) }

// Increment adds by to a numeric property (merged as a counter by sync).
func (tx *WriteTx) Increment(class string, key any, field string, by any) error {
	return tx.tx.Increment(class, key, field, by)
}

// Get reads an object as this transaction sees it.
func (tx *WriteTx) Get(class string, key any) (Object, error) { return tx.tx.Get(class, key) }
