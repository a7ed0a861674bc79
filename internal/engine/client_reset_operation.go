package engine

// Client reset, the engine's steps (core/session drives them, in its
// client_reset_operation.go; core/reset holds the modes and events). A reset replaces a database whose history
// the server can no longer continue with the server's current state; what
// the device wrote and the server does not have is kept in a backup file
// and, depending on the mode, replayed on the fresh state. Every step is
// atomic on disk and the next step is recorded before it starts, so a reset
// interrupted by a crash completes on the next open:
//
//  1. the backup is written (temp file, fsync, rename, fsync directory);
//  2. the database is replaced (log rename) by a fresh one — same schema
//     or the server's, a new client ident, no objects, never synced —
//     whose first records say a reset is in progress (mode, backup path,
//     restored version);
//  3. a session bootstraps it from the server;
//  4. FinishClientReset replays the recovered changesets and clears the
//     record in one transaction.
//
// Manual mode stops after recording (MarkClientResetRequired) in the
// database itself; ExecuteClientReset, or the next Open, moves the file to
// the backup path, and the database starts fresh.
//
// The record of a reset in progress is pending_reset_store.go; what a
// backup holds that the server does not, and whether it still fits, is
// client_reset_recovery.go (replayed op by op, what no longer applies
// reported: recovery_dropped.go); the backup files themselves (manual reset,
// read-only views) are client_reset_backup.go.

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// BackupPathFor names a new backup file next to a database: the reset's
// backup is kept until the app deletes it.
func BackupPathFor(path string, now int64) string {
	dir, base := filepath.Split(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	return filepath.Join(dir, base+".backup-"+strconv.FormatInt(now, 10)+".tether")
}

func restoredField(restored uint64, known bool) uint64 {
	if !known {
		return 0
	}
	return restored + 1
}

// MarkClientResetRequired records, durably, that a manual client reset is
// required: until ExecuteClientReset (or the next Open, which performs it)
// the app keeps writing to this file, which becomes the backup.
func (db *DB) MarkClientResetRequired(backupPath string, restoredVersion uint64, known bool) error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	defer leave()
	return db.e.bunt.Update(func(*buntdb.Tx) error {
		rs := &resetState{phase: resetRequired, mode: "manual", backupPath: backupPath, restored: restoredField(restoredVersion, known)}
		if err := db.e.appendLocked(recReset, rs.encode()); err != nil {
			return err
		}
		db.e.reset = rs
		return nil
	})
}

// BeginClientReset writes a backup of the whole database to backupPath and
// replaces the database with a fresh one (steps 1 and 2 above). newSchema,
// if not nil, replaces the schema (a reset caused by a breaking schema
// change adopts the server's). Listeners see every object deleted.
func (db *DB) BeginClientReset(backupPath, mode string, restoredVersion uint64, known bool, newSchema *schema.Schema) error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	e := db.e
	err = e.transact(func(tx *buntdb.Tx, tr tracker) error {
		// 1. The backup, with the reset's restored version in its meta so
		//    that the unsynced changes can be computed from it alone.
		bm := meta{}
		for k, v := range e.meta {
			bm[k] = v
		}
		bm[metaRestored] = restoredField(restoredVersion, known)
		bm[metaClock] = e.clock.Last() // a snapshot: it bounds the clock of whoever opens it
		backup, _ := e.snapshot(tx, bm)
		if err := failpoint.Inject("store/reset/before-backup"); err != nil {
			return ioErr(err, "store/reset/before-backup")
		}
		if err := writeFileAtomic(e.fs, backupPath, backup); err != nil {
			return err
		}
		if err := failpoint.Inject("store/reset/backup-written"); err != nil {
			return ioErr(err, "store/reset/backup-written")
		}
		// 2. The fresh database, in memory and then on disk (the commit point).
		// A flexible database keeps its subscription set: the fresh one
		// re-bootstraps the same view (Realm keeps the set across a reset).
		subs, subsErr := tx.Get(subsKey)
		var keys []string
		tx.Ascend("", func(k, v string) bool {
			keys = append(keys, k)
			if strings.HasPrefix(k, "o:") {
				c, _ := splitObjectKey(k)
				tr.note(k, c, pkFromKey(k), v)
			}
			return true
		})
		for _, k := range keys {
			if _, err := tx.Delete(k); err != nil {
				return terror.Wrap(terror.IO, err, "clear")
			}
		}
		if subsErr == nil {
			if err := setSubs(tx, []byte(subs)); err != nil {
				return err
			}
		}
		s := e.schema
		if newSchema != nil {
			s = schema.Merge(e.schema, newSchema)
			if _, err := e.installSchema(tx, s, true); err != nil {
				return err
			}
		}
		// The fresh database keeps the clock: its stamps must stay after
		// every one this device wrote before the reset.
		fresh := meta{metaClientID: newClientID(), metaSyncing: 1, metaClock: e.clock.Last()}
		rs := &resetState{phase: resetBootstrap, mode: mode, backupPath: backupPath, restored: restoredField(restoredVersion, known)}
		var seq uint64
		out := fileHeader()
		for _, r := range []struct {
			t recType
			p []byte
		}{{recSchema, s.ToJSON()}, {recMeta, fresh.encode()}, {recReset, rs.encode()}} {
			out = appendRecord(out, seq, r.t, r.p)
			seq++
		}
		if subsErr == nil {
			out = appendRecord(out, seq, recSubs, []byte(subs))
			seq++
		}
		if err := e.log.Replace(out); err != nil {
			if logInDoubt(err) {
				e.setBroken(err) // the fresh log may be on disk: memory no longer matches it
			}
			return err
		}
		if err := e.failAfterDisk("store/reset/replaced"); err != nil {
			return err
		}
		e.seq, e.snapBytes, e.tailBytes = seq, int64(len(out)), 0
		e.meta, e.history, e.synced, e.reset = fresh, nil, nil, rs
		e.pending = map[string][]pendingOp{}
		e.tombClasses = map[string]bool{}
		return nil
	})
	leave()
	e.notify.Drain()
	return err
}

// FinishClientReset replays the recovered changesets (nil for discard) on
// the freshly bootstrapped state, each as a new local changeset keeping its
// original stamp, and clears the reset record: one transaction.
func (db *DB) FinishClientReset(recovered []*Changeset) error {
	_, err := db.RecoverClientReset(recovered)
	return err
}

// RecoverClientReset is FinishClientReset reporting the ops it did not
// replay because they no longer apply on the server's state (an object
// deleted there, a list element removed there: recovery_dropped.go),
// oldest first; they are left out of the recovered changesets.
func (db *DB) RecoverClientReset(recovered []*Changeset) ([]DroppedOp, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	e := db.e
	var dropped []DroppedOp
	replayed := false
	err = e.transact(func(tx *buntdb.Tx, tr tracker) error {
		saved := e.saveLogState()
		var err error
		dropped, replayed, err = e.finishResetLogged(tx, tr, recovered)
		if err != nil {
			// finishReset changed the history and the reset record before
			// the append failed; buntdb rolls back, so must they.
			e.restoreLogState(saved)
			return err
		}
		return nil
	})
	leave()
	e.notify.Drain()
	if err == nil && replayed {
		e.hooks.fire(0)
	}
	if err != nil {
		return nil, err
	}
	return dropped, nil
}

func (e *engine) finishResetLogged(tx *buntdb.Tx, tr tracker, recovered []*Changeset) ([]DroppedOp, bool, error) {
	// One record for the whole recovery and the end of the reset: a
	// crash leaves all of it or none (replay: finishReset again, on the
	// changesets as recorded, the dropped ops already left out).
	var rcs [][]byte
	var dropped []DroppedOp
	version := e.meta[metaLocalVersion]
	for _, cs := range recovered {
		kept, d, err := e.recoverChangeset(tx, cs, tr)
		if err != nil {
			return nil, false, err
		}
		dropped = append(dropped, d...)
		if len(kept) == 0 {
			continue // nothing of it applies: no changeset to upload
		}
		version++
		rc := &Changeset{Origin: OriginRecovered, Version: version, Stamp: cs.Stamp, Ops: kept}
		data := encodeChangeset(rc)
		if e.pending != nil {
			e.indexPending(rc)
		}
		e.clock.Observe(rc.Stamp.HLC)
		e.keepHistory(rc.Origin, rc.Version, data)
		rcs = append(rcs, data)
	}
	e.reset = nil
	if err := failpoint.Inject("store/reset/before-finish-record"); err != nil {
		return nil, false, ioErr(err, "store/reset/before-finish-record")
	}
	if err := e.appendLocked(recFinishReset, encodeBinList(rcs)); err != nil {
		return nil, false, err
	}
	return dropped, len(rcs) > 0, e.failAfterDisk("store/reset/finished")
}

// finishReset applies recovered changesets (encoded, versions assigned)
// as local history and ends the reset; live and on replay.
func (e *engine) finishReset(tx *buntdb.Tx, rcs [][]byte, tr tracker) error {
	for _, data := range rcs {
		rc, err := decodeChangeset(data)
		if err != nil {
			return err
		}
		if err := e.applyChangeset(tx, rc, tr); err != nil {
			return err
		}
		e.clock.Observe(rc.Stamp.HLC)
		e.keepHistory(rc.Origin, rc.Version, data)
	}
	e.reset = nil
	return nil
}

func encodeBinList(items [][]byte) []byte {
	b := value.AppendArrayHeader(nil, len(items))
	for _, it := range items {
		b = value.Append(b, it)
	}
	return b
}

func decodeBinList(b []byte) ([][]byte, error) {
	r := value.NewStrictReader(b)
	n, _ := r.ArrayLen(1)
	out := make([][]byte, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		out[i] = r.Bytes()
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "client reset recovery record")
	}
	return out, nil
}

func splitObjectKey(k string) (class string, ok bool) {
	rest := k[2:]
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return "", false
	}
	return rest[:i], true
}

// writeFileAtomic writes data to path through a temp file, fsyncing the
// file and the directory, so path holds all of data or nothing.
func writeFileAtomic(fsys vfs.FS, path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := createSynced(fsys, tmp, data)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		fsys.Remove(tmp)
		return ioErr(err, "close %s", tmp)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		fsys.Remove(tmp)
		return ioErr(err, "rename %s", tmp)
	}
	return logfile.SyncDir(fsys, filepath.Dir(path))
}
