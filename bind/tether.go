// Package tether is Tether's gomobile binding (directory bind/): the
// package that `gomobile bind` turns into an Android AAR (Java classes
// io.github.tethersync.tether.*) and an iOS xcframework (Objective-C
// classes Tether*, e.g. TetherDatabase). Its name is the one apps see, hence
// "tether" rather than the directory's name.
//
// It is a thin wrapper of the boundary API (internal/boundary) and holds no logic of
// its own: every method forwards to one internal/boundary call. It uses only the types
// gobind supports: signed integers, float64, string, bool, []byte, pointers
// to structs, interfaces (for the callbacks that Java / Objective-C
// implement) and (T, error) results.
//
// JSON forms (ops, queries, objects, change and session events, the sync
// config) are internal/boundary's and SPEC.md's, values in MongoDB Extended JSON,
// and cross as UTF-8 bytes ([]byte: byte[] in Java, NSData in Objective-C),
// as internal/boundary takes and gives them: gobind's string conversion costs more
// than the call (docs/RATIONALE.md#gomobile-bytes).
// Short names (class, path, token, direction) are strings. A []byte
// argument is the caller's memory, lent for the call only (gobind passes it
// without copying), so the wrapper copies it before internal/boundary sees it, as
// the C ABI does.
//
// Fast path: Database's hot calls also exist as package functions on its
// handle (Database.Handle; DatabaseWrite, DatabaseGet, DatabaseQuery,
// DatabaseCount), static methods of the generated Tether class, which skip
// gobind's per-call receiver glue on Android
// (docs/RATIONALE.md#gomobile-static). The methods call them.
//
// Errors: every error returned has a message that starts with its
// conformance code and a colon ("DuplicateKey: ..."); gobind turns it into a
// java.lang.Exception with that message (an NSError with it as the
// localized description on iOS). The idiomatic layers (platforms/android,
// platforms/ios) read the code back from the prefix.
//
// Threads: callbacks run on Go goroutines (gobind attaches them to the JVM;
// on iOS they are ordinary threads): a change listener on the goroutine that
// committed (the caller's thread for a local write, the session's for a
// download), session listeners on the session's goroutine. They must return
// quickly and not block on the database or session that called them.
package tether

import (
	"bytes"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
	"github.com/tethersync/tether/internal/tables"
)

// APIVersion is the version of this binding's API (the C ABI's
// TETHER_API_VERSION counts the same features: 3 = databases, sync
// sessions, client reset; 4 = DeleteDatabase; 5 = WaitForListeners, static
// handle calls (Database.Handle, DatabaseWrite/Get/Query/Count); 6 = the
// config's "readOnly"; 7 = typed session events in C, and here
// StartSyncWithListener, a database's Close ending its session, queries'
// "and").
const APIVersion = tables.APIVersion

// Version returns APIVersion: one trivial call across the boundary (apps
// use it to detect a stale native library; benchmarks to time a call).
func Version() int64 { return APIVersion }

// Database is an open database handle.
type Database struct{ h int64 }

// ChangeListener receives the changes of a query's results as JSON:
// {"class": "Dog", "inserted": [keys], "modified": [keys], "deleted": [keys]}.
type ChangeListener interface {
	OnChange(changeJSON []byte)
}

// EventListener receives a sync session's events as JSON, in SPEC.md's
// event form: {"type": "sessionState"|"connectionState", "from", "to"},
// {"type": "error", "code", "fatal", "message"}, {"type": "clientReset",
// "phase": "before"|"after", "mode", "backupPath", "message"}.
type EventListener interface {
	OnEvent(eventJSON []byte)
}

// ProgressListener receives progress events as JSON: {"type": "progress",
// "direction": "upload"|"download", "transferred", "transferable",
// "estimate"}.
type ProgressListener interface {
	OnProgress(progressJSON []byte)
}

// errorOf gives every error a message that starts with its conformance code.
func errorOf(err error) error {
	if err == nil {
		return nil
	}
	if te, ok := err.(*terror.Error); ok {
		return te
	}
	e := boundary.ErrorToJSON(err)
	return terror.New(terror.Code(e.Code), "%s", e.Message)
}

// Open opens (or creates) a database from a JSON config: {"path",
// "inMemory", "schema": [classes], "allowMigration", "durability"}.
func Open(configJSON []byte) (*Database, error) {
	h, err := boundary.Open(bytes.Clone(configJSON))
	if err != nil {
		return nil, errorOf(err)
	}
	return &Database{h: h}, nil
}

// Close closes the database; its listeners stop and its sync session
// ends (the session's handle is Closed from then on). A second Close is a
// Closed error.
func (d *Database) Close() error { return errorOf(boundary.Close(d.h)) }

// Handle returns the database's handle for the static fast path
// (DatabaseWrite, DatabaseGet, DatabaseQuery, DatabaseCount): the number
// internal/boundary knows it by, as Realm's Java SDK keeps a long native pointer
// and calls its core through static natives on it; on Android a method on
// a Go object pays gobind's receiver glue on every call
// (docs/RATIONALE.md#gomobile-static). Read the handle once and
// pass it to the static calls in hot loops. It stays the same after
// Close; handles are never reused, so a closed one names no other
// database (a Closed error). A Database that Java or Objective-C
// constructed itself has handle 0, which names none.
func (d *Database) Handle() int64 { return d.h }

// Write commits a JSON array of ops as one transaction.
func (d *Database) Write(opsJSON []byte) error { return DatabaseWrite(d.h, opsJSON) }

// Get returns one object as JSON; keyJSON is its primary key in JSON
// ("\"rex\"", "42", "{\"$oid\": ...}"). NotFound when there is none.
func (d *Database) Get(className string, keyJSON []byte) ([]byte, error) {
	return DatabaseGet(d.h, className, keyJSON)
}

// Query runs a JSON query {"class", "filter", "args", "sort", "limit"} and
// returns a JSON array of objects.
func (d *Database) Query(queryJSON []byte) ([]byte, error) { return DatabaseQuery(d.h, queryJSON) }

// Count returns how many objects a JSON query matches.
func (d *Database) Count(queryJSON []byte) (int64, error) { return DatabaseCount(d.h, queryJSON) }

// DatabaseWrite is Database.Write on a handle (Database.Handle): a static
// call (Tether.databaseWrite(long, byte[]) in Java), which skips gobind's
// receiver glue on Android (docs/RATIONALE.md#gomobile-static). A closed
// or unknown handle is a Closed error.
func DatabaseWrite(db int64, opsJSON []byte) error {
	return errorOf(boundary.Write(db, bytes.Clone(opsJSON)))
}

// DatabaseGet is Database.Get on a handle (Database.Handle): a static
// call (Tether.databaseGet(long, String, byte[]) in Java), which skips gobind's
// receiver glue on Android (docs/RATIONALE.md#gomobile-static). NotFound
// when there is no such object; a closed or unknown handle is a Closed
// error.
func DatabaseGet(db int64, className string, keyJSON []byte) ([]byte, error) {
	b, err := boundary.Get(db, className, bytes.Clone(keyJSON))
	return b, errorOf(err)
}

// DatabaseQuery is Database.Query on a handle (Database.Handle): a static
// call (Tether.databaseQuery(long, byte[]) in Java), which skips gobind's
// receiver glue on Android (docs/RATIONALE.md#gomobile-static). A closed
// or unknown handle is a Closed error.
func DatabaseQuery(db int64, queryJSON []byte) ([]byte, error) {
	b, err := boundary.Query(db, bytes.Clone(queryJSON))
	return b, errorOf(err)
}

// DatabaseCount is Database.Count on a handle (Database.Handle): a static
// call (Tether.databaseCount(long, byte[]) in Java), which skips gobind's
// receiver glue on Android (docs/RATIONALE.md#gomobile-static). A closed
// or unknown handle is a Closed error.
func DatabaseCount(db int64, queryJSON []byte) (int64, error) {
	n, err := boundary.Count(db, bytes.Clone(queryJSON))
	return n, errorOf(err)
}

// Schema returns the database's schema as a JSON array of classes.
func (d *Database) Schema() ([]byte, error) {
	b, err := boundary.SchemaJSON(d.h)
	return b, errorOf(err)
}

// AddListener calls l with every change of a JSON query's results; it
// returns an id for RemoveListener.
func (d *Database) AddListener(queryJSON []byte, l ChangeListener) (int64, error) {
	id, err := boundary.AddListener(d.h, bytes.Clone(queryJSON), l.OnChange)
	return id, errorOf(err)
}

// RemoveListener stops a change listener (NotFound if it is not registered).
func (d *Database) RemoveListener(id int64) error { return errorOf(boundary.RemoveListener(id)) }

// WaitForListeners waits up to timeoutMs milliseconds (0: only checks)
// until every change listener has been called for every commit visible
// now, local or downloaded; false if the time ran out first (as it does
// when called from a listener, which would wait for itself). A downloaded
// commit is visible a moment before its listeners run: call this between
// seeing new data and looking at what a listener recorded. A negative
// timeout is InvalidArgument.
func (d *Database) WaitForListeners(timeoutMs int64) (bool, error) {
	ok, err := boundary.WaitForListeners(d.h, timeoutMs)
	return ok, errorOf(err)
}

// SyncSession is a sync session of an open database.
type SyncSession struct{ h int64 }

// StartSync starts syncing the database; it returns at once (the session
// connects on its own goroutine). configJSON: {"url", "token", "partition",
// "startPaused", "minBackoffMs", "maxBackoffMs", "clientReset": "manual" |
// "discardUnsyncedChanges" | "recoverUnsyncedChanges" |
// "recoverOrDiscardUnsyncedChanges" (the default)}; maxBackoffMs below
// minBackoffMs is InvalidArgument. The first event listener also gets the
// events since the start, so none is missed without startPaused.
func (d *Database) StartSync(configJSON []byte) (*SyncSession, error) {
	h, err := boundary.SessionStart(d.h, bytes.Clone(configJSON))
	if err != nil {
		return nil, errorOf(err)
	}
	return &SyncSession{h: h}, nil
}

// StartSyncWithListener is StartSync with l in place before the session
// does anything (Realm's error handler and client-reset callbacks in its
// sync config): it hears every event of types (comma-separated:
// "sessionState,connectionState,error,clientReset"), a client reset
// included. With views, clientReset events carry "before" as
// AddEventListenerWithViews's.
func (d *Database) StartSyncWithListener(configJSON []byte, types string, views bool, l EventListener) (*SyncSession, error) {
	h, _, err := boundary.SessionStartWith(d.h, bytes.Clone(configJSON), strings.Split(types, ","), views, l.OnEvent)
	if err != nil {
		return nil, errorOf(err)
	}
	return &SyncSession{h: h}, nil
}

// Close ends the session (the database stays open).
func (s *SyncSession) Close() error { return errorOf(boundary.SessionClose(s.h)) }

// Pause stops syncing until Resume.
func (s *SyncSession) Pause() error { return errorOf(boundary.SessionPause(s.h)) }

// Resume restarts a paused session (or one waiting for a token).
func (s *SyncSession) Resume() error { return errorOf(boundary.SessionResume(s.h)) }

// RefreshToken hands the session a new access token.
func (s *SyncSession) RefreshToken(token string) error {
	return errorOf(boundary.SessionRefreshToken(s.h, token))
}

// State returns {"session": "active"|"paused"|"inactive"|"dying"|
// "waitingForAccessToken", "connection": "disconnected"|"connecting"|
// "connected"}.
func (s *SyncSession) State() ([]byte, error) {
	b, err := boundary.SessionStateJSON(s.h)
	return b, errorOf(err)
}

// User returns the session's user as the server named it at the last
// bind: {"id": "...", "claims": {...}} (id "" and claims {} before it).
func (s *SyncSession) User() ([]byte, error) {
	b, err := boundary.SessionUserJSON(s.h)
	return b, errorOf(err)
}

// UploadAll waits up to timeoutMs milliseconds (> 0) until every local
// change is uploaded; false if the time ran out first. A closed session
// fails with Closed, a session a fatal error stopped with that error's
// code, at once (also a wait in progress when it came).
func (s *SyncSession) UploadAll(timeoutMs int64) (bool, error) {
	ok, err := boundary.SessionUploadAll(s.h, timeoutMs)
	return ok, errorOf(err)
}

// DownloadAll waits up to timeoutMs milliseconds until every server change
// known now is downloaded; false if the time ran out first.
func (s *SyncSession) DownloadAll(timeoutMs int64) (bool, error) {
	ok, err := boundary.SessionDownloadAll(s.h, timeoutMs)
	return ok, errorOf(err)
}

// WaitForListeners waits up to timeoutMs milliseconds (0: only checks)
// until the session's event and progress listeners have been called for
// every event visible now (e.g. the state State returns); false if the
// time ran out first (as it does when called from one of them). A
// negative timeout is InvalidArgument.
func (s *SyncSession) WaitForListeners(timeoutMs int64) (bool, error) {
	ok, err := boundary.SessionWaitForListeners(s.h, timeoutMs)
	return ok, errorOf(err)
}

// AddEventListener calls l with the session's state, connection, error and
// client-reset events; it returns an id for RemoveListener.
func (s *SyncSession) AddEventListener(l EventListener) (int64, error) {
	id, err := boundary.SessionAddEventListener(s.h, l.OnEvent)
	return id, errorOf(err)
}

// AddProgressListener calls l with progress in one direction ("upload" |
// "download"), mode "currentChanges" (until what is outstanding now is
// transferred) or "indefinitely"; it returns an id for RemoveListener.
func (s *SyncSession) AddProgressListener(direction, mode string, l ProgressListener) (int64, error) {
	id, err := boundary.SessionAddProgressListener(s.h, direction, mode, l.OnProgress)
	return id, errorOf(err)
}

// RemoveListener stops a session listener.
func (s *SyncSession) RemoveListener(id int64) error {
	return errorOf(boundary.SessionRemoveListener(id))
}

// DeleteDatabase deletes a database file once every handle on it is
// closed (Realm's deleteFile): a database no longer wanted, or a client
// reset's backup. A missing file is fine; a file that is not a Tether
// database is left alone (Corrupted).
func DeleteDatabase(path string) error {
	return errorOf(boundary.DeleteDatabase(path))
}

// ExecuteClientReset performs the manual client reset a database file
// records as required (close its session and database first): the file
// becomes the returned backup, and the next open starts afresh.
func ExecuteClientReset(path string) (string, error) {
	p, err := boundary.ExecuteClientReset(path)
	return p, errorOf(err)
}

// UnsyncedChanges lists a backup's unsynced changes as JSON, net entries
// per object: [{"op": "create"|"update"|"increment"|"delete", "class",
// "key", "fields"}] ("increment": the deltas; see boundary.UnsyncedChangesJSON).
func UnsyncedChanges(backupPath string) ([]byte, error) {
	b, err := boundary.UnsyncedChangesJSON(backupPath)
	return b, errorOf(err)
}
