package store

import "github.com/tethersync/tether/internal/engine"

// The plain data an app passes and receives is the engine's own (no copy
// per call); each alias says what it holds.
type (
	// Options open a database: Path (or InMemory, where Path is an optional
	// shared name), Schema (nil: the stored one), AllowMigration (apply
	// breaking changes), ReadOnly (a private view: OpenReadOnly), Sync (a
	// SyncPolicy) and Now (the stamps' wall clock, for tests).
	Options = engine.Options
	// SyncPolicy says when a commit is flushed to stable storage.
	SyncPolicy = engine.SyncPolicy
	// Query selects objects of one class: Filter in the query language
	// (Realm Query Language subset, "" = all) with its Args, Sort ("name
	// ASC, age DESC"; "" = primary key order) and Limit (0 = none).
	Query = engine.Query
	// Change is what a listener receives after a commit that changed its
	// class or query: the primary keys that entered the results
	// (Inserted), changed in them (Modified) or left them (Deleted), and
	// for AddResultsListener the positions in the results before and
	// after (Deletions, Insertions, OldModifications, NewModifications).
	Change = engine.Change
	// ListenerToken identifies a listener for RemoveListener.
	ListenerToken = engine.ListenerToken
	// Object is an object's properties by name, as the API returns and
	// takes them. Values are the kinds of package value; a to-one link
	// holds its target's primary key (null while the target is absent),
	// a mixed may hold a value.Link.
	Object = engine.Object
	// Op is one change to one object, as an app asks for it: Kind, Class,
	// Key (update, delete, increment), Value (create, upsert), Set
	// (update), Field and By (increment).
	Op = engine.Op
	// OpKind is an Op's kind.
	OpKind = engine.OpKind
)

const (
	// SyncFull, the default: every commit is fdatasync'ed before it
	// returns; it survives a process kill and a power loss.
	SyncFull = engine.SyncFull
	// SyncRelaxed: every commit is written to the OS before it returns and
	// flushed once a second (a power loss may lose the last second, never
	// part of a commit).
	SyncRelaxed = engine.SyncRelaxed
	// SyncNone: commits are flushed only on Close (bulk loads that can be
	// redone).
	SyncNone = engine.SyncNone
)

const (
	OpCreate    = engine.OpCreate
	OpUpsert    = engine.OpUpsert
	OpUpdate    = engine.OpUpdate
	OpDelete    = engine.OpDelete
	OpIncrement = engine.OpIncrement
)
