package server

// A partition: its merged state, its history (held by its PartitionStore),
// its schema, what it knows of each client, and the sessions bound to it.
// One mutex serializes every change; integration holds it through the
// fsync so that no session ever sees a version the server could still
// lose in a crash (a lost version would be reissued with other content).

import (
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

type partition struct {
	srv  *Server
	name string
	st   PartitionStore

	latest  atomic.Uint64 // last integrated (durable) server version
	failed  atomic.Bool   // its storage failed a write: reload it from disk
	horizon atomic.Uint64 // oldest version a client may resume from

	mu      sync.Mutex
	closed  bool
	meta    Meta
	schema  *schema.Schema
	classes map[string]*classInfo
	objects map[string]*stateObj
	clients map[uint64]*ClientInfo
	subs    map[*session]struct{}
	// rows is set when the objects live in row storage, not in objects
	// (partition_rows.go).
	rows RowStore

	// The flexible space only (flex_index.go): sessions by class and
	// equality key, as wildcards per class, and by object in view; and
	// what the integration under way touched.
	flexEq      map[string]map[string]map[*session]struct{}
	flexWild    map[string]map[*session]struct{}
	flexViewers map[string]map[*session]struct{}
	flexNotify  bool // flexOps and flexWriter are set: route by them
	flexOps     []crdt.ChangeOp
	flexWriter  *session
	flexPrev    uint64                           // the latest version before that integration
	flexDeps    map[string]map[*session]struct{} // class -> sessions whose linked filters read it (flex_links.go)
	flexLk      *flexLinker                      // a cached linker while the objects stand still (flex_links.go)
	flexDecoded [flexDecodeCache]struct {
		version uint64
		cs      *crdt.Changeset
		keys    []string // each op's object key, computed once for every session
	}
}

// newID returns a random non-zero 63-bit id (epochs, the server's writer).
func newID() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if id := binary.BigEndian.Uint64(b[:]) >> 1; id != 0 {
			return id
		}
	}
}

// openPartition loads a partition (creating it if new): the snapshot, then
// the log after it.
func openPartition(srv *Server, name string) (*partition, error) {
	st, err := srv.store.Open(name)
	if err != nil {
		return nil, err
	}
	p := &partition{srv: srv, name: name, st: st, classes: map[string]*classInfo{},
		objects: map[string]*stateObj{}, clients: map[uint64]*ClientInfo{}, subs: map[*session]struct{}{}}
	if rs := rowStoreOf(st, name); rs != nil {
		if err := p.openRows(rs); err != nil {
			st.Close()
			return nil, err
		}
		return p, nil
	}
	snap, recs, err := st.Load()
	if err != nil {
		st.Close()
		return nil, err
	}
	if snap != nil {
		if err := p.loadSnapshot(snap); err != nil {
			st.Close()
			return nil, err
		}
	}
	for _, r := range recs {
		p.replay(r)
	}
	if p.meta.Epoch == 0 {
		m := cloneMeta(p.meta)
		m.Epoch, m.Writer = newID(), newID()
		m.Epochs = map[uint64]EpochInfo{m.Epoch: {Kind: epochRoot}}
		if err := st.Append(Record{Meta: &m}); err != nil {
			st.Close()
			return nil, err
		}
		p.setMeta(m)
	}
	return p, nil
}

func (p *partition) loadSnapshot(s *Snapshot) error {
	p.setMeta(s.Meta)
	p.latest.Store(s.Version)
	for i := range s.Clients {
		c := s.Clients[i]
		p.clients[c.ID] = &c
	}
	for _, o := range s.Objects {
		so, err := decodeStored(o)
		if err != nil {
			return terror.Wrap(terror.Corrupted, err, "snapshot of partition %q", p.name)
		}
		p.objects[objKey(so.class, so.key)] = so
		// The server's own writes must be stamped after every stamp it
		// holds, even those only the snapshot remembers.
		p.srv.clock.Observe(so.obj.Tombstone.HLC)
		for _, st := range so.obj.Stamps {
			p.srv.clock.Observe(st.HLC)
		}
	}
	return nil
}

// replay applies one log record written after the snapshot.
func (p *partition) replay(r Record) {
	switch {
	case r.History != nil:
		h := r.History
		if h.Version <= p.latest.Load() {
			return
		}
		cs, err := crdt.DecodeChangeset(h.Data)
		if err != nil { // it was checked before it was logged: a bug or damage
			p.srv.log.Error("skipping an undecodable history record", "partition", p.name, "version", h.Version, "err", err)
		} else {
			p.fitChangeset(cs)
			p.applyChangeset(cs)
			p.srv.clock.Observe(cs.Stamp.HLC)
		}
		c := p.client(h.ClientID)
		c.LastCV, c.LastSV = max(c.LastCV, h.ClientVersion), h.Version
		p.latest.Store(h.Version)
	case r.Meta != nil:
		p.setMeta(*r.Meta)
	case r.Client != nil:
		c := p.client(r.Client.ID)
		c.Reset = r.Client.Reset
		c.LastSeen = max(c.LastSeen, r.Client.LastSeen)
		if r.Client.Owned {
			c.Owner, c.Owned = r.Client.Owner, true
		}
	}
}

// setMeta installs metadata and what derives from it.
func (p *partition) setMeta(m Meta) {
	p.meta = m
	p.horizon.Store(m.Horizon)
	p.schema, p.classes = nil, map[string]*classInfo{}
	if len(m.Schema) > 0 {
		s, err := schema.FromJSON(m.Schema)
		if err != nil {
			p.srv.log.Error("stored partition schema does not parse", "partition", p.name, "err", err)
			return
		}
		p.schema = s
		for _, c := range s.Classes {
			p.classes[c.Name] = newClassInfo(c)
		}
	}
}

// appendLocked appends records to the partition's log; if that fails,
// the partition stops (storageFailedLocked).
func (p *partition) appendLocked(recs ...Record) error {
	if err := p.st.Append(recs...); err != nil {
		p.storageFailedLocked(err)
		return err
	}
	return nil
}

// storageFailedLocked handles a write the storage could not make durable:
// the storage may have lost dirty pages, and memory may hold what the disk
// does not. The partition takes no more writes, its sessions are told to
// retry (nothing they sent since their last UploadOK is acknowledged), and
// the server forgets it: the next bind reloads it from what is on disk.
func (p *partition) storageFailedLocked(err error) {
	if p.closed {
		return
	}
	p.closed = true
	// Its files are released before a bind can reload it (failed) and
	// before a client hears it may retry: else a quick retry finds the
	// partition "already open".
	p.st.Close()
	p.failed.Store(true)
	p.logger().Error("partition storage failed: reloading it from disk at its next use", "err", err)
	for _, s := range p.sessionsLocked() {
		s.failWith(retryError("the server's storage failed: " + errMessage(err)))
	}
	go p.srv.forget(p)
}

// saveMeta makes m durable, then current.
func (p *partition) saveMeta(m Meta) error {
	if err := p.appendLocked(Record{Meta: &m}); err != nil {
		return err
	}
	p.setMeta(m)
	return nil
}

func cloneMeta(m Meta) Meta {
	out := m
	out.Epochs = make(map[uint64]EpochInfo, len(m.Epochs)+1)
	for k, v := range m.Epochs {
		out.Epochs[k] = v
	}
	out.Retired = make(map[string]string, len(m.Retired))
	for k, v := range m.Retired {
		out.Retired[k] = v
	}
	return out
}

// client returns (creating) what the partition knows of a client.
func (p *partition) client(id uint64) *ClientInfo {
	c := p.clients[id]
	if c == nil {
		c = &ClientInfo{ID: id}
		p.clients[id] = c
	}
	return c
}

// upItem is one uploaded changeset, decoded and checked.
type upItem struct {
	cv   uint64
	data []byte
	cs   *crdt.Changeset
}

// integrate gives each changeset the client has not uploaded before the
// next server version, logs them durably, merges them and wakes the bound
// sessions. It returns the client's last integrated client version and the
// server version it got (the UploadOK).
// A changeset that does not fit the partition schema fails the whole
// upload with a SchemaMismatch (checkUploadLocked).
func (p *partition) integrate(clientID uint64, items []upItem, clientSchema *schema.Schema) (cv, sv uint64, n int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, 0, 0, terror.New(terror.Closed, "partition %q is being replaced", p.name)
	}
	if err := p.checkUploadLocked(clientID, items, clientSchema); err != nil {
		return 0, 0, 0, err
	}
	return p.integrateLocked(clientID, items)
}

func (p *partition) integrateLocked(clientID uint64, items []upItem) (cv, sv uint64, n int, err error) {
	if p.rows != nil {
		return p.integrateRowsLocked(clientID, items)
	}
	c := p.client(clientID)
	last, v := c.LastCV, p.latest.Load()
	now := time.Now().UnixNano()
	var recs []Record
	var fresh []*crdt.Changeset
	for _, it := range items {
		if it.cv <= last {
			continue // already integrated: uploads are idempotent
		}
		v++
		recs = append(recs, Record{History: &HistoryRecord{Version: v, ClientID: clientID, ClientVersion: it.cv, Time: now, Data: it.data}})
		fresh = append(fresh, it.cs)
		last = it.cv
	}
	if len(recs) == 0 {
		return c.LastCV, c.LastSV, 0, nil
	}
	if err := p.appendLocked(recs...); err != nil {
		return 0, 0, 0, err
	}
	for _, cs := range fresh {
		p.applyChangeset(cs)
		p.srv.clock.Observe(cs.Stamp.HLC)
	}
	c.LastCV, c.LastSV, c.LastSeen = last, v, now
	p.latest.Store(v)
	p.notifyLocked()
	return c.LastCV, c.LastSV, len(recs), nil
}

// notifyLocked wakes every bound session to send what is new.
func (p *partition) notifyLocked() {
	if p.notifyFlexLocked() {
		return
	}
	for s := range p.subs {
		s.poke()
	}
}

func (p *partition) unsubscribe(s *session) {
	p.mu.Lock()
	delete(p.subs, s)
	p.flexUnindexLocked(s)
	p.mu.Unlock()
}

// sessionsLocked lists the bound sessions.
func (p *partition) sessionsLocked() []*session {
	out := make([]*session, 0, len(p.subs))
	for s := range p.subs {
		out = append(out, s)
	}
	return out
}

// snapshotLocked captures the state (and, for backups, the history).
func (p *partition) snapshotLocked(withHistory bool) (*Snapshot, error) {
	s := &Snapshot{Partition: p.name, Version: p.latest.Load(), Meta: cloneMeta(p.meta)}
	if p.rows != nil {
		if err := p.rowSnapshotLocked(s); err != nil {
			return nil, err
		}
	} else {
		for _, c := range p.clients {
			s.Clients = append(s.Clients, *c)
		}
		s.Objects = make([]crdt.StateObject, 0, len(p.objects))
		for _, so := range p.objects {
			s.Objects = append(s.Objects, p.encode(so))
		}
	}
	if withHistory {
		after := p.meta.Horizon
		for {
			recs, err := p.st.History(after, 4<<20)
			if err != nil {
				return nil, err
			}
			if len(recs) == 0 {
				break
			}
			s.History = append(s.History, recs...)
			after = recs[len(recs)-1].Version
		}
	}
	return s, nil
}

// compactLocked writes a snapshot and drops history before the horizon.
func (p *partition) compactLocked() error {
	if p.rows != nil { // the rows are current: only the metadata and horizon
		return p.st.Compact(&Snapshot{Partition: p.name, Version: p.latest.Load(), Meta: cloneMeta(p.meta)})
	}
	s, err := p.snapshotLocked(false)
	if err != nil {
		return err
	}
	return p.st.Compact(s)
}

// close ends the partition: sessions must be gone (their connections are
// dropped first); a snapshot makes the next start fast.
func (p *partition) close(snapshot bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if snapshot && p.st.LogSize() > 0 {
		if err := p.compactLocked(); err != nil {
			p.srv.log.Warn("snapshot at close failed", "partition", p.name, "err", err)
		}
	}
	p.st.Close()
}

// stats reports the partition for /admin/stats.
func (p *partition) stats() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	live, tomb := 0, 0
	if p.rows != nil {
		live, tomb, _ = p.rows.Counts()
	}
	for _, so := range p.objects {
		if so.obj.Exists {
			live++
		} else {
			tomb++
		}
	}
	return map[string]any{"serverVersion": p.latest.Load(), "horizon": p.meta.Horizon, "epoch": p.meta.Epoch,
		"objects": live, "tombstones": tomb, "clients": len(p.clients), "sessions": len(p.subs),
		"historyBytes": p.st.HistoryBytes(p.meta.Horizon)}
}

func (p *partition) logger() *slog.Logger { return p.srv.log.With("partition", p.name) }
