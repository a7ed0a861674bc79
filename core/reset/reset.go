// Package reset holds the client-reset modes a sync session applies when
// the server can no longer continue a database's history (restored from a
// backup, history trimmed, a breaking schema change, an operator's
// request), as Realm's ClientResetHandler offered them, and the events its
// callbacks receive. It holds only these types; the steps are elsewhere:
//
//   - core/session/client_reset_operation.go drives a reset: it starts one
//     on the server's error, finishes it once the server's state is in,
//     and sends the events;
//   - internal/engine/client_reset_operation.go performs the steps, each
//     atomic on disk and resumable (backup, fresh database, replay);
//   - internal/engine/pending_reset_store.go keeps the record of a reset in
//     progress or required;
//   - internal/engine/client_reset_recovery.go finds what a backup holds
//     that the server does not, and whether it still fits the schema;
//   - internal/engine/recovery_dropped.go replays it op by op and reports
//     each op that no longer applies (Event.Dropped), and
//     client_reset_unsynced.go lists collection edits for UnsyncedChanges;
//   - internal/engine/client_reset_backup.go moves a file to its backup
//     (manual mode) and opens backups read-only;
//   - core/store exposes the app's part: ExecuteClientReset,
//     UnsyncedChanges, DeleteDatabase.
package reset

import (
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/engine"
)

// Mode chooses what a client reset does with the changes the server does
// not have.
type Mode string

const (
	// Manual: the error handler receives a ClientReset error with the
	// database's path and its backup path; the app calls
	// ExecuteClientReset (or the next open does it). Writes made after the
	// error reach only the backup.
	Manual Mode = "manual"
	// DiscardUnsyncedChanges: the database takes the server's state; the
	// changes it had are left in the backup.
	DiscardUnsyncedChanges Mode = "discardUnsyncedChanges"
	// RecoverUnsyncedChanges: the unsynced changes are replayed on the
	// server's state with their original stamps, then uploaded; if that is
	// impossible (the schema lost what they touch), manual.
	RecoverUnsyncedChanges Mode = "recoverUnsyncedChanges"
	// RecoverOrDiscardUnsyncedChanges (the default): recover, else discard.
	RecoverOrDiscardUnsyncedChanges Mode = "recoverOrDiscardUnsyncedChanges"
)

// ParseMode reads a mode name; "" is the default.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return RecoverOrDiscardUnsyncedChanges, nil
	case Manual, DiscardUnsyncedChanges, RecoverUnsyncedChanges, RecoverOrDiscardUnsyncedChanges:
		return m, nil
	}
	return "", terror.New(terror.InvalidArgument, "unknown client reset mode %q (manual, discardUnsyncedChanges, recoverUnsyncedChanges, recoverOrDiscardUnsyncedChanges)", s)
}

// Applied says what a reset did: "manual", "discard" or "recover".
type Applied string

const (
	AppliedManual  Applied = "manual"
	AppliedDiscard Applied = "discard"
	AppliedRecover Applied = "recover"
)

// Intent is what a mode sets out to do (the "before" event's mode).
func (m Mode) Intent() Applied {
	switch m {
	case Manual:
		return AppliedManual
	case DiscardUnsyncedChanges:
		return AppliedDiscard
	}
	return AppliedRecover
}

// Event is what the client-reset callbacks receive.
type Event struct {
	// Phase is "before" (the reset is starting; for manual mode: it is
	// required) or "after" (the database holds the server's state, plus
	// the recovered changes).
	Phase string
	// Mode: before, what the reset sets out to do; after, what it did.
	Mode Applied
	// BackupPath holds the database as it was before the reset; it stays
	// until the app deletes it.
	BackupPath string
	// Before is a read-only view of the state before the reset (nil for
	// manual mode); After is the database after (phase "after").
	Before *store.DB
	After  *store.DB
	// Message explains a fallback (recovery impossible, reset failed).
	Message string
	// Dropped (phase "after") lists the unsynced ops recovery did not
	// apply, oldest first, each with its reason: empty when it applied
	// every one (or had none). A recovery that fell back to manual or
	// discard because some ops no longer fit the schema lists those
	// (SchemaMismatch); the others are in the backup (UnsyncedChanges).
	Dropped []DroppedOp
}

// DroppedOp is an unsynced op a recovery did not apply (the op's verb,
// its object, the property a collection or increment op acts on, and
// Reason: ReasonObjectDeleted, ReasonAnchorMissing, ReasonSchemaMismatch
// or ReasonPermissionDenied).
type DroppedOp = engine.DroppedOp

// The reasons of a DroppedOp. PermissionDenied is flexible sync's: a
// recovered op the server's rules or the session's view refuse (a
// flexible recovery's after event waits for the server's answer to report
// them); partition sync refuses whole uploads, not single ops.
const (
	ReasonObjectDeleted    = engine.DropObjectDeleted
	ReasonAnchorMissing    = engine.DropAnchorMissing
	ReasonSchemaMismatch   = engine.DropSchemaMismatch
	ReasonPermissionDenied = engine.DropPermissionDenied
)

// Handler receives the events of every client reset of a session.
type Handler func(Event)
