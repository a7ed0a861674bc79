package store

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/engine"
)

// DB is one handle on a database. Handles that open the same path in one
// process share the data; each has its own listeners and its own Close.
// A DB is safe for concurrent use.
type DB struct {
	handle // the engine behind it, for core/session and internal/boundary (engine.Of)
}

// handle names engine.Handle so that the embedded field is unexported.
type handle = engine.Handle

func wrap(e *engine.DB, err error) (*DB, error) {
	if err != nil {
		return nil, err
	}
	return &DB{engine.NewHandle(e)}, nil
}

// eng is the engine handle; nil for a nil DB, which the engine reports as
// closed.
func (db *DB) eng() *engine.DB {
	if db == nil {
		return nil
	}
	return engine.Of(db)
}

// Open opens (creating if needed) the database described by o.
func Open(o Options) (*DB, error) { return wrap(engine.Open(o)) }

// OpenReadOnly opens a database file as a private, read-only view (a
// client reset's backup): nothing is locked, and writes are refused.
func OpenReadOnly(path string) (*DB, error) { return wrap(engine.OpenReadOnly(path)) }

// Close closes this handle: its listeners stop, and the database closes
// when its last handle does. Closing twice is a Closed error.
func (db *DB) Close() error { return db.eng().Close() }

// IsClosed reports whether Close was called on this handle.
func (db *DB) IsClosed() bool { return db.eng().IsClosed() }

// ReadOnly reports whether the handle is a read-only view (Options.ReadOnly,
// OpenReadOnly).
func (db *DB) ReadOnly() bool { return db.eng().ReadOnly() }

// Path returns the database's file path ("" in memory).
func (db *DB) Path() string { return db.eng().Path() }

// Schema returns the database's schema.
func (db *DB) Schema() (*schema.Schema, error) { return db.eng().Schema() }

// Compact rewrites the log as a snapshot of the current state.
func (db *DB) Compact() error { return db.eng().Compact() }

// DataVersion is a number that changes with every commit that may change
// objects (local, downloaded, a schema change): what a caller read stays
// valid while it is the same.
func (db *DB) DataVersion() (int64, error) { return db.eng().DataVersion() }

// DeleteDatabase deletes the database file at path and its compaction
// temp file (Realm's deleteFile): a database the app no longer wants, or
// a client reset's backup once the app has taken what it needs from it.
// Every instance in this process must be closed (InvalidArgument) and no
// other process may have it open (IO). A missing file is not an error; a
// file that is not a Tether database is left alone (Corrupted), so a
// wrong path never deletes someone else's data.
func DeleteDatabase(path string) error { return engine.DeleteDatabase(path) }
