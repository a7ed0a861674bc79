package main

import (
	"encoding/json"
	"time"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

// Reconnect delays of the driver's sessions: an application would keep the
// defaults (100ms doubling up to 10s); a conformance run shortens the
// ceiling so that outage, kill and restart scenarios see clients come
// back within a second or so of the server.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 500 * time.Millisecond
)

// syncConfig is the open request's "sync" object; the backoff bounds
// (ms) replace the driver's own when given.
type syncConfig struct {
	URL          string   `json:"url"`
	URLs         []string `json:"urls"` // more instances (session.Config.URLs)
	Token        string   `json:"token"`
	Partition    string   `json:"partition"`
	ClientReset  string   `json:"clientReset"`
	MinBackoffMs *int64   `json:"minBackoffMs"`
	MaxBackoffMs *int64   `json:"maxBackoffMs"`
	// Flexible sync (flexible.go): no partition; the initial set.
	Flexible      bool            `json:"flexible"`
	Subscriptions json.RawMessage `json:"subscriptions"`
}

var clientResetModes = map[string]bool{"": true, "manual": true, "discardUnsyncedChanges": true,
	"recoverUnsyncedChanges": true, "recoverOrDiscardUnsyncedChanges": true}

func parseSyncConfig(raw json.RawMessage) (syncConfig, error) {
	var c syncConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, terror.Wrap(terror.InvalidArgument, err, `"sync" must be {"url", "token", "partition", "clientReset"}`)
	}
	switch {
	case c.URL == "" && len(c.URLs) == 0:
		return c, terror.New(terror.InvalidArgument, `"sync" needs the server "url"`)
	case c.Partition == "" && !c.Flexible:
		return c, terror.New(terror.InvalidArgument, `"sync" needs a "partition"`)
	case !clientResetModes[c.ClientReset]:
		return c, terror.New(terror.InvalidArgument, "unknown clientReset mode %q", c.ClientReset)
	}
	return c, nil
}

// startSession starts the database's session and then registers every
// callback: the first listener of each kind gets what happened since
// Start, so the first events are sessionState inactive→active and
// connectionState disconnected→connecting. The client-reset mode is the
// open's ("": the session's default, recoverOrDiscardUnsyncedChanges).
func (d *driver) startSession(c syncConfig) error {
	minB, maxB := minBackoff, maxBackoff
	if c.MinBackoffMs != nil {
		minB = time.Duration(*c.MinBackoffMs) * time.Millisecond
	}
	if c.MaxBackoffMs != nil {
		maxB = time.Duration(*c.MaxBackoffMs) * time.Millisecond
	}
	initial, err := boundary.ParseInitialSubscriptions(c.Subscriptions)
	if err != nil {
		return err
	}
	s, err := session.Start(session.Config{URL: c.URL, URLs: c.URLs, Token: c.Token, Partition: c.Partition, DB: d.db,
		MinBackoff: minB, MaxBackoff: maxB, ClientReset: reset.Mode(c.ClientReset),
		Flexible: c.Flexible, InitialSubscriptions: initial})
	if err != nil {
		return err
	}
	s.AddStateListener(func(from, to session.State) {
		d.events.add(event{"type": "sessionState", "from": from.String(), "to": to.String()})
	})
	s.AddConnectionListener(func(from, to session.ConnectionState) {
		d.events.add(event{"type": "connectionState", "from": from.String(), "to": to.String()})
	})
	progress := func(p session.Progress) {
		d.events.add(event{"type": "progress", "direction": p.Direction.String(),
			"transferred": p.Transferred, "transferable": p.Transferable})
	}
	s.AddProgressListener(session.Upload, session.Indefinitely, progress)
	s.AddProgressListener(session.Download, session.Indefinitely, progress)
	s.AddErrorHandler(func(e session.Error) {
		ev := event{"type": "error", "code": e.Code, "fatal": e.Fatal, "message": e.Message}
		if objs := boundary.RefusedObjectsJSON(e.Objects); objs != nil {
			ev["objects"] = objs
		}
		d.events.add(ev)
	})
	s.AddClientResetListener(func(ev reset.Event) {
		d.backups.set(ev.BackupPath) // known before the runner can see the event
		d.events.add(resetEvent(ev))
	})
	d.sess = s
	return nil
}

// syncSession returns the session for a sync command.
func (d *driver) syncSession(cmd string) (*session.Session, error) {
	if d.db == nil || d.db.IsClosed() {
		return nil, terror.New(terror.Closed, "no database is open")
	}
	if d.sess == nil {
		return nil, terror.New(terror.InvalidArgument, "%s needs a synced database: open it with \"sync\"", cmd)
	}
	return d.sess, nil
}

func (d *driver) handleSync(req *request) (any, error) {
	s, err := d.syncSession(req.Cmd)
	if err != nil {
		return nil, err
	}
	switch req.Cmd {
	case "pause":
		s.Pause()
	case "resume":
		s.Resume()
	case "state":
		return map[string]string{"session": s.State().String(), "connection": s.ConnectionState().String()}, nil
	case "uploadAll", "downloadAll":
		timeout, err := time.ParseDuration(req.Timeout)
		if err != nil || timeout <= 0 {
			return nil, terror.New(terror.InvalidArgument, "%s needs a positive \"timeout\" (a Go duration), got %q", req.Cmd, req.Timeout)
		}
		wait, what := s.UploadAllLocalChanges, "local changes were uploaded"
		if req.Cmd == "downloadAll" {
			wait, what = s.DownloadAllServerChanges, "server changes were downloaded"
		}
		ok, err := wait(timeout)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, terror.New(terror.Timeout, "not all %s within %v", what, timeout)
		}
	case "subscribe", "waitForSubscriptions", "subscriptions":
		return d.handleFlexible(s, req)
	}
	return nil, nil
}
