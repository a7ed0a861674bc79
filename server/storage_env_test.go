package server

// TETHER_STORAGE=postgres runs the server tests that go through the
// Storage interface (startServer) on PostgreSQL (make test-postgres picks
// them; the ones about the file backend's files stay file-only): each data
// directory gets its own database, the same one again on a restart.

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/pgtest"
)

var pgDatabases sync.Map // data directory → database URL

// envStorage is the storage TETHER_STORAGE asks for on dir (nil: files).
func envStorage(t testing.TB, dir string) Storage {
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
	st, err := OpenPostgresStorage(dsn.(string))
	require.NoError(t, err)
	return st
}
