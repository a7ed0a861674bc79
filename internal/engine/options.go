package engine

import (
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/vfs"
)

// SyncPolicy says when a commit is flushed to stable storage.
type SyncPolicy int

const (
	// SyncFull, the default: every commit is fdatasync'ed (error checked)
	// before it returns. A commit survives a process kill and a power loss.
	// The peer of SQLite's synchronous=FULL.
	SyncFull SyncPolicy = iota
	// SyncRelaxed: every commit is written to the OS before it returns (it
	// survives a process kill) and flushed once a second in the background
	// (a power loss may lose the last second, never part of a commit). The
	// peer of SQLite's WAL synchronous=NORMAL. If a background flush
	// fails, every later write fails with IO until the database is
	// reopened, as after a failed commit under SyncFull.
	SyncRelaxed
	// SyncNone: commits are written to the OS and flushed only on Close.
	// For bulk loads that can be redone.
	SyncNone
)

// Options open a database.
type Options struct {
	// Path of the database file. With InMemory, an optional name: opens of
	// the same name in one process share the database.
	Path     string
	InMemory bool
	// Schema to open with; nil opens with the stored schema.
	Schema *schema.Schema
	// AllowMigration applies breaking schema changes (type change, removed
	// property, new required property): removed properties are dropped,
	// changed or new required ones get their zero value. Without it a
	// breaking change fails with SchemaMismatch.
	AllowMigration bool
	// ReadOnly opens a file as a private, read-only view (OpenReadOnly):
	// nothing is locked or written, writes fail with InvalidArgument, and
	// the schema is the stored one (Schema and AllowMigration are not
	// applied). Not with InMemory.
	ReadOnly bool
	Sync     SyncPolicy
	// Now is the wall clock of the stamps (tests); nil means time.Now.
	Now func() time.Time

	// fs is the file system of the log and snapshots (tests put a
	// vfstest.FS here); nil means the real one.
	fs vfs.FS
}

func (o Options) fileSystem() vfs.FS {
	if o.fs == nil {
		return vfs.OS
	}
	return o.fs
}
