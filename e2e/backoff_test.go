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
// a bind that works is no proof the next upload will. The jitter source
// is the test's: each draw hands the test its bound and waits for the
// answer, so the session stands still while the test checks that exactly
// one upload failed per draw and that the bound doubled up to the cap.
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

	bounds, draws, done := make(chan int64), make(chan int64), make(chan struct{})
	jitter := func(n int64) int64 {
		select {
		case bounds <- n:
		case <-done: // the test is over: the longest wait, no more attempts
			return n - 1
		}
		select {
		case d := <-draws:
			return d
		case <-done:
			return n - 1
		}
	}
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 100 * time.Millisecond, MaxBackoff: 10 * time.Second, Jitter: jitter})
	require.NoError(t, err)
	defer sess.Close()
	defer close(done)

	ms := time.Millisecond
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 10000 * ms, 10000 * ms}
	for i, bound := range want {
		got := time.Duration(<-bounds)
		require.Equal(t, bound, got, "the bound of draw %d", i+1)
		require.Equal(t, int64(i+1), st.attempts.Load(), "upload attempts when draw %d is made", i+1)
		draws <- 0 // a delay of 1ns: the next attempt at once
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
