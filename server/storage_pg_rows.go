package server

// Row mode of a PostgreSQL partition (storage_rows.go): the objects and
// clients rows are always current, written by the integration's own
// transaction, so the partitions row's snapshot always covers everything
// (snap_seq = seq, snap_version = the latest version) and nothing is
// replayed on open. Every integration, under pg_advisory_xact_lock on the
// partition's id, reads the latest version, the client's row and the
// object rows its changesets touch, and writes them back with the
// history records; its NOTIFY (delivered at commit) tells the other
// servers on the database.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// pgNotifyChannel carries "partition-id version" after each integration.
const pgNotifyChannel = "tether_history"

var _ RowStore = (*pgPartition)(nil)

// LoadRows reads the partition without its objects.
func (pp *pgPartition) LoadRows() (*Snapshot, bool, error) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if err := pp.usable(); err != nil {
		return nil, false, err
	}
	ctx, cancel := pgCtx()
	defer cancel()
	tx, err := pp.ps.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, false, pgErr(err, "load partition %q", pp.name)
	}
	defer tx.Rollback(ctx)
	var seq, snapSeq int64
	var snapVersion *int64
	var meta []byte
	if err := tx.QueryRow(ctx, `SELECT seq, snap_seq, snap_version, meta FROM partitions WHERE id = $1`, pp.id).
		Scan(&seq, &snapSeq, &snapVersion, &meta); err != nil {
		return nil, false, pgErr(err, "load partition %q", pp.name)
	}
	if seq != snapSeq {
		return nil, false, nil
	}
	pp.rows = true
	if meta == nil {
		return nil, true, nil
	}
	m, err := pgDecodeMeta(meta, pp.name)
	if err != nil {
		return nil, false, err
	}
	snap := &Snapshot{Partition: pp.name, Meta: m, Seq: uint64(seq)}
	if snapVersion != nil {
		snap.Version = uint64(*snapVersion)
	}
	rows, err := tx.Query(ctx, `SELECT id, last_cv, last_sv, last_seen, reset, owner, owned FROM clients WHERE part = $1 ORDER BY id`, pp.id)
	if err != nil {
		return nil, false, pgErr(err, "load the clients of %q", pp.name)
	}
	snap.Clients, err = pgx.CollectRows(rows, scanClient)
	if err != nil {
		return nil, false, pgErr(err, "load the clients of %q", pp.name)
	}
	return snap, true, nil
}

func scanClient(row pgx.CollectableRow) (ClientInfo, error) {
	var id, cv, sv int64
	var c ClientInfo
	err := row.Scan(&id, &cv, &sv, &c.LastSeen, &c.Reset, &c.Owner, &c.Owned)
	c.ID, c.LastCV, c.LastSV = uint64(id), uint64(cv), uint64(sv)
	return c, err
}

func pgDecodeMeta(b []byte, name string) (Meta, error) {
	rec, err := decodeRecord(b)
	if err != nil || rec.Meta == nil {
		return Meta{}, terror.New(terror.Corrupted, "partition %q: its stored metadata does not decode", name)
	}
	return *rec.Meta, nil
}

// EnterRows switches to row mode after a Load and a Compact.
func (pp *pgPartition) EnterRows() {
	pp.mu.Lock()
	pp.rows = true
	pp.objs, pp.clients = nil, nil // the digests are for the log mode's Compact
	pp.mu.Unlock()
}

// appendRows writes metadata and client records to their rows at once.
func (pp *pgPartition) appendRows(recs []Record) error {
	ctx, cancel := pgCtx()
	defer cancel()
	batch := &pgx.Batch{}
	for _, r := range recs {
		switch {
		case r.Meta != nil:
			batch.Queue(`UPDATE partitions SET meta = $2, snap_version = COALESCE(snap_version, 0) WHERE id = $1`,
				pp.id, mustMarshal(Record{Meta: r.Meta}))
		case r.Client != nil:
			c := r.Client
			batch.Queue(`INSERT INTO clients (part, id, last_cv, last_sv, last_seen, reset, owner, owned) VALUES ($1, $2, 0, 0, $3, $4, $5, $6)
				ON CONFLICT (part, id) DO UPDATE SET last_seen = GREATEST(clients.last_seen, EXCLUDED.last_seen),
				reset = EXCLUDED.reset, owner = EXCLUDED.owner, owned = EXCLUDED.owned`,
				pp.id, int64(c.ID), c.LastSeen, c.Reset, c.Owner, c.Owned)
		default:
			return terror.New(terror.InvalidArgument, "partition %q keeps rows: history comes with Integrate", pp.name)
		}
	}
	batch.Queue(`UPDATE partitions SET seq = seq + 1, snap_seq = seq + 1 WHERE id = $1`, pp.id)
	err := pgx.BeginFunc(ctx, pp.ps.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, batch).Close() })
	return pgErr(err, "write to partition %q", pp.name)
}

// compactRows keeps only what a row-mode snapshot adds: the metadata (a
// trim's horizon) and dropping the history at or before the horizon.
func (pp *pgPartition) compactRows(s *Snapshot) error {
	ctx, cancel := pgCtx()
	defer cancel()
	batch := &pgx.Batch{}
	batch.Queue(`UPDATE partitions SET meta = $2 WHERE id = $1`, pp.id, mustMarshal(Record{Meta: &s.Meta}))
	batch.Queue(`DELETE FROM history WHERE part = $1 AND version <= $2`, pp.id, int64(s.Meta.Horizon))
	err := pgx.BeginFunc(ctx, pp.ps.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, batch).Close() })
	return pgErr(err, "compact %q", pp.name)
}

// InitMeta stores m unless another server stored metadata first.
func (pp *pgPartition) InitMeta(m Meta) (Meta, error) {
	ctx, cancel := pgCtx()
	defer cancel()
	var stored []byte
	err := pp.ps.pool.QueryRow(ctx, `UPDATE partitions SET meta = COALESCE(meta, $2), snap_version = COALESCE(snap_version, 0)
		WHERE id = $1 RETURNING meta`, pp.id, mustMarshal(Record{Meta: &m})).Scan(&stored)
	if err != nil {
		return Meta{}, pgErr(err, "initialize partition %q", pp.name)
	}
	return pgDecodeMeta(stored, pp.name)
}

// Refresh reads what other servers may have changed.
func (pp *pgPartition) Refresh(clientID uint64) (Meta, uint64, *ClientInfo, error) {
	ctx, cancel := pgCtx()
	defer cancel()
	var meta []byte
	var version *int64
	if err := pp.ps.pool.QueryRow(ctx, `SELECT meta, snap_version FROM partitions WHERE id = $1`, pp.id).Scan(&meta, &version); err != nil {
		return Meta{}, 0, nil, pgErr(err, "read partition %q", pp.name)
	}
	m, err := pgDecodeMeta(meta, pp.name)
	if err != nil {
		return Meta{}, 0, nil, err
	}
	var v uint64
	if version != nil {
		v = uint64(*version)
	}
	rows, err := pp.ps.pool.Query(ctx, `SELECT id, last_cv, last_sv, last_seen, reset, owner, owned FROM clients WHERE part = $1 AND id = $2`, pp.id, int64(clientID))
	if err != nil {
		return Meta{}, 0, nil, pgErr(err, "read a client of %q", pp.name)
	}
	cs, err := pgx.CollectRows(rows, scanClient)
	if err != nil {
		return Meta{}, 0, nil, pgErr(err, "read a client of %q", pp.name)
	}
	if len(cs) == 0 {
		return m, v, nil, nil
	}
	return m, v, &cs[0], nil
}

type pgRowTx struct {
	ctx    context.Context
	tx     pgx.Tx
	pp     *pgPartition
	latest uint64
	client ClientInfo
}

func (t *pgRowTx) Latest() uint64     { return t.latest }
func (t *pgRowTx) Client() ClientInfo { return t.client }

func (t *pgRowTx) Read(refs []crdt.StateObject) ([]crdt.StateObject, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	classes, hashes := make([]string, len(refs)), make([][]byte, len(refs))
	for i, r := range refs {
		h := sha256.Sum256(r.Key)
		classes[i], hashes[i] = r.Class, h[:]
	}
	rows, err := t.tx.Query(t.ctx, `SELECT o.class, o.key, o.fields, o.tombstone FROM objects o
		JOIN unnest($2::text[], $3::bytea[]) AS r(class, key_hash) ON o.class = r.class AND o.key_hash = r.key_hash
		WHERE o.part = $1`, t.pp.id, classes, hashes)
	if err != nil {
		return nil, pgErr(err, "read objects of %q", t.pp.name)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (crdt.StateObject, error) {
		var o crdt.StateObject
		err := row.Scan(&o.Class, &o.Key, &o.Fields, &o.Tombstone)
		return o, err
	})
	return out, pgErr(err, "read objects of %q", t.pp.name)
}

// Integrate runs one integration transaction.
func (pp *pgPartition) Integrate(clientID uint64, fn func(tx RowTx) (*RowWrite, error)) error {
	pp.mu.Lock()
	err := pp.usable()
	pp.mu.Unlock()
	if err != nil {
		return err
	}
	ctx, cancel := pgCtx()
	defer cancel()
	tx, err := pp.ps.pool.Begin(ctx)
	if err != nil {
		return pgErr(err, "begin an integration in %q", pp.name)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, pp.id); err != nil {
		return pgErr(err, "lock partition %q", pp.name)
	}
	t := &pgRowTx{ctx: ctx, tx: tx, pp: pp, client: ClientInfo{ID: clientID}}
	var seq, histBytes int64
	var version *int64
	if err := tx.QueryRow(ctx, `SELECT seq, snap_version, hist_bytes FROM partitions WHERE id = $1`, pp.id).Scan(&seq, &version, &histBytes); err != nil {
		return pgErr(err, "read partition %q", pp.name)
	}
	if version != nil {
		t.latest = uint64(*version)
	}
	rows, err := tx.Query(ctx, `SELECT id, last_cv, last_sv, last_seen, reset, owner, owned FROM clients WHERE part = $1 AND id = $2`, pp.id, int64(clientID))
	if err != nil {
		return pgErr(err, "read a client of %q", pp.name)
	}
	cs, err := pgx.CollectRows(rows, scanClient)
	if err != nil {
		return pgErr(err, "read a client of %q", pp.name)
	}
	if len(cs) > 0 {
		t.client = cs[0]
	}
	w, err := fn(t)
	if err != nil || w == nil || len(w.History) == 0 {
		return err
	}
	batch := &pgx.Batch{}
	for _, h := range w.History {
		seq++
		histBytes += int64(len(h.Data))
		batch.Queue(`INSERT INTO history (part, version, seq, client_id, client_version, time, size, cum, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, pp.id, int64(h.Version), seq, int64(h.ClientID),
			int64(h.ClientVersion), h.Time, len(h.Data), histBytes, h.Data)
	}
	for i := range w.Objects {
		o := &w.Objects[i]
		kh := sha256.Sum256(o.Key)
		batch.Queue(`INSERT INTO objects (part, class, key_hash, key, fields, tombstone) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (part, class, key_hash) DO UPDATE SET fields = EXCLUDED.fields, tombstone = EXCLUDED.tombstone`,
			pp.id, o.Class, kh[:], o.Key, o.Fields, o.Tombstone)
	}
	c := w.Client
	batch.Queue(`INSERT INTO clients (part, id, last_cv, last_sv, last_seen, reset, owner, owned) VALUES ($1, $2, $3, $4, $5, '', '', false)
		ON CONFLICT (part, id) DO UPDATE SET last_cv = EXCLUDED.last_cv, last_sv = EXCLUDED.last_sv, last_seen = EXCLUDED.last_seen`,
		pp.id, int64(c.ID), int64(c.LastCV), int64(c.LastSV), c.LastSeen)
	last := w.History[len(w.History)-1].Version
	batch.Queue(`UPDATE partitions SET seq = $2, snap_seq = $2, snap_version = $3, hist_bytes = $4 WHERE id = $1`,
		pp.id, seq, int64(last), histBytes)
	batch.Queue(`SELECT pg_notify($1, $2)`, pgNotifyChannel, fmt.Sprintf("%d %d", pp.id, last))
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return pgErr(err, "integrate into %q", pp.name)
	}
	return pgErr(tx.Commit(ctx), "commit an integration into %q", pp.name)
}

// Bootstrap streams the objects of one repeatable-read snapshot.
func (pp *pgPartition) Bootstrap(clientID uint64, pageBytes int, begin func(version, own uint64, total int64) error,
	page func(objs []crdt.StateObject, more bool) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*pgOpTimeout)
	defer cancel()
	tx, err := pp.ps.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return pgErr(err, "bootstrap from %q", pp.name)
	}
	defer tx.Rollback(ctx)
	var version, own, total int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(snap_version, 0),
		COALESCE((SELECT last_cv FROM clients WHERE part = $1 AND id = $2), 0),
		COALESCE((SELECT sum(octet_length(key) + COALESCE(octet_length(fields), 0) + COALESCE(octet_length(tombstone), 0) + octet_length(class))
			FROM objects WHERE part = $1), 0)::bigint
		FROM partitions WHERE id = $1`, pp.id, int64(clientID)).Scan(&version, &own, &total); err != nil {
		return pgErr(err, "bootstrap from %q", pp.name)
	}
	if err := begin(uint64(version), uint64(own), total); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT class, key, fields, tombstone FROM objects WHERE part = $1`, pp.id)
	if err != nil {
		return pgErr(err, "bootstrap from %q", pp.name)
	}
	defer rows.Close()
	var buf []crdt.StateObject
	size := 0
	for rows.Next() {
		var o crdt.StateObject
		if err := rows.Scan(&o.Class, &o.Key, &o.Fields, &o.Tombstone); err != nil {
			return pgErr(err, "bootstrap from %q", pp.name)
		}
		n := stateSize(&o)
		if len(buf) > 0 && size+n > pageBytes {
			if err := page(buf, true); err != nil {
				return err
			}
			buf, size = nil, 0
		}
		buf, size = append(buf, o), size+n
	}
	if err := rows.Err(); err != nil {
		return pgErr(err, "bootstrap from %q", pp.name)
	}
	return page(buf, false)
}

// Rewrite migrates every object in one transaction.
func (pp *pgPartition) Rewrite(m *Meta, fn func(o *crdt.StateObject) (changed, drop bool, err error)) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*pgOpTimeout)
	defer cancel()
	n := 0
	err := pgx.BeginFunc(ctx, pp.ps.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, pp.id); err != nil {
			return pgErr(err, "lock partition %q", pp.name)
		}
		rows, err := tx.Query(ctx, `SELECT class, key, fields, tombstone FROM objects WHERE part = $1`, pp.id)
		if err != nil {
			return pgErr(err, "read the objects of %q", pp.name)
		}
		batch := &pgx.Batch{}
		for rows.Next() {
			var o crdt.StateObject
			if err := rows.Scan(&o.Class, &o.Key, &o.Fields, &o.Tombstone); err != nil {
				rows.Close()
				return pgErr(err, "read the objects of %q", pp.name)
			}
			changed, drop, err := fn(&o)
			if err != nil {
				rows.Close()
				return err
			}
			kh := sha256.Sum256(o.Key)
			switch {
			case drop:
				batch.Queue(`DELETE FROM objects WHERE part = $1 AND class = $2 AND key_hash = $3`, pp.id, o.Class, kh[:])
			case changed:
				batch.Queue(`UPDATE objects SET fields = $4, tombstone = $5 WHERE part = $1 AND class = $2 AND key_hash = $3`,
					pp.id, o.Class, kh[:], o.Fields, o.Tombstone)
			default:
				continue
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return pgErr(err, "read the objects of %q", pp.name)
		}
		batch.Queue(`UPDATE partitions SET meta = $2, seq = seq + 1, snap_seq = seq + 1 WHERE id = $1`, pp.id, mustMarshal(Record{Meta: m}))
		return pgErr(tx.SendBatch(ctx, batch).Close(), "migrate the objects of %q", pp.name)
	})
	return n, err
}

// Snapshot is Load's consistent read (in row mode nothing follows the
// snapshot), without keeping the log mode's digests.
func (pp *pgPartition) Snapshot() (*Snapshot, error) {
	snap, _, err := pp.Load()
	pp.mu.Lock()
	pp.objs, pp.clients = nil, nil
	pp.mu.Unlock()
	return snap, err
}

// Counts counts the object rows.
func (pp *pgPartition) Counts() (live, tombstones int, err error) {
	ctx, cancel := pgCtx()
	defer cancel()
	err = pp.ps.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE fields IS NOT NULL AND octet_length(fields) > 0),
		count(*) FILTER (WHERE fields IS NULL OR octet_length(fields) = 0) FROM objects WHERE part = $1`, pp.id).Scan(&live, &tombstones)
	return live, tombstones, pgErr(err, "count the objects of %q", pp.name)
}

// Watch listens for other servers' integrations on a connection of its
// own (reconnecting with backoff) and reports them for the partitions
// open here. After each (re)connection it reports every open row-mode
// partition's latest version, since notifications sent while it was not
// listening are lost.
func (ps *PostgresStorage) Watch(fn func(partition string, version uint64)) {
	ctx, cancel := context.WithCancel(context.Background())
	ps.mu.Lock()
	ps.stopWatch = cancel
	ps.mu.Unlock()
	go func() {
		backoff := 50 * time.Millisecond
		for ctx.Err() == nil {
			if err := ps.listen(ctx, fn); err != nil && ctx.Err() == nil {
				select {
				case <-ctx.Done():
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 5*time.Second)
			}
		}
	}()
}

func (ps *PostgresStorage) listen(ctx context.Context, fn func(string, uint64)) error {
	conn, err := ps.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection is closed after: it stays subscribed otherwise.
	defer func() { conn.Conn().Close(context.Background()); conn.Release() }()
	if _, err := conn.Exec(ctx, `LISTEN `+pgNotifyChannel); err != nil {
		return err
	}
	ps.mu.Lock()
	open := make([]*pgPartition, 0, len(ps.open))
	for _, pp := range ps.open {
		open = append(open, pp)
	}
	ps.mu.Unlock()
	for _, pp := range open {
		var v *int64
		if err := conn.QueryRow(ctx, `SELECT snap_version FROM partitions WHERE id = $1`, pp.id).Scan(&v); err != nil {
			if err == pgx.ErrNoRows {
				continue
			}
			return err
		}
		if v != nil {
			fn(pp.name, uint64(*v))
		}
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		id, v, ok := strings.Cut(n.Payload, " ")
		pid, err1 := strconv.ParseInt(id, 10, 64)
		ver, err2 := strconv.ParseUint(v, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		ps.mu.Lock()
		var name string
		for _, pp := range ps.open {
			if pp.id == pid {
				name = pp.name
				break
			}
		}
		ps.mu.Unlock()
		if name != "" {
			fn(name, ver)
		}
	}
}
