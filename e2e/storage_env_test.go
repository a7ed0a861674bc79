package e2e

// TETHER_STORAGE=postgres runs the e2e suite against PostgreSQL-backed
// servers (make test-postgres): each server data directory gets its own
// database (internal/pgtest), the same one again when the server restarts
// on that directory. Unset, servers keep the file storage in their data
// directory.

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/pgtest"
	"github.com/tethersync/tether/server"
)

var pgDatabases sync.Map // data directory → database URL

// serverStorage is the storage for a server on data directory dir (nil:
// the file storage there).
func serverStorage(t *testing.T, dir string) server.Storage {
	t.Helper()
	switch os.Getenv("TETHER_STORAGE") {
	case "", "file":
		return nil
	case "postgres":
	default:
		t.Fatalf("TETHER_STORAGE=%q: file or postgres", os.Getenv("TETHER_STORAGE"))
	}
	dsn, ok := pgDatabases.Load(dir)
	if !ok {
		dsn, _ = pgDatabases.LoadOrStore(dir, pgtest.DSN(t))
	}
	st, err := server.OpenPostgresStorage(dsn.(string))
	require.NoError(t, err)
	return st
}

// openStorage opens the storage of the server on dir directly (the server
// must be closed): the file storage there or its database.
func openStorage(t *testing.T, dir string) server.Storage {
	t.Helper()
	if st := serverStorage(t, dir); st != nil {
		return st
	}
	fs, err := server.OpenFileStorage(dir)
	require.NoError(t, err)
	return fs
}

// serverHistory reads partition "p"'s whole stored history (the server
// closed) from the storage the run uses, checking that none was trimmed:
// a model replays it from the first version.
func serverHistory(t *testing.T, dir string) []server.HistoryRecord {
	t.Helper()
	fs := openStorage(t, dir)
	defer fs.Close()
	ps, err := fs.Open("p")
	require.NoError(t, err)
	_, _, err = ps.Load()
	require.NoError(t, err)
	recs, err := ps.History(0, 1<<30)
	require.NoError(t, err)
	for i, r := range recs {
		require.Equal(t, uint64(i+1), r.Version, "the whole history is retained")
	}
	return recs
}
