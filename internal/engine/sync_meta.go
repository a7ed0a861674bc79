package engine

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/tidwall/buntdb"
)

// Meta keys a sync session reads and moves forward.
const (
	metaServerVersion   = "serverVersion"   // last server version integrated
	metaServerEpoch     = "serverEpoch"     // which server history that version belongs to
	metaUploadedVersion = "uploadedVersion" // local changesets up to here are integrated by the server
	metaSyncing         = "syncing"         // 1 once a session has bound: keep rebase shadows
	// metaRestored, in a client reset's backup: the server version the
	// server went back to, plus one (0: unknown).
	metaRestored = "restoredVersion"
	// metaClock, in snapshots: the clock's reading, so that after a reopen
	// it stays past every stamp in the snapshot's state.
	metaClock = "clock"
)

// newClientID picks the client file ident of a new database: random, so
// stamps of two devices never tie, and known before any server is reached
// (a device that never synced still stamps its writes).
func newClientID() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	id := binary.BigEndian.Uint64(b[:]) >> 2 // fits an int64 in every binding
	if id == 0 {
		id = 1
	}
	return id
}

// SyncState is what a sync session needs to bind a database.
type SyncState struct {
	ClientID        uint64
	ServerVersion   uint64
	ServerEpoch     uint64
	UploadedVersion uint64
	// LocalVersion is the version of the last local changeset.
	LocalVersion uint64
	// Unsynced is the number of local changesets the server has not
	// confirmed back in a download yet.
	Unsynced int
	// Schema in SPEC.md JSON.
	Schema []byte
}

// SyncState reads the database's sync bookkeeping.
func (db *DB) SyncState() (SyncState, error) {
	leave, err := db.enter()
	if err != nil {
		return SyncState{}, err
	}
	defer leave()
	var st SyncState
	err = db.e.bunt.View(func(*buntdb.Tx) error { // read under the state lock: writers change meta
		m := db.e.meta
		st = SyncState{ClientID: m[metaClientID], ServerVersion: m[metaServerVersion], ServerEpoch: m[metaServerEpoch],
			UploadedVersion: m[metaUploadedVersion], LocalVersion: m[metaLocalVersion], Unsynced: len(db.e.history),
			Schema: db.e.schema.ToJSON()}
		return nil
	})
	return st, err
}

// PendingChangeset is a local changeset waiting for upload.
type PendingChangeset struct {
	Version uint64
	Data    []byte
}

// PendingUploads returns the local changesets after version `after`, in
// order, up to about maxBytes (always at least one if any).
func (db *DB) PendingUploads(after uint64, maxBytes int) ([]PendingChangeset, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	var out []PendingChangeset
	err = db.e.bunt.View(func(*buntdb.Tx) error {
		size := 0
		for _, h := range db.e.history {
			if h.version <= after {
				continue
			}
			if len(out) > 0 && size+len(h.data) > maxBytes {
				break
			}
			out = append(out, PendingChangeset{Version: h.version, Data: h.data})
			size += len(h.data)
		}
		return nil
	})
	return out, err
}

// SetSyncProgress records, durably, what a server's Ident said: its epoch
// and how far it has integrated this client's uploads. It also switches on
// rebase bookkeeping for the rest of the database's life.
func (db *DB) SetSyncProgress(epoch, uploaded uint64) error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	defer leave()
	return db.e.bunt.Update(func(*buntdb.Tx) error {
		m := db.e.meta
		if m[metaServerEpoch] == epoch && m[metaUploadedVersion] >= uploaded && m[metaSyncing] == 1 {
			return nil
		}
		next := meta{}
		for k, v := range m {
			next[k] = v
		}
		next[metaServerEpoch] = epoch
		if uploaded > next[metaUploadedVersion] {
			next[metaUploadedVersion] = uploaded
		}
		next[metaSyncing] = 1
		if err := db.e.appendLocked(recMeta, next.encode()); err != nil {
			return err
		}
		db.e.meta = next
		return db.e.ensurePending()
	})
}
