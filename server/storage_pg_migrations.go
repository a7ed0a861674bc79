package server

// The PostgreSQL backend's schema, versioned in the code. Migration N (1
// based) takes a database from version N-1 to N in one transaction, under
// an advisory lock so that instances starting together migrate once. A
// database of a newer version than this tetherd knows is refused: an old
// binary must never write to tables it does not understand.
//
// Plain SQL only (no extensions, no PL/pgSQL), so PostgreSQL-compatible
// distributed engines stay an option (DESIGN.md "Scale-out").

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tethersync/tether/core/terror"
)

// pgMigrateLock is the advisory lock key migrations hold ("tether").
const pgMigrateLock = 0x746574686572

var pgMigrations = []string{
	// 1: partitions, their history, log, objects, clients; backups.
	// uint64 values are stored bit for bit in bigint columns.
	`
CREATE TABLE partitions (
	id           bigserial PRIMARY KEY,
	name         bytea NOT NULL UNIQUE,     -- bytes: a name may hold NUL ("\x00app", flexible sync)
	seq          bigint NOT NULL DEFAULT 0, -- storage sequence of the last record
	snap_seq     bigint NOT NULL DEFAULT 0, -- the records the snapshot covers
	snap_version bigint,                    -- NULL: no snapshot yet
	meta         bytea,                     -- the snapshot's metadata (a log record)
	hist_bytes   bigint NOT NULL DEFAULT 0  -- data bytes of every history record appended
);
CREATE TABLE history (
	part           bigint NOT NULL REFERENCES partitions(id) ON DELETE CASCADE,
	version        bigint NOT NULL,
	seq            bigint NOT NULL,
	client_id      bigint NOT NULL,
	client_version bigint NOT NULL,
	time           bigint NOT NULL,
	size           integer NOT NULL,
	cum            bigint NOT NULL, -- hist_bytes after this record
	data           bytea NOT NULL,
	PRIMARY KEY (part, version)
);
CREATE INDEX history_seq ON history (part, seq);
-- Metadata and client records written since the snapshot.
CREATE TABLE log (
	part   bigint NOT NULL REFERENCES partitions(id) ON DELETE CASCADE,
	seq    bigint NOT NULL,
	record bytea NOT NULL,
	PRIMARY KEY (part, seq)
);
-- Keyed by the SHA-256 of the primary key: a key may be longer than a
-- btree index entry can be (2704 bytes).
CREATE TABLE objects (
	part      bigint NOT NULL REFERENCES partitions(id) ON DELETE CASCADE,
	class     text NOT NULL,
	key_hash  bytea NOT NULL,
	key       bytea NOT NULL,
	fields    bytea,
	tombstone bytea,
	PRIMARY KEY (part, class, key_hash)
);
CREATE TABLE clients (
	part      bigint NOT NULL REFERENCES partitions(id) ON DELETE CASCADE,
	id        bigint NOT NULL,
	last_cv   bigint NOT NULL,
	last_sv   bigint NOT NULL,
	last_seen bigint NOT NULL,
	reset     text NOT NULL,
	owner     text NOT NULL,
	owned     boolean NOT NULL,
	PRIMARY KEY (part, id)
);
CREATE TABLE backups (
	name      text NOT NULL,
	partition bytea NOT NULL,
	data      bytea NOT NULL, -- the snapshot file format, with history
	PRIMARY KEY (name, partition)
);
`,
}

// pgMigrate brings the database to the newest schema version.
func pgMigrate(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
		return pgErr(err, "create schema_version")
	}
	for {
		done, err := pgMigrateOne(ctx, pool)
		if err != nil || done {
			return err
		}
	}
}

// pgMigrateOne applies the next migration, if any, in one transaction.
func pgMigrateOne(ctx context.Context, pool *pgxpool.Pool) (done bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, pgErr(err, "begin migration")
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgMigrateLock)); err != nil {
		return false, pgErr(err, "lock for migration")
	}
	var v int
	err = tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if err == pgx.ErrNoRows {
		if _, err = tx.Exec(ctx, `INSERT INTO schema_version VALUES (0)`); err != nil {
			return false, pgErr(err, "initialize schema_version")
		}
	} else if err != nil {
		return false, pgErr(err, "read schema_version")
	}
	if v > len(pgMigrations) {
		return false, terror.New(terror.InvalidArgument,
			"the database's schema version %d is newer than this tetherd's (%d): run a newer tetherd", v, len(pgMigrations))
	}
	if v == len(pgMigrations) {
		return true, tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, pgMigrations[v]); err != nil {
		return false, pgErr(err, "schema migration %d", v+1)
	}
	if _, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1`, v+1); err != nil {
		return false, pgErr(err, "record schema migration %d", v+1)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, pgErr(err, "commit schema migration %d", v+1)
	}
	return false, nil
}
