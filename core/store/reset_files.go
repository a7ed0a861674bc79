package store

import (
	"os"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"path/filepath"
	"sort"

	"github.com/tethersync/tether/core/terror"
)

// openSnapshotOf loads a database file into a private in-memory engine:
// nothing is locked and nothing is ever written to the file (a backup, or
// a database to inspect before moving it).
func openSnapshotOf(path string) (*engine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, terror.New(terror.NotFound, "no database file at %s", path)
		}
		return nil, ioErr(err, "read %s", path)
	}
	return openEngineOn(Options{InMemory: true}, "", &memBackend{data: data})
}

// ExecuteClientReset performs the manual client reset a database file
// records as required: it moves the file to its backup path (kept until
// the app deletes it), so that the next open starts fresh and downloads
// the server's state. Every instance of the database must be closed.
// It returns the backup path.
func ExecuteClientReset(path string) (string, error) {
	key, err := registryKey(Options{Path: path})
	if err != nil {
		return "", err
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if registry[key] != nil {
		return "", terror.New(terror.InvalidArgument, "close every instance of %s before executing the client reset", path)
	}
	e, err := openSnapshotOf(path)
	if err != nil {
		return "", err
	}
	rs := e.reset
	e.closeQuietly()
	if rs == nil || rs.phase != resetRequired {
		return "", terror.New(terror.InvalidArgument, "%s does not need a client reset", path)
	}
	return rs.backupPath, moveToBackup(path, rs.backupPath)
}

func moveToBackup(path, backup string) error {
	if err := os.Rename(path, backup); err != nil {
		return ioErr(err, "move %s to %s", path, backup)
	}
	return syncDir(filepath.Dir(path))
}

func (e *engine) closeQuietly() {
	if e.stopSync != nil {
		close(e.stopSync)
		<-e.syncDone
	}
	e.bunt.Close()
	e.log.Close()
	e.notify.Stop()
}

// UnsyncedChange is one object's net change among a backup's unsynced
// changes: created (with all its properties), updated (with the
// properties the changes set, at their final values) or deleted.
type UnsyncedChange struct {
	Op     string // "create" | "update" | "delete"
	Class  string
	Key    any
	Fields Object
}

// UnsyncedChangesets returns the changesets of a database file (a client
// reset's backup, or any older copy) that the server no longer has: never
// integrated, or integrated after the version the server was restored to
// (recorded in the backup by the reset), oldest first.
func UnsyncedChangesets(path string) ([]*Changeset, error) {
	e, err := openSnapshotOf(path)
	if err != nil {
		return nil, err
	}
	defer e.closeQuietly()
	return e.unsyncedChangesets()
}

func (e *engine) unsyncedChangesets() ([]*Changeset, error) {
	var out []*Changeset
	restored := e.meta[metaRestored] // an automatic reset's backup
	if restored == 0 && e.reset != nil {
		restored = e.reset.restored // a manual reset's file, moved as it was
	}
	if restored > 0 {
		for _, s := range e.synced {
			if s.serverVersion > restored-1 {
				cs, err := decodeChangeset(s.data)
				if err != nil {
					return nil, err
				}
				out = append(out, cs)
			}
		}
	}
	for _, h := range e.history {
		// Acknowledged but not yet settled by a download: the server has
		// it, unless a restore took it away (counted above by version).
		if restored == 0 && h.version <= e.meta[metaUploadedVersion] {
			continue
		}
		cs, err := decodeChangeset(h.data)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

// UnsyncedChanges lists a backup's unsynced changes, one net entry per
// object: what Realm's manual recovery recipe had apps track by hand
// (lastUpdated fields, a LastSynced database), computed from the local
// history, per property, deletions included.
func UnsyncedChanges(path string) ([]UnsyncedChange, error) {
	e, err := openSnapshotOf(path)
	if err != nil {
		return nil, err
	}
	defer e.closeQuietly()
	css, err := e.unsyncedChangesets()
	if err != nil {
		return nil, err
	}
	type acc struct {
		class   string
		key     any
		created bool
		fields  map[string]bool
		order   int
	}
	objs := map[string]*acc{}
	for _, cs := range css {
		for _, op := range cs.Ops {
			k := objectKey(op.Class, op.Key)
			a := objs[k]
			if a == nil {
				a = &acc{class: op.Class, key: op.Key, fields: map[string]bool{}, order: len(objs),
					created: op.Kind == OpCreate || op.Kind == OpUpsert}
				objs[k] = a
			}
			for _, f := range op.Fields {
				a.fields[f.Name] = true
			}
		}
	}
	out := make([]UnsyncedChange, 0, len(objs))
	for _, a := range objs {
		c := e.schema.Class(a.class)
		var final Object
		if c != nil {
			final = e.peek(c, a.key)
		}
		switch {
		case final == nil && a.created:
			continue // created and deleted again: nothing to recover
		case final == nil:
			out = append(out, UnsyncedChange{Op: "delete", Class: a.class, Key: a.key})
		case a.created:
			out = append(out, UnsyncedChange{Op: "create", Class: a.class, Key: a.key, Fields: final})
		default:
			set := Object{}
			for name := range a.fields {
				set[name] = final[name]
			}
			out = append(out, UnsyncedChange{Op: "update", Class: a.class, Key: a.key, Fields: set})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		return encodePK(out[i].Key) < encodePK(out[j].Key)
	})
	return out, nil
}

// peek reads an object outside any handle (private engines only).
func (e *engine) peek(c *schema.Class, key any) Object {
	var obj Object
	e.bunt.View(func(tx *buntdb.Tx) error {
		obj, _ = getObject(e, tx, c.Name, key)
		return nil
	})
	return obj
}

// IsReadOnly reports whether db is a read-only view (OpenReadOnly).
func (db *DB) IsReadOnly() bool { return db.e.readOnly }

// OpenReadOnly opens a database file as a private, read-only view (a
// client reset's backup): nothing is locked, and writes are refused.
func OpenReadOnly(path string) (*DB, error) {
	e, err := openSnapshotOf(path)
	if err != nil {
		return nil, err
	}
	e.readOnly = true
	return &DB{e: e}, nil
}
