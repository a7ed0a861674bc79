package e2e

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// failingStorage is a server's file storage whose history appends always
// fail: every upload gets an IO error with the retry action, after a
// successful bind.
type failingStorage struct {
	server.Storage
	attempts atomic.Int64
}

func (s *failingStorage) Open(name string) (server.PartitionStore, error) {
	ps, err := s.Storage.Open(name)
	if err != nil {
		return nil, err
	}
	return &failingPartition{PartitionStore: ps, s: s}, nil
}

type failingPartition struct {
	server.PartitionStore
	s *failingStorage
}

func (p *failingPartition) Append(recs ...server.Record) error {
	for _, r := range recs {
		if r.History != nil {
			p.s.attempts.Add(1)
			return errors.New("disk full")
		}
	}
	return p.PartitionStore.Append(recs...)
}

// An upload the server always fails (retry action, after a bind that
// succeeds) is retried on the exponential backoff, not in a tight loop:
// a bind that works is no proof the next upload will.
func TestRepeatedUploadErrorBacksOff(t *testing.T) {
	fs, err := server.OpenFileStorage(t.TempDir())
	require.NoError(t, err)
	st := &failingStorage{Storage: fs}
	srv, err := server.New(server.Config{Storage: st, AdminListen: "-", Secret: "e2e-secret", Logger: quiet()})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()

	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "a.tether"), Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "rex", "name": "Rex", "age": int64(3)}}}))
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 100 * time.Millisecond})
	require.NoError(t, err)
	defer sess.Close()

	time.Sleep(2 * time.Second)
	n := st.attempts.Load()
	t.Logf("%d upload attempts in 2 s", n)
	require.GreaterOrEqual(t, n, int64(2), "the session retries")
	require.Less(t, n, int64(20), "the session backs off (min backoff 100ms, doubling)")
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
