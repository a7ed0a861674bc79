package server

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/pgtest"
)

// Migrations run once, and a database of a newer schema version than the
// binary knows is refused rather than written to.
func TestPostgresSchemaVersion(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := OpenPostgresStorage(dsn)
	require.NoError(t, err)
	require.NoError(t, st.Ping(context.Background()))
	require.NoError(t, st.Close())
	st, err = OpenPostgresStorage(dsn)
	require.NoError(t, err, "opening a migrated database again")
	require.NoError(t, st.Close())

	conn, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	var v int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT version FROM schema_version`).Scan(&v))
	require.Equal(t, len(pgMigrations), v)
	_, err = conn.Exec(context.Background(), `UPDATE schema_version SET version = version + 1`)
	require.NoError(t, err)
	conn.Close(context.Background())
	_, err = OpenPostgresStorage(dsn)
	require.ErrorContains(t, err, "newer than this tetherd")
}

// Compact writes the rows of touched objects only: an unchanged object's
// row is left alone (its xmin, the transaction that wrote it, stays).
func TestPostgresCompactIsIncremental(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := OpenPostgresStorage(dsn)
	require.NoError(t, err)
	defer st.Close()
	ps, err := st.Open("p")
	require.NoError(t, err)
	_, _, err = ps.Load()
	require.NoError(t, err)
	snap := func(fields ...byte) *Snapshot {
		s := &Snapshot{Partition: "p", Version: 1}
		for i, f := range fields {
			s.Objects = append(s.Objects, objFor(i, f))
		}
		return s
	}
	xmins := func() map[string]string {
		rows, err := st.pool.Query(context.Background(), `SELECT encode(key, 'hex'), xmin::text FROM objects`)
		require.NoError(t, err)
		out := map[string]string{}
		for rows.Next() {
			var k, x string
			require.NoError(t, rows.Scan(&k, &x))
			out[k] = x
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.NoError(t, ps.Compact(snap(1, 2, 3, 4)))
	before := xmins()
	require.Len(t, before, 4)
	require.NoError(t, ps.Compact(snap(1, 9, 3)))
	after := xmins()
	require.Len(t, after, 3, "a removed object's row is deleted")
	require.Equal(t, before["a130"], after["a130"], "an untouched object is not rewritten")
	require.Equal(t, before["a132"], after["a132"])
	require.NotEqual(t, before["a131"], after["a131"], "a changed object is")
}

func objFor(i int, f byte) crdt.StateObject {
	return crdt.StateObject{Class: "Dog", Key: []byte{0xa1, byte('0' + i)}, Fields: []byte{f}}
}
