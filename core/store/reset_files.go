package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// openSnapshotOf loads a database file into a private in-memory engine:
// nothing is locked and nothing is ever written to the file (a backup, or
// a database to inspect before moving it).
func openSnapshotOf(fsys vfs.FS, path string) (*engine, error) {
	data, err := fsys.ReadFile(path)
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
	e, err := openSnapshotOf(vfs.OS, path)
	if err != nil {
		return "", err
	}
	rs := e.reset
	e.closeQuietly()
	if rs == nil || rs.phase != resetRequired || backupTaken(vfs.OS, rs.backupPath) {
		// A backup path that exists is this file (a backup whose record
		// was not cleared yet) or a copy's original: nothing to reset.
		return "", terror.New(terror.InvalidArgument, "%s does not need a client reset", path)
	}
	return rs.backupPath, moveToBackup(vfs.OS, path, rs.backupPath)
}

// backupTaken reports whether a manual reset's backup path exists: then
// the file that records the reset is that backup (or a copy of one), and
// a move must never replace it.
func backupTaken(fsys vfs.FS, backup string) bool {
	_, err := fsys.Stat(backup)
	return !errors.Is(err, fs.ErrNotExist)
}

// moveToBackup performs a manual reset on a closed file: it becomes the
// backup, an ordinary database (its record of the required reset is
// cleared, the restored version kept for the recovery helper), and the
// next open of path starts fresh.
func moveToBackup(fsys vfs.FS, path, backup string) error {
	if backupTaken(fsys, backup) {
		return terror.New(terror.IO, "cannot move %s to %s: that file exists", path, backup)
	}
	if err := fsys.Rename(path, backup); err != nil {
		return ioErr(err, "move %s to %s", path, backup)
	}
	if err := logfile.SyncDir(fsys, filepath.Dir(path)); err != nil {
		return err
	}
	// Best effort: a backup whose record is left (a crash, an error here)
	// still opens as an ordinary database (openEngine clears it then).
	if fb, err := openFileBackend(fsys, backup); err == nil {
		if e, err := openEngineOn(Options{Path: backup, fs: fsys}, "", fb); err == nil {
			if e.reset != nil && e.reset.phase == resetRequired {
				e.clearRequiredReset()
			}
			e.closeQuietly()
		}
	}
	return nil
}

// clearRequiredReset turns a manual reset's backup into an ordinary
// database: the reset record goes, the restored version stays in its meta
// (where an automatic reset's backup keeps it).
func (e *engine) clearRequiredReset() error {
	rs := e.reset
	return e.bunt.Update(func(*buntdb.Tx) error {
		if rs.restored > 0 && e.meta[metaRestored] == 0 {
			m := meta{}
			for k, v := range e.meta {
				m[k] = v
			}
			m[metaRestored] = rs.restored
			if err := e.appendLocked(recMeta, m.encode()); err != nil {
				return err
			}
			e.meta = m
		}
		if err := e.appendLocked(recReset, (&resetState{phase: resetCleared}).encode()); err != nil {
			return err
		}
		e.reset = nil
		return nil
	})
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

// UnsyncedChange is a net change to one object among a backup's unsynced
// changes: created (with all its properties), updated (with the
// properties the changes set, at their final values), incremented (with
// the sum of the increments per property: its delta, not its final
// value) or deleted. An existing object both set and incremented has an
// "update" and an "increment" entry; a property set after (or before) an
// increment is set, at its final value.
//
// Replaying the entries on a fresh database — create as an upsert, update
// as an update, increment as an increment by the delta, delete as a
// delete — keeps other devices' concurrent increments, as automatic
// recovery does: the final value of an incremented counter would erase
// them (the server had 110 after another device's +100; a replayed 15
// left 15, the increment +5 leaves 115).
type UnsyncedChange struct {
	Op     string // "create" | "update" | "increment" | "delete"
	Class  string
	Key    any
	Fields Object
}

// UnsyncedChangesets returns the changesets of a database file (a client
// reset's backup, or any older copy) that the server no longer has: never
// integrated, or integrated after the version the server was restored to
// (recorded in the backup by the reset), oldest first.
func UnsyncedChangesets(path string) ([]*Changeset, error) {
	e, err := openSnapshotOf(vfs.OS, path)
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
	e, err := openSnapshotOf(vfs.OS, path)
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
		fields  map[string]bool // set (at least once)
		incs    map[string]any  // only incremented: the sum of the deltas
	}
	objs := map[string]*acc{}
	for _, cs := range css {
		for _, op := range cs.Ops {
			k := objectKey(op.Class, op.Key)
			a := objs[k]
			if a == nil {
				a = &acc{class: op.Class, key: op.Key, fields: map[string]bool{}, incs: map[string]any{},
					created: op.Kind == OpCreate || op.Kind == OpUpsert}
				objs[k] = a
			}
			for _, f := range op.Fields {
				switch {
				case op.Kind != OpIncrement:
					a.fields[f.Name] = true
					delete(a.incs, f.Name) // a set replaces what was added before it
				case !a.fields[f.Name]:
					a.incs[f.Name] = addDelta(a.incs[f.Name], f.Value)
				}
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
			if len(a.fields) > 0 {
				set := Object{}
				for name := range a.fields {
					set[name] = final[name]
				}
				out = append(out, UnsyncedChange{Op: "update", Class: a.class, Key: a.key, Fields: set})
			}
			if len(a.incs) > 0 {
				out = append(out, UnsyncedChange{Op: "increment", Class: a.class, Key: a.key, Fields: Object(a.incs)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		if ki, kj := encodePK(out[i].Key), encodePK(out[j].Key); ki != kj {
			return ki < kj
		}
		return out[i].Op == "update" // an object's update before its increment
	})
	return out, nil
}

// addDelta sums increments: int64 while every delta is one, float64 once
// any is (as an increment of a double property adds either).
func addDelta(sum, by any) any {
	switch s := sum.(type) {
	case nil:
		return by
	case int64:
		switch b := by.(type) {
		case int64:
			return s + b
		case float64:
			return float64(s) + b
		}
	case float64:
		switch b := by.(type) {
		case int64:
			return s + float64(b)
		case float64:
			return s + b
		}
	}
	return sum
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

// OpenReadOnly opens a database file as a private, read-only view (a
// client reset's backup): nothing is locked, and writes are refused.
func OpenReadOnly(path string) (*DB, error) {
	e, err := openSnapshotOf(vfs.OS, path)
	if err != nil {
		return nil, err
	}
	e.readOnly = true
	return &DB{e: e}, nil
}
