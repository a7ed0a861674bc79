package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"sync"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
	"github.com/tethersync/tether/internal/engine"
)

// backupLog remembers the backup file of the last client reset: the path
// the clientReset callbacks deliver (a manual reset's "before" names the
// file the database will be moved to), or the one ExecuteClientReset
// returns. The callbacks run on the session's goroutine, hence the lock.
type backupLog struct {
	mu    sync.Mutex
	path  string
	first string // the first one this process saw (*ext* "backup": "first")
}

func (b *backupLog) set(p string) {
	if p == "" {
		return
	}
	b.mu.Lock()
	b.path = p
	if b.first == "" {
		b.first = p
	}
	b.mu.Unlock()
}

// get returns the backup a request's "backup" names: "last" (or
// absent), or *ext* "first".
func (b *backupLog) get(which string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch which {
	case "", "last":
		return b.path, nil
	case "first":
		return b.first, nil
	}
	return "", terror.New(terror.InvalidArgument, `"backup" must be "last" or "first", got %q`, which)
}

// resetEvent renders a client-reset callback: SPEC's phase and mode (what
// the reset set out to do before, what it did after), plus the backup
// path and, when there is one, the message explaining a fallback.
func resetEvent(ev reset.Event) event {
	e := event{"type": "clientReset", "phase": ev.Phase, "mode": string(ev.Mode), "backupPath": ev.BackupPath}
	if ev.Message != "" {
		e["message"] = ev.Message
	}
	if ev.Phase == "after" {
		e["dropped"] = boundary.DroppedJSON(ev.Dropped) // what recovery did not apply: [] for none
	}
	return e
}

// executeClientReset performs a manual client reset the way an app does
// after the ClientReset error: close the session and every handle,
// store.ExecuteClientReset on the file (its content becomes the backup),
// then open again — with the request's config and sync if it gives them
// (the runner always does), else with the last open's — so that later
// steps find a fresh database that downloads the server's state. The
// event log is kept: it gains {"type": "clientReset", "phase": "after",
// "mode": "manual"} between the old session's events and the new one's.
func (d *driver) executeClientReset(req *request) error {
	config, syncRaw := d.lastConfig, d.lastSync
	if present(req.Config) {
		config, syncRaw = req.Config, req.Sync
	}
	if !present(config) {
		return terror.New(terror.Closed, "no database has been opened")
	}
	opts, err := boundary.ParseConfig(config)
	if err != nil {
		return err
	}
	if opts.InMemory || opts.Path == "" {
		return terror.New(terror.InvalidArgument, "an in-memory database has no file to reset")
	}
	wasOpen := d.db != nil && !d.db.IsClosed()
	if wasOpen {
		// Refuse before closing anything: a failed step changes nothing.
		// The record is the engine's (an app learns of it from the error).
		info, err := engine.Of(d.db).PendingClientReset()
		if err != nil {
			return err
		}
		if info == nil || !info.Required {
			return terror.New(terror.InvalidArgument, "%s does not need a client reset", opts.Path)
		}
		if err := d.db.Close(); err != nil { // its session ends with it
			return err
		}
	}
	backup, err := store.ExecuteClientReset(opts.Path)
	if err != nil {
		if wasOpen { // put things back as they were
			if rerr := d.openWith(d.lastConfig, d.lastSync, false); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		return err
	}
	d.backups.set(backup)
	d.events.add(event{"type": "clientReset", "phase": "after", "mode": string(reset.AppliedManual), "backupPath": backup,
		"dropped": []any{}}) // nothing was replayed, so nothing was dropped: the app replays from the backup
	return d.openWith(config, syncRaw, false)
}

// lastBackup resolves a request's "backup" to a path ("" before any reset).
func (d *driver) lastBackup(req *request) (string, error) { return d.backups.get(req.Backup) }

// backupConfig is an open's config with the path of the backup the
// request names (*ext* "backup" on open): the app opens the file a
// client reset's callback gave it.
func (d *driver) backupConfig(req *request) (json.RawMessage, error) {
	p, err := d.lastBackup(req)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, terror.New(terror.NotFound, "no client reset has happened: there is no backup")
	}
	var c map[string]json.RawMessage
	if err := json.Unmarshal(req.Config, &c); err != nil || c == nil {
		return nil, terror.New(terror.InvalidArgument, `open needs a "config" object`)
	}
	c["path"], _ = json.Marshal(p)
	return json.Marshal(c)
}

// unsynced lists the unsynced changes in the last reset's backup with
// the binding's recovery helper, values in Extended JSON.
func (d *driver) unsynced(req *request) (any, error) {
	p, err := d.lastBackup(req)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, terror.New(terror.NotFound, "no client reset has happened: there is no backup")
	}
	b, err := boundary.UnsyncedChangesJSON(p)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

// file tells whether the last reset's backup file exists.
func (d *driver) file(req *request) (any, error) {
	p, err := d.lastBackup(req)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return map[string]any{"path": nil, "exists": false}, nil
	}
	_, err = os.Stat(p)
	switch {
	case err == nil:
		return map[string]any{"path": p, "exists": true}, nil
	case errors.Is(err, fs.ErrNotExist):
		return map[string]any{"path": p, "exists": false}, nil
	}
	return nil, terror.Wrap(terror.IO, err, "stat %s", p)
}
