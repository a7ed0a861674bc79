package main

import (
	"bytes"
	"encoding/json"
	"log"
	"os"
	"sort"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

// driver holds the one database handle of this client.
type driver struct {
	// db is the last opened handle, kept after close so that later
	// requests reach the store and get its own Closed error.
	db *store.DB
	// sess is the open database's sync session (nil when not syncing).
	sess   *session.Session
	events eventLog
	// lastConfig and lastSync are what the last successful open used:
	// executeClientReset opens with them again (unless its request gives
	// others).
	lastConfig, lastSync json.RawMessage
	// backups remembers the backup file of the last client reset (reset.go).
	backups backupLog
}

// syncVerbs go to the session (sync.go).
var syncVerbs = map[string]bool{"pause": true, "resume": true, "uploadAll": true, "downloadAll": true, "state": true,
	"subscribe": true, "waitForSubscriptions": true, "subscriptions": true}

func (d *driver) handle(req *request) (any, error) {
	switch req.Cmd {
	case "open":
		return nil, d.open(req)
	case "close":
		if d.db == nil {
			return nil, terror.New(terror.Closed, "no database has been opened")
		}
		return nil, d.db.Close() // its session ends with it
	case "write":
		return nil, d.write(req)
	case "query":
		return d.query(req)
	case "count":
		return d.count(req)
	case "events":
		d.waitForListeners()
		return d.events.take(), nil
	case "executeClientReset":
		return nil, d.executeClientReset(req)
	case "unsynced":
		return d.unsynced(req)
	case "file":
		return d.file(req)
	case "writeFile":
		return nil, writeFile(req)
	case "exit":
		return nil, nil
	case "":
		return nil, terror.New(terror.InvalidArgument, `the request has no "cmd"`)
	}
	if syncVerbs[req.Cmd] {
		return d.handleSync(req)
	}
	return nil, terror.New(terror.InvalidArgument, "unknown command %q", req.Cmd)
}

func (d *driver) open(req *request) error {
	if d.db != nil && !d.db.IsClosed() {
		return terror.New(terror.InvalidArgument, "this driver already has an open database; close it first")
	}
	if req.Backup != "" {
		config, err := d.backupConfig(req)
		if err != nil {
			return err
		}
		return d.openWith(config, req.Sync, true)
	}
	return d.openWith(req.Config, req.Sync, true)
}

// openWith opens the database the config describes, registers the change
// listeners and, with a sync object, starts the session; it remembers
// what it opened with, for the reopen after executeClientReset. fresh
// starts a new event log (open); the reopen of a reset keeps it.
func (d *driver) openWith(config, syncRaw json.RawMessage, fresh bool) error {
	var sc *syncConfig
	if present(syncRaw) {
		c, err := parseSyncConfig(syncRaw)
		if err != nil {
			return err
		}
		sc = &c
	}
	if !present(config) {
		return terror.New(terror.InvalidArgument, `open needs a "config" object`)
	}
	opts, err := boundary.ParseConfig(config)
	if err != nil {
		return err
	}
	db, err := store.Open(opts)
	if err != nil {
		return err
	}
	// A listener on every class of the schema, as an app would register,
	// in class-name order: a transaction's changes are delivered in
	// registration order, and scenarios rely on one order for all bindings.
	s, err := db.Schema()
	if err == nil {
		names := make([]string, 0, len(s.Classes))
		for _, c := range s.Classes {
			names = append(names, c.Name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, err = db.AddListener(store.Query{Class: name}, func(ch store.Change) {
				d.events.add(changeEvent(ch))
			}); err != nil {
				break
			}
		}
	}
	if err != nil {
		if cerr := db.Close(); cerr != nil {
			log.Printf("closing after a failed open: %v", cerr)
		}
		return err
	}
	d.db, d.sess = db, nil
	if fresh {
		d.events.take() // events are counted from the open
	}
	if sc != nil {
		if err := d.startSession(*sc); err != nil {
			if cerr := db.Close(); cerr != nil {
				log.Printf("closing after a failed session start: %v", cerr)
			}
			return err
		}
	}
	d.lastConfig, d.lastSync = config, syncRaw
	return nil
}

// handleDB returns the database for a data request.
func (d *driver) handleDB() (*store.DB, error) {
	if d.db == nil {
		return nil, terror.New(terror.Closed, "no database has been opened")
	}
	return d.db, nil
}

func (d *driver) write(req *request) error {
	db, err := d.handleDB()
	if err != nil {
		return err
	}
	if !present(req.Ops) {
		return terror.New(terror.InvalidArgument, `write needs "ops"`)
	}
	ops, err := boundary.ParseOps(req.Ops)
	if err != nil {
		return err
	}
	return db.Apply(ops)
}

func (d *driver) parseQuery(req *request) (*store.DB, store.Query, error) {
	db, err := d.handleDB()
	if err != nil {
		return nil, store.Query{}, err
	}
	if !present(req.Query) {
		return nil, store.Query{}, terror.New(terror.InvalidArgument, `%s needs a "query" object`, req.Cmd)
	}
	q, err := boundary.ParseQuery(req.Query)
	return db, q, err
}

func (d *driver) query(req *request) (any, error) {
	db, q, err := d.parseQuery(req)
	if err != nil {
		return nil, err
	}
	objs, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		out[i] = boundary.ObjectToJSON(o)
	}
	return out, nil
}

func (d *driver) count(req *request) (any, error) {
	db, q, err := d.parseQuery(req)
	if err != nil {
		return nil, err
	}
	return db.Count(q)
}

// shutdown closes the database when the runner says exit or stdin ends.
func (d *driver) shutdown() {
	if d.db != nil && !d.db.IsClosed() {
		if err := d.db.Close(); err != nil {
			log.Printf("close at exit: %v", err)
		}
	}
}

func present(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// writeFile damages a file as the runner's writeFile step asks (README):
// the text over the file's bytes at offset, or as the whole file. It is
// not the binding's API: it stands for a disk, a bad copy or another
// program.
func writeFile(req *request) error {
	if req.Path == "" || req.Text == nil {
		return terror.New(terror.InvalidArgument, `writeFile needs "path" and "text"`)
	}
	if req.Offset == nil {
		if err := os.WriteFile(req.Path, []byte(*req.Text), 0o644); err != nil {
			return terror.Wrap(terror.IO, err, "write %s", req.Path)
		}
		return nil
	}
	if *req.Offset < 0 {
		return terror.New(terror.InvalidArgument, "writeFile: negative offset %d", *req.Offset)
	}
	f, err := os.OpenFile(req.Path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return terror.Wrap(terror.IO, err, "open %s", req.Path)
	}
	if _, err := f.WriteAt([]byte(*req.Text), *req.Offset); err != nil {
		f.Close()
		return terror.Wrap(terror.IO, err, "write %s", req.Path)
	}
	if err := f.Close(); err != nil {
		return terror.Wrap(terror.IO, err, "close %s", req.Path)
	}
	return nil
}
