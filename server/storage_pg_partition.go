package server

// One partition on PostgreSQL (storage_pg.go): its log is the history and
// log tables, its snapshot the partitions row plus the objects and clients
// rows.

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

type pgPartition struct {
	ps   *PostgresStorage
	name string
	id   int64

	mu           sync.Mutex
	loaded       bool
	closed       bool
	broken       error
	rows         bool   // row mode (storage_pg_rows.go)
	seq          uint64 // of the last record
	histBytes    int64  // hist_bytes
	sinceCompact int
	// What the objects and clients rows hold (a digest of each), so that
	// Compact writes only the rows that changed.
	objs    map[string][sha256.Size]byte
	clients map[uint64][sha256.Size]byte
}

func objDigest(o *crdt.StateObject) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(o.Fields)))
	h.Write(n[:])
	h.Write(o.Fields)
	h.Write(o.Tombstone)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

func clientDigest(c *ClientInfo) [sha256.Size]byte {
	return sha256.Sum256(mustMarshal(c))
}

func pgObjKey(class string, key []byte) string { return class + "\x00" + string(key) }

func (pp *pgPartition) usable() error {
	if pp.closed {
		return terror.New(terror.Closed, "partition store is closed")
	}
	return pp.broken
}

// Load reads the snapshot rows and the records written after it.
func (pp *pgPartition) Load() (*Snapshot, []Record, error) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if err := pp.usable(); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*pgOpTimeout)
	defer cancel()
	// One repeatable-read transaction: a consistent view of every table.
	tx, err := pp.ps.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, pgErr(err, "load partition %q", pp.name)
	}
	defer tx.Rollback(ctx)
	var seq, snapSeq, histBytes int64
	var snapVersion *int64
	var meta []byte
	if err := tx.QueryRow(ctx, `SELECT seq, snap_seq, snap_version, meta, hist_bytes FROM partitions WHERE id = $1`, pp.id).
		Scan(&seq, &snapSeq, &snapVersion, &meta, &histBytes); err != nil {
		return nil, nil, pgErr(err, "load partition %q", pp.name)
	}
	var snap *Snapshot
	pp.objs, pp.clients = map[string][sha256.Size]byte{}, map[uint64][sha256.Size]byte{}
	if snapVersion != nil {
		rec, err := decodeRecord(meta)
		if err != nil || rec.Meta == nil {
			return nil, nil, terror.New(terror.Corrupted, "partition %q: its stored metadata does not decode", pp.name)
		}
		snap = &Snapshot{Partition: pp.name, Version: uint64(*snapVersion), Seq: uint64(snapSeq), Meta: *rec.Meta}
		rows, err := tx.Query(ctx, `SELECT class, key, fields, tombstone FROM objects WHERE part = $1`, pp.id)
		if err != nil {
			return nil, nil, pgErr(err, "load the objects of %q", pp.name)
		}
		for rows.Next() {
			var o crdt.StateObject
			if err := rows.Scan(&o.Class, &o.Key, &o.Fields, &o.Tombstone); err != nil {
				rows.Close()
				return nil, nil, pgErr(err, "load the objects of %q", pp.name)
			}
			snap.Objects = append(snap.Objects, o)
			pp.objs[pgObjKey(o.Class, o.Key)] = objDigest(&o)
		}
		if err := rows.Err(); err != nil {
			return nil, nil, pgErr(err, "load the objects of %q", pp.name)
		}
		rows, err = tx.Query(ctx, `SELECT id, last_cv, last_sv, last_seen, reset, owner, owned FROM clients WHERE part = $1 ORDER BY id`, pp.id)
		if err != nil {
			return nil, nil, pgErr(err, "load the clients of %q", pp.name)
		}
		for rows.Next() {
			var id, cv, sv int64
			var c ClientInfo
			if err := rows.Scan(&id, &cv, &sv, &c.LastSeen, &c.Reset, &c.Owner, &c.Owned); err != nil {
				rows.Close()
				return nil, nil, pgErr(err, "load the clients of %q", pp.name)
			}
			c.ID, c.LastCV, c.LastSV = uint64(id), uint64(cv), uint64(sv)
			snap.Clients = append(snap.Clients, c)
			pp.clients[c.ID] = clientDigest(&c)
		}
		if err := rows.Err(); err != nil {
			return nil, nil, pgErr(err, "load the clients of %q", pp.name)
		}
	}
	// The records after the snapshot, history and log merged by sequence.
	rows, err := tx.Query(ctx, `
		SELECT seq, version, client_id, client_version, time, data, NULL::bytea FROM history WHERE part = $1 AND seq > $2
		UNION ALL
		SELECT seq, 0, 0, 0, 0, NULL, record FROM log WHERE part = $1 AND seq > $2
		ORDER BY 1, 2`, pp.id, snapSeq)
	if err != nil {
		return nil, nil, pgErr(err, "load the log of %q", pp.name)
	}
	var recs []Record
	for rows.Next() {
		var s, v, c, cv, t int64
		var data, record []byte
		if err := rows.Scan(&s, &v, &c, &cv, &t, &data, &record); err != nil {
			rows.Close()
			return nil, nil, pgErr(err, "load the log of %q", pp.name)
		}
		if record == nil {
			recs = append(recs, Record{History: &HistoryRecord{Version: uint64(v), ClientID: uint64(c), ClientVersion: uint64(cv), Time: t, Data: data}})
			continue
		}
		r, err := decodeRecord(record)
		if err != nil || r.History != nil {
			rows.Close()
			return nil, nil, terror.New(terror.Corrupted, "log of partition %q, record %d does not decode", pp.name, s)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, pgErr(err, "load the log of %q", pp.name)
	}
	pp.seq, pp.histBytes, pp.sinceCompact, pp.loaded = uint64(seq), histBytes, len(recs), true
	return snap, recs, nil
}

// Append writes records in one committed transaction.
func (pp *pgPartition) Append(recs ...Record) error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if err := pp.usable(); err != nil {
		return err
	}
	if pp.rows {
		return pp.appendRows(recs)
	}
	ctx, cancel := pgCtx()
	defer cancel()
	seq, total := pp.seq, pp.histBytes
	batch := &pgx.Batch{}
	for _, r := range recs {
		seq++
		if h := r.History; h != nil {
			total += int64(len(h.Data))
			batch.Queue(`INSERT INTO history (part, version, seq, client_id, client_version, time, size, cum, data)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, pp.id, int64(h.Version), int64(seq), int64(h.ClientID),
				int64(h.ClientVersion), h.Time, len(h.Data), total, h.Data)
			continue
		}
		batch.Queue(`INSERT INTO log (part, seq, record) VALUES ($1, $2, $3)`, pp.id, int64(seq), mustMarshal(r))
	}
	batch.Queue(`UPDATE partitions SET seq = $2, hist_bytes = $3 WHERE id = $1`, pp.id, int64(seq), total)
	err := pgx.BeginFunc(ctx, pp.ps.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		// A failed commit may still have committed (the connection broke
		// after it): no later append can be numbered until the partition
		// is reloaded from what the database holds.
		pp.broken = pgErr(err, "the log of %q failed a write: reopen the partition", pp.name)
		return pgErr(err, "append to the log of %q", pp.name)
	}
	pp.seq, pp.histBytes = seq, total
	pp.sinceCompact += len(recs)
	return nil
}

// History reads retained history after a version.
func (pp *pgPartition) History(after uint64, maxBytes int) ([]HistoryRecord, error) {
	ctx, cancel := pgCtx()
	defer cancel()
	var out []HistoryRecord
	size := 0
	for {
		// Bounded batches: the byte limit is applied as rows arrive.
		const batch = 256
		rows, err := pp.ps.pool.Query(ctx, `SELECT version, client_id, client_version, time, data FROM history
			WHERE part = $1 AND version > $2 ORDER BY version LIMIT $3`, pp.id, int64(after), batch)
		if err != nil {
			return nil, pgErr(err, "read the history of %q", pp.name)
		}
		n, full := 0, false
		for rows.Next() {
			var v, c, cv, t int64
			var data []byte
			if err := rows.Scan(&v, &c, &cv, &t, &data); err != nil {
				rows.Close()
				return nil, pgErr(err, "read the history of %q", pp.name)
			}
			n++
			if len(out) > 0 && (size+len(data) > maxBytes || uint64(v) != out[len(out)-1].Version+1) {
				full = true
				break
			}
			size += len(data)
			out = append(out, HistoryRecord{Version: uint64(v), ClientID: uint64(c), ClientVersion: uint64(cv), Time: t, Data: data})
			after = uint64(v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, pgErr(err, "read the history of %q", pp.name)
		}
		if full || n < batch {
			return out, nil
		}
	}
}

// HistoryBytes is the data size of the retained history after a version,
// from the running totals (no scan of the data).
func (pp *pgPartition) HistoryBytes(after uint64) int64 {
	ctx, cancel := pgCtx()
	defer cancel()
	var n int64
	err := pp.ps.pool.QueryRow(ctx, `SELECT
		COALESCE((SELECT cum FROM history WHERE part = $1 ORDER BY version DESC LIMIT 1), 0) -
		COALESCE((SELECT cum FROM history WHERE part = $1 AND version <= $2 ORDER BY version DESC LIMIT 1),
		         (SELECT cum - size FROM history WHERE part = $1 ORDER BY version LIMIT 1), 0)`, pp.id, int64(after)).Scan(&n)
	if err != nil {
		return 0 // an estimate: a failure shows elsewhere
	}
	return n
}

// LogSize counts records since the last compaction.
func (pp *pgPartition) LogSize() int {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.sinceCompact
}

// Compact makes s the snapshot in one transaction, writing only the
// object and client rows that differ from what the tables hold, and drops
// the history at or before the horizon and the log records it covers.
func (pp *pgPartition) Compact(s *Snapshot) error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if err := pp.usable(); err != nil {
		return err
	}
	if pp.rows {
		return pp.compactRows(s)
	}
	s.Seq = pp.seq
	objs := make(map[string][sha256.Size]byte, len(s.Objects))
	clients := make(map[uint64][sha256.Size]byte, len(s.Clients))
	batch := &pgx.Batch{}
	for i := range s.Objects {
		o := &s.Objects[i]
		k, d := pgObjKey(o.Class, o.Key), objDigest(o)
		objs[k] = d
		if old, ok := pp.objs[k]; ok && old == d {
			continue
		}
		kh := sha256.Sum256(o.Key)
		batch.Queue(`INSERT INTO objects (part, class, key_hash, key, fields, tombstone) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (part, class, key_hash) DO UPDATE SET key = EXCLUDED.key, fields = EXCLUDED.fields, tombstone = EXCLUDED.tombstone`,
			pp.id, o.Class, kh[:], o.Key, o.Fields, o.Tombstone)
	}
	for k := range pp.objs {
		if _, ok := objs[k]; !ok {
			class, key, _ := cutObjKey(k)
			kh := sha256.Sum256(key)
			batch.Queue(`DELETE FROM objects WHERE part = $1 AND class = $2 AND key_hash = $3`, pp.id, class, kh[:])
		}
	}
	for i := range s.Clients {
		c := &s.Clients[i]
		d := clientDigest(c)
		clients[c.ID] = d
		if old, ok := pp.clients[c.ID]; ok && old == d {
			continue
		}
		batch.Queue(`INSERT INTO clients (part, id, last_cv, last_sv, last_seen, reset, owner, owned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (part, id) DO UPDATE SET last_cv = EXCLUDED.last_cv, last_sv = EXCLUDED.last_sv, last_seen = EXCLUDED.last_seen,
			reset = EXCLUDED.reset, owner = EXCLUDED.owner, owned = EXCLUDED.owned`,
			pp.id, int64(c.ID), int64(c.LastCV), int64(c.LastSV), c.LastSeen, c.Reset, c.Owner, c.Owned)
	}
	for id := range pp.clients {
		if _, ok := clients[id]; !ok {
			batch.Queue(`DELETE FROM clients WHERE part = $1 AND id = $2`, pp.id, int64(id))
		}
	}
	batch.Queue(`UPDATE partitions SET snap_seq = $2, snap_version = $3, meta = $4 WHERE id = $1`,
		pp.id, int64(s.Seq), int64(s.Version), mustMarshal(Record{Meta: &s.Meta}))
	batch.Queue(`DELETE FROM log WHERE part = $1 AND seq <= $2`, pp.id, int64(s.Seq))
	batch.Queue(`DELETE FROM history WHERE part = $1 AND version <= $2`, pp.id, int64(s.Meta.Horizon))
	ctx, cancel := context.WithTimeout(context.Background(), 10*pgOpTimeout)
	defer cancel()
	err := pgx.BeginFunc(ctx, pp.ps.pool, func(tx pgx.Tx) error {
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		// Rolled back (or, if the commit's answer was lost, maybe not):
		// the digests no longer say what the rows hold.
		pp.broken = pgErr(err, "the snapshot of %q failed: reopen the partition", pp.name)
		return pgErr(err, "compact %q", pp.name)
	}
	pp.objs, pp.clients = objs, clients
	pp.sinceCompact = 0
	return nil
}

func cutObjKey(k string) (class string, key []byte, ok bool) {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return k[:i], []byte(k[i+1:]), true
		}
	}
	return k, nil, false
}

// Close releases the partition.
func (pp *pgPartition) Close() error {
	pp.ps.mu.Lock()
	defer pp.ps.mu.Unlock()
	if pp.ps.open[pp.name] == pp {
		delete(pp.ps.open, pp.name)
	}
	pp.mu.Lock()
	pp.closed = true
	pp.mu.Unlock()
	return nil
}
