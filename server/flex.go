package server

// Flexible sync's server side: the app's one object space, its mode and
// rules. The space is a partition under a reserved name (flexPartition),
// so that history, merge, trim, snapshots, backups, restores and resets
// work on it exactly as on any partition; only binding, routing and write
// checks differ (flex_session.go, flex_upload.go).

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/protocol"
	"github.com/tethersync/tether/internal/vfs"
)

// flexPartition is the partition that holds the app's flexible-sync space.
// It starts with a NUL byte, which no partition client is allowed to bind
// (reservedPartition), so it cannot collide with an app's partition name;
// the admin API reaches it by that name (URL-encoded %00app) for backups
// and resets.
const flexPartition = "\x00app"

// reservedPartition reports whether a partition bind names the flexible
// space (or anything else in the reserved NUL-prefixed range).
func reservedPartition(name string) bool { return strings.HasPrefix(name, "\x00") }

// flexFile keeps rules set through the admin API across restarts.
const flexFile = "flexible.json"

// flexConf is the server's flexible-sync configuration; gen changes with
// every update, so sessions recompile their rules.
type flexConf struct {
	Enabled bool  `json:"enabled"`
	Rules   Rules `json:"rules,omitempty"`
	gen     uint64
	// viewGen names these rules for resuming clients (flex_resume.go):
	// unique across updates and restarts of this server.
	viewGen uint64
}

// initFlexible sets the flexible configuration at start: Config's rules
// (the -rules file) win; without them, the rules the admin API stored
// last (and its mode, unless Config enables flexible sync anyway).
func (srv *Server) initFlexible() error {
	fc := &flexConf{Enabled: srv.cfg.Flexible || srv.cfg.Rules != nil, Rules: srv.cfg.Rules, gen: 1, viewGen: newViewGen(0)}
	if srv.cfg.Rules == nil && srv.cfg.DataDir != "" {
		b, err := os.ReadFile(filepath.Join(srv.cfg.DataDir, flexFile))
		switch {
		case err == nil:
			var stored flexConf
			if err := json.Unmarshal(b, &stored); err != nil {
				return terror.Wrap(terror.Corrupted, err, "read %s", flexFile)
			}
			fc.Enabled, fc.Rules = fc.Enabled || stored.Enabled, stored.Rules
		case !os.IsNotExist(err):
			return terror.Wrap(terror.IO, err, "read %s", flexFile)
		}
	}
	srv.flex.Store(fc)
	return nil
}

// flexible returns the current flexible-sync configuration.
func (srv *Server) flexible() *flexConf { return srv.flex.Load() }

// SetFlexible enables or disables flexible sync and replaces its rules;
// bound flexible sessions re-evaluate their views under the new rules.
func (srv *Server) SetFlexible(enabled bool, rules Rules) error {
	old := srv.flex.Load()
	fc := &flexConf{Enabled: enabled, Rules: rules, gen: old.gen + 1, viewGen: newViewGen(old.viewGen)}
	if srv.cfg.DataDir != "" {
		// Written aside and renamed: a crash leaves the old file or the
		// new one, never a torn one.
		path := filepath.Join(srv.cfg.DataDir, flexFile)
		b, err := json.Marshal(fc)
		if err != nil {
			return terror.Wrap(terror.InvalidArgument, err, "encode the flexible configuration")
		}
		if err := logfile.WriteFileSync(vfs.OS, path+".tmp", b, 0o600); err != nil {
			return err
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			return terror.Wrap(terror.IO, err, "store %s", flexFile)
		}
		if err := logfile.SyncDir(vfs.OS, srv.cfg.DataDir); err != nil {
			return err
		}
	}
	srv.flex.Store(fc)
	if p := srv.existing(flexPartition); p != nil {
		p.mu.Lock()
		for s := range p.subs {
			if s.flex != nil {
				s.flex.requeueLocked()
			}
		}
		p.mu.Unlock()
	}
	return nil
}

// adminFlexible: POST /admin/flexible {"mode": "flexible" | "partition",
// "rules": {...}} (a scenario's server "mode" and "rules").
func (srv *Server) adminFlexible(r *http.Request, body []byte) (any, error) {
	var req struct {
		Mode  string          `json:"mode"`
		Rules json.RawMessage `json:"rules"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "the body must be {mode, rules}")
	}
	var enabled bool
	switch req.Mode {
	case "flexible":
		enabled = true
	case "partition", "":
	default:
		return nil, terror.New(terror.InvalidArgument, "mode must be flexible or partition, got %q", req.Mode)
	}
	var rules Rules
	if len(req.Rules) > 0 && string(req.Rules) != "null" {
		var err error
		if rules, err = ParseRules(req.Rules); err != nil {
			return nil, err
		}
	}
	if err := srv.SetFlexible(enabled, rules); err != nil {
		return nil, err
	}
	return map[string]any{"mode": req.Mode, "classes": len(rules)}, nil
}

// speaks reports whether the server takes a client of protocol version v:
// every version from protocol.MinVersion to its own (versions are
// additive), or exactly the one a test made it speak.
func (srv *Server) speaks(v int) bool {
	if srv.cfg.ProtocolVersion != 0 {
		return v == srv.cfg.ProtocolVersion
	}
	return v >= protocol.MinVersion && v <= protocol.Version
}

// checkFlexibleBind refuses a partition bind of the reserved space and a
// flexible bind the server or the client's version cannot serve.
func (srv *Server) checkFlexibleBind(b *protocol.Bind) *protocol.Error {
	switch {
	case !b.Flexible && reservedPartition(b.Partition):
		return &protocol.Error{Code: string(terror.InvalidArgument), Action: protocol.ActionFatal, Message: "partition names starting with a NUL byte are reserved"}
	case b.Flexible && b.Partition != "":
		return &protocol.Error{Code: string(terror.ProtocolError), Action: protocol.ActionFatal, Message: "a flexible bind names no partition"}
	case b.Flexible && b.ProtocolVersion < protocol.FlexibleVersion:
		return &protocol.Error{Code: string(terror.ProtocolError), Action: protocol.ActionFatal, Message: "flexible sync needs protocol version " + strconv.Itoa(protocol.FlexibleVersion)}
	case b.Flexible && !srv.flexible().Enabled:
		return &protocol.Error{Code: string(terror.PermissionDenied), Action: protocol.ActionFatal, Message: "this server does not serve flexible sync (tetherd -flexible or -rules)"}
	}
	return nil
}
