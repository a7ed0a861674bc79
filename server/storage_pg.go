package server

// The PostgreSQL storage backend (tetherd -storage postgres://...): the
// Storage interface on tables (storage_pg_migrations.go) instead of files.
//
//	partitions  a row per partition: its sequence, snapshot version and metadata
//	history     a row per integrated changeset (read by sessions from here)
//	log         metadata and client records written since the snapshot
//	objects     a row per object of the snapshot: class, key, fields, tombstone
//	clients     a row per client file of the snapshot
//	backups     a row per partition of a named backup
//
// Every Append is one transaction, committed (and so, with PostgreSQL's
// default synchronous_commit, flushed) before it returns. Compact writes
// only the object and client rows that changed since the last snapshot
// (a digest of each row written is kept), so its cost follows what was
// touched, not the partition's size.
//
// Partitions other than the flexible space run in row mode
// (storage_pg_rows.go): their objects are read and written per
// integration, and many tetherd instances can share the database. The
// flexible space's partition still uses the log mode above, held in
// memory by one server. Open refuses a partition already open in this
// process.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// pgOpTimeout bounds one storage call: a database that stops answering
// fails the call (IO) instead of holding a partition's lock for ever.
const pgOpTimeout = 30 * time.Second

// PostgresStorage is the PostgreSQL backend.
type PostgresStorage struct {
	pool *pgxpool.Pool

	mu   sync.Mutex
	open map[string]*pgPartition
	// stopWatch ends Watch's listener (storage_pg_rows.go).
	stopWatch context.CancelFunc
}

// pgErr wraps a database error as IO (the server retries or reloads).
func pgErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var te *terror.Error
	if errors.As(err, &te) {
		return err
	}
	return terror.Wrap(terror.IO, err, format, args...)
}

func pgCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), pgOpTimeout)
}

// OpenPostgresStorage connects to a database (a postgres:// URL or a
// libpq key=value string) and brings its schema up to date.
func OpenPostgresStorage(dsn string) (*PostgresStorage, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "storage URL")
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// Bootstraps hold a connection while they stream, the listener
		// one for good: more than pgx's default of 4.
		cfg.MaxConns = 24
	}
	ctx, cancel := pgCtx()
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, pgErr(err, "connect to PostgreSQL")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, pgErr(err, "connect to PostgreSQL")
	}
	if err := pgMigrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &PostgresStorage{pool: pool, open: map[string]*pgPartition{}}, nil
}

// Ping reports whether the database answers (the server's /readyz).
func (ps *PostgresStorage) Ping(ctx context.Context) error {
	return pgErr(ps.pool.Ping(ctx), "PostgreSQL")
}

// Partitions lists the stored partitions.
func (ps *PostgresStorage) Partitions() ([]string, error) {
	ctx, cancel := pgCtx()
	defer cancel()
	rows, err := ps.pool.Query(ctx, `SELECT name FROM partitions ORDER BY name`)
	if err != nil {
		return nil, pgErr(err, "list partitions")
	}
	raw, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, pgErr(err, "list partitions")
	}
	names := make([]string, len(raw))
	for i, b := range raw {
		names[i] = string(b)
	}
	sort.Strings(names) // Go's order, as the file backend's (collations differ)
	return names, nil
}

// Open opens (creating) one partition's rows.
func (ps *PostgresStorage) Open(partition string) (PartitionStore, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.open[partition] != nil {
		return nil, terror.New(terror.InvalidArgument, "partition %q is already open", partition)
	}
	ctx, cancel := pgCtx()
	defer cancel()
	var id int64
	err := ps.pool.QueryRow(ctx, `INSERT INTO partitions (name) VALUES ($1)
		ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, []byte(partition)).Scan(&id)
	if err != nil {
		return nil, pgErr(err, "open partition %q", partition)
	}
	pp := &pgPartition{ps: ps, name: partition, id: id, objs: map[string][sha256.Size]byte{}, clients: map[uint64][sha256.Size]byte{}}
	ps.open[partition] = pp
	return pp, nil
}

// Drop removes a closed partition's rows.
func (ps *PostgresStorage) Drop(partition string) error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.open[partition] != nil {
		return terror.New(terror.InvalidArgument, "partition %q is open", partition)
	}
	ctx, cancel := pgCtx()
	defer cancel()
	_, err := ps.pool.Exec(ctx, `DELETE FROM partitions WHERE name = $1`, []byte(partition))
	return pgErr(err, "remove partition %q", partition)
}

// SaveBackup stores snapshots (with history) under a name, in one
// transaction: a reader sees the old backup or the new one.
func (ps *PostgresStorage) SaveBackup(name string, snaps []*Snapshot) error {
	ctx, cancel := pgCtx()
	defer cancel()
	return pgx.BeginFunc(ctx, ps.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM backups WHERE name = $1`, name); err != nil {
			return pgErr(err, "replace backup %q", name)
		}
		for _, s := range snaps {
			if _, err := tx.Exec(ctx, `INSERT INTO backups (name, partition, data) VALUES ($1, $2, $3)`,
				name, []byte(s.Partition), encodeSnapshot(s)); err != nil {
				return pgErr(err, "store backup %q", name)
			}
		}
		return nil
	})
}

// LoadBackup reads a backup.
func (ps *PostgresStorage) LoadBackup(name string) ([]*Snapshot, error) {
	ctx, cancel := pgCtx()
	defer cancel()
	rows, err := ps.pool.Query(ctx, `SELECT partition, data FROM backups WHERE name = $1 ORDER BY partition`, name)
	if err != nil {
		return nil, pgErr(err, "read backup %q", name)
	}
	defer rows.Close()
	var out []*Snapshot
	for rows.Next() {
		var part, data []byte
		if err := rows.Scan(&part, &data); err != nil {
			return nil, pgErr(err, "read backup %q", name)
		}
		s, err := readSnapshot(bytes.NewReader(data), int64(len(data)), "backup "+quote(name)+" partition "+quote(string(part)))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, pgErr(err, "read backup %q", name)
	}
	if len(out) == 0 {
		var n int
		if err := ps.pool.QueryRow(ctx, `SELECT count(*) FROM backups WHERE name = $1`, name).Scan(&n); err != nil {
			return nil, pgErr(err, "read backup %q", name)
		}
		if n == 0 {
			return nil, terror.New(terror.NotFound, "no backup named %q", name)
		}
	}
	return out, nil
}

// encodeSnapshot is a snapshot in the snapshot file format (snapshot_file.go).
func encodeSnapshot(s *Snapshot) []byte {
	hdr := snapHeader{Partition: s.Partition, Version: s.Version, Seq: s.Seq, Meta: s.Meta,
		Clients: s.Clients, Objects: len(s.Objects), History: len(s.History)}
	buf := appendFrame(nil, 0, mustMarshal(hdr))
	const batch = 512
	for i := 0; i < len(s.Objects); i += batch {
		buf = appendFrame(buf, 0, mustMarshal(snapBatch{Objects: s.Objects[i:min(i+batch, len(s.Objects))]}))
	}
	for i := 0; i < len(s.History); i += batch {
		buf = appendFrame(buf, 0, mustMarshal(snapBatch{History: s.History[i:min(i+batch, len(s.History))]}))
	}
	return buf
}

// ReplaceAll replaces every partition in one transaction.
func (ps *PostgresStorage) ReplaceAll(snaps []*Snapshot) error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.open) > 0 {
		return terror.New(terror.InvalidArgument, "ReplaceAll with %d partitions open", len(ps.open))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*pgOpTimeout)
	defer cancel()
	return pgx.BeginFunc(ctx, ps.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM partitions`); err != nil {
			return pgErr(err, "remove the old partitions")
		}
		for _, s := range snaps {
			// The backup's history is covered by the snapshot (sequence 1),
			// so none of it is replayed into the state.
			var id int64
			var total int64
			for _, h := range s.History {
				total += int64(len(h.Data))
			}
			if err := tx.QueryRow(ctx, `INSERT INTO partitions (name, seq, snap_seq, snap_version, meta, hist_bytes)
				VALUES ($1, 1, 1, $2, $3, $4) RETURNING id`, []byte(s.Partition), int64(s.Version),
				mustMarshal(Record{Meta: &s.Meta}), total).Scan(&id); err != nil {
				return pgErr(err, "restore partition %q", s.Partition)
			}
			if err := pgCopyObjects(ctx, tx, id, s.Objects); err != nil {
				return err
			}
			if err := pgCopyClients(ctx, tx, id, s.Clients); err != nil {
				return err
			}
			var cum int64
			rows := make([][]any, len(s.History))
			for i, h := range s.History {
				cum += int64(len(h.Data))
				rows[i] = []any{id, int64(h.Version), int64(1), int64(h.ClientID), int64(h.ClientVersion), h.Time, len(h.Data), cum, h.Data}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"history"},
				[]string{"part", "version", "seq", "client_id", "client_version", "time", "size", "cum", "data"},
				pgx.CopyFromRows(rows)); err != nil {
				return pgErr(err, "restore the history of %q", s.Partition)
			}
		}
		return nil
	})
}

func pgCopyObjects(ctx context.Context, tx pgx.Tx, id int64, objs []crdt.StateObject) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"objects"}, []string{"part", "class", "key_hash", "key", "fields", "tombstone"},
		pgx.CopyFromSlice(len(objs), func(i int) ([]any, error) {
			o := objs[i]
			kh := sha256.Sum256(o.Key)
			return []any{id, o.Class, kh[:], o.Key, o.Fields, o.Tombstone}, nil
		}))
	return pgErr(err, "write objects")
}

func pgCopyClients(ctx context.Context, tx pgx.Tx, id int64, cs []ClientInfo) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"clients"}, []string{"part", "id", "last_cv", "last_sv", "last_seen", "reset", "owner", "owned"},
		pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
			c := cs[i]
			return []any{id, int64(c.ID), int64(c.LastCV), int64(c.LastSV), c.LastSeen, c.Reset, c.Owner, c.Owned}, nil
		}))
	return pgErr(err, "write clients")
}

// Close closes the open partitions and the connection pool.
func (ps *PostgresStorage) Close() error {
	ps.mu.Lock()
	ps.open = map[string]*pgPartition{}
	if ps.stopWatch != nil {
		ps.stopWatch()
	}
	ps.mu.Unlock()
	ps.pool.Close()
	return nil
}

// OpenStorageURL opens the storage a URL names (tetherd -storage):
// postgres:// or postgresql:// for PostgreSQL. A password belongs in
// PGPASSWORD or a PGPASSFILE, not the URL (command lines are visible in ps).
func OpenStorageURL(u string) (Storage, error) {
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return OpenPostgresStorage(u)
	}
	return nil, terror.New(terror.InvalidArgument, "storage %q: only postgres:// URLs are known (the default is the -data directory)", u)
}

// StorageName names a storage URL for logs: host, port and database,
// never a password.
func StorageName(u string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
}
