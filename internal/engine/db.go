// Package engine is Tether's local object database behind core/store:
// typed objects in classes, all-or-nothing write transactions, queries,
// change listeners, and the local history that sync uploads, plus the
// hooks a sync session and a client reset drive (downloads, pending
// uploads, sync progress, the reset steps). State lives in buntdb (in
// memory); a write-ahead log of our own makes every commit atomic and
// durable (see wal.go). Apps use core/store, which shows only what an app
// calls; core/session and internal/boundary reach the engine with Of.
package engine

import (
	"sync"
	"sync/atomic"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// DB is one handle on a database. Handles that open the same path in one
// process share the data; each has its own listeners and its own Close.
// A DB is safe for concurrent use.
type DB struct {
	e      *engine
	closed atomic.Bool
	mu     sync.Mutex
	owned  []*listener
	// closers: OnClose hooks, by id.
	closers    map[int]func()
	nextCloser int
}

// Open opens (creating if needed) the database described by o.
func Open(o Options) (*DB, error) {
	if o.Sync < SyncFull || o.Sync > SyncNone {
		return nil, terror.New(terror.InvalidArgument, "unknown sync policy %d", o.Sync)
	}
	if o.ReadOnly {
		if o.InMemory {
			return nil, terror.New(terror.InvalidArgument, "an in-memory database cannot be opened read-only")
		}
		if o.Path == "" {
			return nil, terror.New(terror.InvalidArgument, "a path is required unless the database is in memory")
		}
		return OpenReadOnly(o.Path)
	}
	e, err := acquireEngine(o)
	if err != nil {
		return nil, err
	}
	return &DB{e: e}, nil
}

// Close closes this handle: its sync sessions end (OnClose), its
// listeners stop, and the database closes when its last handle does.
// Closing twice is a Closed error.
func (db *DB) Close() error {
	if db == nil || db.closed.Load() {
		return terror.New(terror.Closed, "the database is already closed")
	}
	// The sessions end first, while the database still answers them.
	db.runClosers()
	if !db.closed.CompareAndSwap(false, true) {
		return terror.New(terror.Closed, "the database is already closed")
	}
	db.mu.Lock()
	for _, l := range db.owned {
		db.e.removeListener(l)
	}
	db.owned = nil
	db.mu.Unlock()
	return db.e.release()
}

// ReadOnly reports whether the handle is a read-only view (Options.ReadOnly,
// OpenReadOnly).
func (db *DB) ReadOnly() bool { return db.e.readOnly }

// IsClosed reports whether Close was called on this handle.
func (db *DB) IsClosed() bool { return db.closed.Load() }

// enter makes sure the handle and engine are open and holds the engine
// open until the returned function is called.
func (db *DB) enter() (func(), error) {
	if db == nil || db.closed.Load() {
		return nil, terror.New(terror.Closed, "the database is closed")
	}
	db.e.mu.RLock()
	if db.e.closed {
		db.e.mu.RUnlock()
		return nil, terror.New(terror.Closed, "the database is closed")
	}
	return db.e.mu.RUnlock, nil
}

// Schema returns the database's schema.
func (db *DB) Schema() (*schema.Schema, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	return db.e.schema, nil
}

// Path returns the database's file path ("" in memory).
func (db *DB) Path() string { return db.e.path }

// Compact rewrites the log as a snapshot of the current state.
func (db *DB) Compact() error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	defer leave()
	return db.e.compact()
}
