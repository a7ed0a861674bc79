package session

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/protocol"
)

// startClientReset follows a ClientReset error from the server in the
// session's mode. Automatic modes back the database up, replace it with a
// fresh one and reconnect at once; the reset finishes when the server's
// state has arrived (finishClientReset).
func (s *Session) startClientReset(e *protocol.Error) {
	s.dropConn()
	db := s.db
	// One reset, one backup path: a session resumed while a manual reset
	// is still required is told again, naming the file that reset will
	// create (the path its first callback and error gave the app).
	if info, err := db.PendingClientReset(); err == nil && info != nil && info.Required {
		s.requireManualReset(info.BackupPath, e, "")
		return
	}
	backup := s.backupPath()
	mode := s.cfg.ClientReset
	if mode == reset.Manual {
		s.requireManualReset(backup, e, "")
		return
	}
	var newSchema *schema.Schema
	if len(e.Schema) > 0 {
		sc, err := schema.FromJSON(e.Schema)
		if err == nil {
			newSchema = sc
		}
	}
	if err := db.BeginClientReset(backup, string(mode), e.RestoredVersion, e.Restored, newSchema); err != nil {
		// The automatic reset could not even start: fall back to manual.
		s.requireManualReset(backup, e, "the automatic client reset failed: "+err.Error())
		return
	}
	// The fresh database is a new client with nothing uploaded.
	s.uploaded, s.sentVersion = 0, 0
	if s.subs != nil {
		s.subs.bootstrapAgain() // kept by the engine; its objects are not
	}
	before, _ := store.OpenReadOnly(backup)
	s.emitReset(reset.Event{Phase: "before", Mode: mode.Intent(), BackupPath: backup, Before: before})
	s.resetBefore = before
	// A fresh database binds as a new client and bootstraps from state:
	// at once, unless failures since the last healthy connection grew the
	// backoff (a server that resets every bind must not be hit in a loop).
	if s.backoff > s.cfg.MinBackoff {
		s.scheduleReconnect()
		return
	}
	s.backoff = min(2*s.cfg.MinBackoff, s.cfg.MaxBackoff)
	s.reconnGen++
	s.connect()
}

// requireManualReset is manual mode, and the fallback of the others.
func (s *Session) requireManualReset(backup string, e *protocol.Error, why string) {
	// Recorded once: a repeat of the server's request keeps the first
	// record (its backup path and restored version).
	if info, err := s.db.PendingClientReset(); err != nil || info == nil || !info.Required {
		if err := s.db.MarkClientResetRequired(backup, e.RestoredVersion, e.Restored); err != nil {
			s.reportError(terror.CodeOf(err), err.Error(), true)
		}
	}
	msg := fmt.Sprintf("client reset required: %s; call ExecuteClientReset on %s (every instance closed), or it happens at the next open; the database before the reset will be at %s", e.Message, s.cfg.DB.Path(), backup)
	if why != "" {
		msg = why + "; " + msg
	}
	s.emitReset(reset.Event{Phase: "before", Mode: reset.AppliedManual, BackupPath: backup, Message: msg})
	s.reportError(string(terror.ClientReset), msg, true)
	s.setState(Inactive)
}

// finishClientReset completes a reset in progress once the server's state
// is in: recover the unsynced changes if the mode says so and they fit
// the new schema, else discard them; then the "after" event.
func (s *Session) finishClientReset() {
	db := s.db
	info, err := db.PendingClientReset()
	if err != nil || info == nil || info.Required {
		return
	}
	mode, _ := reset.ParseMode(info.Mode)
	applied := reset.AppliedDiscard
	var recovered []*engine.Changeset
	var dropped []engine.DroppedOp
	msg := ""
	if mode.Intent() == reset.AppliedRecover {
		css, err := engine.UnsyncedChangesets(info.BackupPath)
		if err == nil {
			err = db.CheckRecoverable(css)
		}
		switch {
		case err == nil:
			recovered, applied = css, reset.AppliedRecover
		case terror.CodeOf(err) == terror.SchemaMismatch:
			dropped, _ = db.Misfits(css) // why recovery is impossible: reported with the fallback
			fallthrough
		default:
			if mode == reset.RecoverUnsyncedChanges {
				applied, msg = reset.AppliedManual, "the unsynced changes cannot be recovered ("+err.Error()+"): they are in "+info.BackupPath
			} else {
				msg = "the unsynced changes cannot be recovered (" + err.Error() + "): discarded; they are in " + info.BackupPath
			}
		}
	}
	d, err := db.RecoverClientReset(recovered)
	if err != nil {
		s.reportError(terror.CodeOf(err), err.Error(), false)
		return
	}
	if recovered != nil {
		dropped = d
	}
	if dropped == nil {
		dropped = []engine.DroppedOp{}
	}
	before := s.resetBefore
	if before == nil { // resumed after a restart: open the backup again
		before, _ = store.OpenReadOnly(info.BackupPath)
	}
	ev := reset.Event{Phase: "after", Mode: applied, BackupPath: info.BackupPath, Before: before, After: s.cfg.DB, Message: msg, Dropped: dropped}
	if s.holdResetAfter(ev) {
		return // flexible recovery: after the server's answer (flex_reset.go)
	}
	s.emitAfter(ev)
}

// emitAfter sends a reset's after event and closes its view of the state
// before the reset.
func (s *Session) emitAfter(ev reset.Event) {
	s.emitReset(ev)
	if ev.Mode == reset.AppliedManual {
		s.reportError(string(terror.ClientReset), ev.Message, false)
	}
	if ev.Before != nil {
		ev.Before.Close()
	}
	s.resetBefore = nil
}

// backupPath names the backup of a reset: next to the database file, or
// in the temp directory for an in-memory database.
func (s *Session) backupPath() string {
	now := time.Now().UnixNano()
	if p := s.cfg.DB.Path(); p != "" {
		return engine.BackupPathFor(p, now)
	}
	st, _ := s.db.SyncState()
	return engine.BackupPathFor(filepath.Join(os.TempDir(), fmt.Sprintf("tether-%d.tether", st.ClientID)), now)
}
