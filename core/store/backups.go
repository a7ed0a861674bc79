package store

import "github.com/tethersync/tether/internal/engine"

// UnsyncedChange is a net change to one object among a backup's unsynced
// changes: Op is "create", "update", "increment" or "delete", Fields the
// properties it set (for an increment, the sum of its deltas). Replaying
// the entries on a fresh database keeps other devices' concurrent
// increments, as automatic recovery does.
type UnsyncedChange = engine.UnsyncedChange

// ExecuteClientReset performs the manual client reset a database file
// records as required: it moves the file to its backup path (kept until
// the app deletes it), so that the next open starts fresh and downloads
// the server's state. Every instance of the database must be closed.
// It returns the backup path.
func ExecuteClientReset(path string) (string, error) { return engine.ExecuteClientReset(path) }

// UnsyncedChanges lists a backup's unsynced changes, one net entry per
// object: what Realm's manual recovery recipe had apps track by hand
// (lastUpdated fields, a LastSynced database), computed from the local
// history, per property, deletions included.
func UnsyncedChanges(path string) ([]UnsyncedChange, error) { return engine.UnsyncedChanges(path) }
