package server

// A partition on row storage (storage_rows.go, PostgreSQL): it keeps its
// metadata and what it knows of clients in memory, but no objects. Each
// upload is integrated in one storage transaction: the touched objects
// are read, merged by the same applyTo as the in-memory map, and written
// back with the history records; only then is it acknowledged. Other
// servers on the same database report their integrations (Watch), and
// every bind re-reads what another server may have changed.

import (
	"errors"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/protocol"
)

// rowStoreOf returns st as a row store when the partition should use one:
// every partition but the flexible space's (held in memory, one server).
func rowStoreOf(st PartitionStore, name string) RowStore {
	if rs, ok := st.(RowStore); ok && name != flexPartition {
		return rs
	}
	return nil
}

// openRows loads a row-mode partition. One stored before row mode (log
// records after its snapshot) is replayed in memory once and written as
// rows, after which its objects are dropped from memory.
func (p *partition) openRows(rs RowStore) error {
	snap, ok, err := rs.LoadRows()
	if err != nil {
		return err
	}
	if !ok {
		snap, recs, err := rs.Load()
		if err != nil {
			return err
		}
		if snap != nil {
			if err := p.loadSnapshot(snap); err != nil {
				return err
			}
		}
		for _, r := range recs {
			p.replay(r)
		}
		if err := p.compactLocked(); err != nil {
			return err
		}
		rs.EnterRows()
		p.objects = map[string]*stateObj{}
	} else if snap != nil {
		p.setMeta(snap.Meta)
		p.latest.Store(snap.Version)
		for i := range snap.Clients {
			c := snap.Clients[i]
			p.clients[c.ID] = &c
		}
	}
	p.rows = rs
	if p.meta.Epoch == 0 {
		m := cloneMeta(p.meta)
		m.Epoch, m.Writer = newID(), newID()
		m.Epochs = map[uint64]EpochInfo{m.Epoch: {Kind: epochRoot}}
		if m, err = rs.InitMeta(m); err != nil {
			return err
		}
		p.setMeta(m)
	}
	return nil
}

// refreshLocked re-reads the metadata, the latest version and one
// client, which other servers on the database may have changed.
func (p *partition) refreshLocked(clientID uint64) error {
	m, v, c, err := p.rows.Refresh(clientID)
	if err != nil {
		return err
	}
	p.setMeta(m)
	if v > p.latest.Load() {
		p.latest.Store(v)
	}
	if c != nil {
		p.clients[c.ID] = c
	}
	return nil
}

// rowSet is the objects one integration read, and the ones it changed.
type rowSet struct {
	objs  map[string]*stateObj
	dirty map[string]bool
}

func (r *rowSet) get(k string) *stateObj { return r.objs[k] }
func (r *rowSet) put(k string, so *stateObj) {
	r.objs[k] = so
	r.dirty[k] = true
}

// integrateRowsLocked is integrateLocked on row storage. The client's
// last integrated version and the partition's latest are read in the
// transaction, under the partition's lock across servers: a retried
// upload that another server integrated is acknowledged, not integrated
// again.
func (p *partition) integrateRowsLocked(clientID uint64, items []upItem) (cv, sv uint64, n int, err error) {
	now := time.Now().UnixNano()
	var fresh []*crdt.Changeset
	err = p.rows.Integrate(clientID, func(tx RowTx) (*RowWrite, error) {
		c := tx.Client()
		last, v := c.LastCV, tx.Latest()
		fresh = nil
		w := &RowWrite{}
		for i, it := range items {
			if clientID == p.meta.Writer {
				// The server's own writes (serverWrite): another server
				// shares the writer id, so the client version is the
				// next one the database knows of.
				it.cs.Version = c.LastCV + 1 + uint64(i)
				it.cv, it.data = it.cs.Version, crdt.EncodeChangeset(it.cs)
			}
			if it.cv <= last {
				continue // already integrated (here or by another server)
			}
			v++
			w.History = append(w.History, HistoryRecord{Version: v, ClientID: clientID, ClientVersion: it.cv, Time: now, Data: it.data})
			fresh = append(fresh, it.cs)
			last = it.cv
		}
		if len(fresh) == 0 {
			cv, sv = c.LastCV, c.LastSV
			return nil, nil
		}
		set := &rowSet{objs: map[string]*stateObj{}, dirty: map[string]bool{}}
		var refs []crdt.StateObject
		seen := map[string]bool{}
		for _, cs := range fresh {
			for i := range cs.Ops {
				kb := value.Append(nil, cs.Ops[i].Key)
				if k := objKey(cs.Ops[i].Class, kb); !seen[k] {
					seen[k] = true
					refs = append(refs, crdt.StateObject{Class: cs.Ops[i].Class, Key: kb})
				}
			}
		}
		stored, err := tx.Read(refs)
		if err != nil {
			return nil, err
		}
		for _, o := range stored {
			so, err := decodeStored(o)
			if err != nil {
				return nil, terror.Wrap(terror.Corrupted, err, "partition %q", p.name)
			}
			set.objs[objKey(so.class, so.key)] = so
		}
		for _, cs := range fresh {
			p.applyTo(set, cs)
		}
		for k := range set.dirty {
			w.Objects = append(w.Objects, p.encode(set.objs[k]))
		}
		c.LastCV, c.LastSV, c.LastSeen = last, v, now
		w.Client = c
		cv, sv, n = last, v, len(w.History)
		return w, nil
	})
	if err != nil {
		return 0, 0, 0, err
	}
	for _, cs := range fresh {
		p.srv.clock.Observe(cs.Stamp.HLC)
	}
	c := p.client(clientID)
	c.LastCV, c.LastSV, c.LastSeen = max(c.LastCV, cv), max(c.LastSV, sv), now
	if sv > p.latest.Load() {
		p.latest.Store(sv)
		p.notifyLocked()
	}
	return cv, sv, n, nil
}

// readRowLocked reads one stored object (the server's writes check their
// ops against it); nil if there is none.
func (p *partition) readRowLocked(class string, key []byte) (*stateObj, error) {
	var out []crdt.StateObject
	err := p.rows.Integrate(0, func(tx RowTx) (*RowWrite, error) {
		var err error
		out, err = tx.Read([]crdt.StateObject{{Class: class, Key: key}})
		return nil, err
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	so, err := decodeStored(out[0])
	if err != nil {
		return nil, terror.Wrap(terror.Corrupted, err, "partition %q", p.name)
	}
	p.srv.clock.Observe(so.obj.Tombstone.HLC)
	for _, st := range so.obj.Stamps {
		p.srv.clock.Observe(st.HLC)
	}
	return so, nil
}

// remoteVersion is what the storage's Watch reports: another server (or
// this one) integrated up to version v.
func (srv *Server) remoteVersion(name string, v uint64) {
	if failpoint.Inject("server/rows/notify") != nil {
		return // a test drops every NOTIFY to show what does not need them
	}
	srv.partsMu.Lock()
	p := srv.parts[name]
	srv.partsMu.Unlock()
	if p == nil || p.rows == nil {
		return
	}
	p.advance(v)
}

// advance makes v the latest version if it is newer, waking the sessions.
func (p *partition) advance(v uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && v > p.latest.Load() {
		p.latest.Store(v)
		p.notifyLocked()
	}
}

// watchRows subscribes to other servers' integrations, if the storage
// reports them.
func (srv *Server) watchRows() {
	if w, ok := srv.store.(rowWatcher); ok {
		w.Watch(srv.remoteVersion)
	}
}

// migrateRowsLocked is migrateLocked on row storage: every stored object
// (none when there was no schema before), and the metadata m, in one
// transaction. The partition's classes are already the new schema's.
func (p *partition) migrateRowsLocked(old, next *schema.Schema, m *Meta) error {
	_, err := p.rows.Rewrite(m, func(o *crdt.StateObject) (bool, bool, error) {
		if old == nil {
			return false, false, nil
		}
		so, err := decodeStored(*o)
		if err != nil {
			return false, false, terror.Wrap(terror.Corrupted, err, "partition %q", p.name)
		}
		tmp := &partition{objects: map[string]*stateObj{"": so}}
		if tmp.migrateLocked(old, next) == 0 {
			return false, false, nil
		}
		if len(tmp.objects) == 0 {
			return false, true, nil
		}
		*o = p.encode(so)
		return true, false, nil
	})
	return err
}

// errStopBootstrap ends a row bootstrap whose session ended.
var errStopBootstrap = errors.New("the session ended")

// sendRowBootstrap is sendBootstrap on row storage: the objects are read
// in pages from one consistent snapshot and sent as they come.
func (s *session) sendRowBootstrap() bool {
	defer s.c.srv.metrics.bootstrapEnd()
	if s.bootRelease != nil {
		defer s.bootRelease()
	}
	var v uint64
	var hist, left int64
	alive := true
	err := s.p.rows.Bootstrap(s.clientID, downloadBytes, func(version, own uint64, total int64) error {
		v, left = version, total
		s.cursor, s.bootOwn = version, own
		s.sent.Store(version)
		hist = s.p.st.HistoryBytes(version)
		return nil
	}, func(objs []crdt.StateObject, more bool) error {
		size := 0
		for i := range objs {
			size += stateSize(&objs[i])
		}
		left -= int64(size)
		d := &protocol.Download{State: objs, LastServerVersion: v, OwnVersion: s.bootOwn, More: more,
			Remaining: max(left, 0) + hist, Size: int64(size)}
		if !s.sendDownload(d, 0) {
			alive = false
			return errStopBootstrap
		}
		if s.takeFail() != nil {
			return errStopBootstrap // run sends the error next
		}
		return nil
	})
	if err != nil && err != errStopBootstrap {
		s.failWith(retryError("cannot read the state to bootstrap from: " + errMessage(err)))
	}
	return alive
}

// rowSnapshotLocked fills a backup's snapshot from the rows: its version,
// clients and objects as of one consistent read.
func (p *partition) rowSnapshotLocked(s *Snapshot) error {
	snap, err := p.rows.Snapshot()
	if err != nil || snap == nil {
		return err
	}
	s.Version, s.Clients, s.Objects = snap.Version, snap.Clients, snap.Objects
	return nil
}

// markVersion is the version a Mark waits for. In row mode another server
// may have integrated past what this one has heard by NOTIFY (which comes
// after that server's commit), so the wait reads the database's latest
// version first: a device that waits for downloads after another device's
// acknowledged write sees that write, whichever instances the two are on,
// as with one server. Unreachable storage leaves the version this server
// knows (the wait is then as good as the last NOTIFY).
func (p *partition) markVersion() uint64 {
	if p.rows != nil {
		if _, v, _, err := p.rows.Refresh(0); err == nil {
			p.advance(v)
		}
	}
	return p.latest.Load()
}
