package server

// Backups and restores of the whole server state. A backup holds every
// partition's snapshot and retained history. A restore drops every live
// connection, replaces all partitions with the backup's, and gives each
// restored partition a new epoch (see reset.go): versions after the
// backup's will be issued again with other content, so clients must be
// able to tell the old ones from the new.

import (
	"regexp"
	"time"

	"github.com/coder/websocket"

	"github.com/tethersync/tether/core/terror"
)

var backupNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func checkBackupName(name string) error {
	if !backupNameRe.MatchString(name) || name[0] == '.' {
		return terror.New(terror.InvalidArgument, "backup name %q: use 1-64 letters, digits, '_', '-', '.' (not first)", name)
	}
	return nil
}

// Backup snapshots every partition under a name; it returns each
// partition's server version.
func (srv *Server) Backup(name string) (map[string]uint64, error) {
	if err := checkBackupName(name); err != nil {
		return nil, err
	}
	versions := map[string]uint64{}
	var snaps []*Snapshot
	for _, p := range srv.partitions() {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			continue
		}
		s, err := p.snapshotLocked(true)
		p.mu.Unlock()
		if err != nil {
			return nil, err
		}
		snaps = append(snaps, s)
		versions[p.name] = s.Version
	}
	if err := srv.store.SaveBackup(name, snaps); err != nil {
		return nil, err
	}
	srv.log.Info("backup taken", "name", name, "partitions", len(snaps))
	return versions, nil
}

// Restore replaces all server state with a backup; it returns each
// restored partition's server version.
func (srv *Server) Restore(name string) (map[string]uint64, error) {
	if err := checkBackupName(name); err != nil {
		return nil, err
	}
	snaps, err := srv.store.LoadBackup(name)
	if err != nil {
		return nil, err
	}
	srv.refusing.Store(true)
	defer srv.refusing.Store(false)
	srv.partsMu.Lock()
	srv.restoring = true
	srv.partsMu.Unlock()
	defer func() {
		srv.partsMu.Lock()
		srv.restoring = false
		srv.partsMu.Unlock()
	}()
	srv.dropConnections(websocket.StatusServiceRestart, "server restored from a backup", 5*time.Second)

	srv.partsMu.Lock()
	old := srv.parts
	srv.parts = map[string]*partition{}
	srv.partsMu.Unlock()
	// Keep every epoch the partitions ever had, so clients of histories
	// the restore leaves behind are told precisely what they lost.
	known := map[string]map[uint64]EpochInfo{}
	for name, p := range old {
		p.mu.Lock()
		known[name] = cloneMeta(p.meta).Epochs
		p.mu.Unlock()
		p.close(false)
	}
	versions := map[string]uint64{}
	for _, s := range snaps {
		m := cloneMeta(s.Meta)
		for e, info := range known[s.Partition] {
			if _, ok := m.Epochs[e]; !ok {
				m.Epochs[e] = info
			}
		}
		e := newID()
		m.Epochs[e] = EpochInfo{Parent: s.Meta.Epoch, Base: s.Version, Kind: epochRestore}
		m.Epoch = e
		s.Meta = m
		versions[s.Partition] = s.Version
	}
	rerr := srv.store.ReplaceAll(snaps)
	srv.partsMu.Lock()
	lerr := srv.loadPartitions()
	srv.partsMu.Unlock()
	if rerr != nil {
		return nil, rerr
	}
	if lerr != nil {
		return nil, lerr
	}
	srv.log.Info("backup restored", "name", name, "partitions", len(snaps))
	return versions, nil
}
