package engine

import (
	"errors"
	"github.com/tethersync/tether/core/query"
	"maps"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/dispatch"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/vfs"
)

// engine is one open database, shared by every DB handle that opened the
// same path in this process (as Realm shares one file among instances).
type engine struct {
	regKey   string
	path     string // the database file ("" in memory)
	readOnly bool   // a view of a file (OpenReadOnly): writes are refused

	// mu guards the fields below it; operations hold it for reading so
	// that close waits for them.
	mu      sync.RWMutex
	closed  bool
	refs    int
	schema  *schema.Schema
	layouts map[string]*classLayout // of schema's classes, by name
	indexes map[string]bool         // buntdb index names in use
	// queries caches compiled filters by schema, class, text and
	// arguments (query.Cache; nil in bare test engines: no caching).
	queries *query.Cache

	bunt   *buntdb.DB
	fs     vfs.FS // of the log and the reset backups
	log    backend
	policy SyncPolicy
	clock  *crdt.Clock

	// Log state; changed only inside a buntdb write transaction (which
	// serializes writers) or under mu held for writing.
	seq       uint64 // sequence of the next record
	snapBytes int64  // bytes of the log that are the last snapshot
	tailBytes int64  // bytes appended since
	meta      meta
	history   []histEntry   // unsynced local changesets, oldest first
	synced    []syncedEntry // settled local changesets, newest last (synced.go)
	reset     *resetState   // a client reset in progress (reset.go)
	// pending indexes the ops of history by object key once the database
	// syncs (nil before; see rebase.go).
	pending map[string][]pendingOp
	broken  atomic.Pointer[error] // set when the log can no longer be trusted
	// Writer state, used only under buntdb's write lock: the classes that
	// may hold tombstones (set when one is written or loaded, never
	// cleared, so a create of another class skips looking for one), and
	// the buffer objects are encoded in.
	tombClasses map[string]bool
	// linkListClasses counts the classes with lists of links (linklist.go):
	// while it is 0, writes skip the link index. linkIndexOff: load
	// rebuilds the index once at its end instead.
	linkListClasses int
	linkIndexOff    bool
	scratch         []byte
	// textClasses counts the classes with full-text indexes (fulltext.go).
	textClasses int

	// version changes with every commit that may change objects (bumped
	// under buntdb's write lock, so a reader inside View sees a version
	// and data that belong together); counts caches whole-class counts
	// by it (read.go, Count).
	version  atomic.Uint64
	countsMu sync.Mutex
	counts   map[string]classCount

	notify    dispatch.Queue
	hooks     commitHooks
	listenMu  sync.Mutex
	listeners []*listener
	stopSync  chan struct{}
	syncDone  chan struct{}
}

// histEntry is one unsynced local changeset, kept encoded.
type histEntry struct {
	version uint64
	data    []byte
}

var (
	registryMu sync.Mutex
	registry   = map[string]*engine{}
)

func registryKey(o Options) (string, error) {
	if o.InMemory {
		if o.Path == "" {
			return "", nil // private: never shared
		}
		return "mem:" + o.Path, nil
	}
	if o.Path == "" {
		return "", terror.New(terror.InvalidArgument, "a path is required unless the database is in memory")
	}
	abs, err := filepath.Abs(o.Path)
	if err != nil {
		return "", terror.Wrap(terror.InvalidArgument, err, "bad path %q", o.Path)
	}
	return "file:" + abs, nil
}

func filePath(o Options) string {
	if o.InMemory {
		return ""
	}
	return o.Path
}

// acquireEngine returns the engine for o, opening it if this process has
// not, and takes a reference on it.
func acquireEngine(o Options) (*engine, error) {
	key, err := registryKey(o)
	if err != nil {
		return nil, err
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if e := registry[key]; key != "" && e != nil {
		if err := e.ensureSchema(o.Schema, o.AllowMigration); err != nil {
			return nil, err
		}
		e.mu.Lock()
		e.refs++
		e.mu.Unlock()
		return e, nil
	}
	e, err := openEngine(o, key)
	if err != nil {
		return nil, err
	}
	if key != "" {
		registry[key] = e
	}
	return e, nil
}

func openEngine(o Options, key string) (*engine, error) {
	var be backend
	if o.InMemory {
		be = &memBackend{}
	} else {
		fb, err := openFileBackend(o.fileSystem(), o.Path)
		if err != nil {
			return nil, err
		}
		be = fb
	}
	e, err := openEngineOn(o, key, be)
	if err != nil {
		return nil, err
	}
	// A manual client reset the app never executed happens now: the file
	// becomes the backup and the database starts fresh (it downloads the
	// server's state when it syncs).
	if rs := e.reset; rs != nil && rs.phase == resetRequired && e.path != "" {
		if backupTaken(o.fileSystem(), rs.backupPath) {
			// This file is that backup (or a copy of one): an ordinary
			// database. A backup moved before the record was cleared
			// (crash, or a file from an older version) gets it cleared now.
			if err := e.clearRequiredReset(); err != nil {
				e.closeQuietly()
				return nil, err
			}
			return e, nil
		}
		e.closeQuietly()
		if err := moveToBackup(o.fileSystem(), e.path, rs.backupPath); err != nil {
			return nil, err
		}
		return openEngine(o, key) // a fresh file now: no reset recorded
	}
	return e, nil
}

// openEngineOn opens an engine on a given log backend.
func openEngineOn(o Options, key string, be backend) (*engine, error) {
	bunt, err := buntdb.Open(":memory:")
	if err != nil {
		be.Close()
		return nil, terror.Wrap(terror.IO, err, "open the in-memory state")
	}
	e := &engine{regKey: key, path: filePath(o), refs: 1, bunt: bunt, fs: o.fileSystem(), log: be, policy: o.Sync, queries: query.NewCache(queryCacheSize),
		clock: crdt.NewClock(o.Now), indexes: map[string]bool{}, tombClasses: map[string]bool{}}
	fail := func(err error) (*engine, error) {
		bunt.Close()
		be.Close()
		return nil, err
	}
	if err := e.load(); err != nil {
		return fail(err)
	}
	if err := e.ensureSchema(o.Schema, o.AllowMigration); err != nil {
		return fail(err)
	}
	// A snapshot is an optimization: one that cannot be written (a full
	// disk) leaves the log as it was, and the database opens anyway.
	if err := e.maybeCompact(); err != nil && e.brokenErr() != nil {
		return fail(err)
	}
	if e.policy == SyncRelaxed {
		e.stopSync, e.syncDone = make(chan struct{}), make(chan struct{})
		go e.backgroundSync()
	}
	return e, nil
}

// backgroundSync flushes the log once a second under SyncRelaxed.
func (e *engine) backgroundSync() {
	defer close(e.syncDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-e.stopSync:
			return
		case <-t.C:
			e.mu.RLock()
			if !e.closed {
				if err := e.log.Sync(); err != nil {
					e.setBroken(err)
				}
			}
			e.mu.RUnlock()
		}
	}
}

// setBroken refuses every later write. A failed write or fsync means the
// kernel may have dropped dirty pages: no later commit can promise
// durability on top of it (PostgreSQL's "fsyncgate"), so the app must
// reopen, which replays the log from what is really on disk.
func (e *engine) setBroken(err error) { e.broken.CompareAndSwap(nil, &err) }

func (e *engine) brokenErr() error {
	if p := e.broken.Load(); p != nil {
		return terror.Wrap(terror.IO, *p, "the database can no longer write safely; close and reopen it")
	}
	return nil
}

// failAfterDisk runs the failpoint name at a step past a write that
// reached the log: a failure there leaves the disk ahead of memory, so
// the engine refuses writes until reopened (which replays the disk).
func (e *engine) failAfterDisk(name string) error {
	if err := failpoint.Inject(name); err != nil {
		e.setBroken(err)
		return ioErr(err, "%s", name)
	}
	return nil
}

// logState is what a transaction changes in the engine besides buntdb.
type logState struct {
	meta    meta
	history []histEntry
	synced  []syncedEntry
	reset   *resetState
}

// saveLogState keeps the log state for restoreLogState, by a transaction
// that changes it before its append (which may fail); both are called in
// the buntdb write transaction. Entries are never changed in place, so
// the slice headers suffice.
func (e *engine) saveLogState() logState {
	return logState{meta: maps.Clone(e.meta), history: e.history, synced: e.synced, reset: e.reset}
}

func (e *engine) restoreLogState(s logState) {
	e.meta, e.history, e.synced, e.reset = s.meta, s.history, s.synced, s.reset
}

// release drops one reference and closes the engine on the last one.
func (e *engine) release() error {
	registryMu.Lock()
	defer registryMu.Unlock()
	e.mu.Lock()
	e.refs--
	if e.refs > 0 {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	if e.regKey != "" {
		delete(registry, e.regKey)
	}
	if e.stopSync != nil {
		close(e.stopSync)
		<-e.syncDone
	}
	var errs []error
	if e.brokenErr() == nil {
		errs = append(errs, e.maybeCompact(), e.log.Sync())
	}
	errs = append(errs, e.log.Close(), e.bunt.Close())
	e.notify.Stop()
	return errors.Join(errs...)
}

// appendLocked appends one record. The caller holds the buntdb write
// transaction, which serializes appends.
func (e *engine) appendLocked(t recType, payload []byte) error {
	return e.appendRecordLocked(t, payload, e.policy == SyncFull)
}

// appendRecordLocked appends a record, fsyncing it when sync is set.
// Downloads skip the fsync: a download lost in a crash is downloaded again
// from the last server version that did reach the disk, and any later
// fsynced commit flushes it anyway (one file, appended in order).
func (e *engine) appendRecordLocked(t recType, payload []byte, sync bool) error {
	if err := e.brokenErr(); err != nil {
		return err
	}
	rec := appendRecord(make([]byte, 0, recHeaderSize+len(payload)), e.seq, t, payload)
	if err := e.log.Append(rec, sync); err != nil {
		e.setBroken(err)
		return err
	}
	e.seq++
	e.tailBytes += int64(len(rec))
	return nil
}

// queryCacheSize is how many compiled filters a database keeps: the
// queries of a screenful of lists and their listeners, several times.
const queryCacheSize = 256
