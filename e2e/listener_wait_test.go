package e2e

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

// A downloaded commit is visible on B while B's listener for it is still
// running (held here); after WaitForListeners the listener has it. This is
// the window that made "count within 5s, then the change event" flaky.
func TestWaitForListenersAfterADownload(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	a := openClient(t, dir, "a", ts, "p")
	defer a.close()
	b := openClient(t, dir, "b", ts, "p")
	defer b.close()

	release := make(chan struct{})
	var mu sync.Mutex
	var seen []store.Change
	_, err := b.db.AddListener(store.Query{Class: "Dog"}, func(c store.Change) {
		<-release
		mu.Lock()
		seen = append(seen, c)
		mu.Unlock()
	})
	require.NoError(t, err)
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "Rex", "age": int64(3)}}}))

	require.Eventually(t, func() bool { n, _ := b.db.Count(store.Query{Class: "Dog"}); return n == 1 }, 10*time.Second, time.Millisecond)
	done, err := b.db.WaitForListeners(0)
	require.NoError(t, err)
	require.False(t, done, "visible on B, but B's listener has not returned")
	close(release)
	done, err = b.db.WaitForListeners(5 * time.Second)
	require.NoError(t, err)
	require.True(t, done)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []store.Change{{Class: "Dog", Inserted: []any{"1"}}}, seen)
}

// The same for session events: ConnectionState says connected while the
// connection listener is still being called.
func TestSessionWaitForListenersAfterAStateChange(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: dir + "/a.tether", Schema: s})
	require.NoError(t, err)
	defer db.Close()
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db, StartPaused: true})
	require.NoError(t, err)

	release := make(chan struct{})
	var mu sync.Mutex
	var seen []session.ConnectionState
	sess.AddConnectionListener(func(_, to session.ConnectionState) {
		if to == session.Connected {
			<-release
		}
		mu.Lock()
		seen = append(seen, to)
		mu.Unlock()
	})
	sess.Resume()
	require.Eventually(t, func() bool { return sess.ConnectionState() == session.Connected }, 10*time.Second, time.Millisecond)
	require.False(t, sess.WaitForListeners(0), "connected, but the listener has not returned")
	close(release)
	require.True(t, sess.WaitForListeners(5*time.Second))
	mu.Lock()
	require.Equal(t, []session.ConnectionState{session.Connecting, session.Connected}, seen)
	mu.Unlock()
	sess.Close()
}
