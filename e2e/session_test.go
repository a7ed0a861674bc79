package e2e

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// TestExpiredTokenThenRefresh: a session whose token has expired stops
// with a fatal AuthFailed and waits for a token; local writes go on; a
// refreshed token resumes it and nothing local is lost.
func TestExpiredTokenThenRefresh(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: dir + "/a.tether", Schema: s})
	require.NoError(t, err)
	defer db.Close()
	expired, err := server.IssueToken("e2e-secret", server.Claims{Expiry: time.Now().Add(-time.Minute).Unix(), Read: []string{"p"}, Write: []string{"p"}})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: expired, Partition: "p", DB: db, MinBackoff: 20 * time.Millisecond, StartPaused: true})
	require.NoError(t, err)
	defer sess.Close()
	// Started paused so that the handler is in place before the first
	// connection: the AuthFailed error can come before Start's caller
	// would otherwise get to add it (CI saw exactly that).
	var mu sync.Mutex
	var errs []session.Error
	sess.AddErrorHandler(func(e session.Error) {
		mu.Lock()
		errs = append(errs, e)
		mu.Unlock()
	})
	sess.Resume()
	require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "offline"}}}))
	require.Eventually(t, func() bool { return sess.State() == session.WaitingForAccessToken }, 10*time.Second, 10*time.Millisecond)
	mu.Lock()
	require.NotEmpty(t, errs)
	require.Equal(t, "AuthFailed", errs[len(errs)-1].Code)
	require.True(t, errs[len(errs)-1].Fatal)
	mu.Unlock()

	sess.RefreshToken(token(t, "p"))
	require.Eventually(t, func() bool { return sess.State() == session.Active }, 10*time.Second, 10*time.Millisecond)
	ok, err := sess.UploadAllLocalChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	other := openClient(t, dir, "b", ts, "p")
	defer other.close()
	syncAll(t, other)
	require.Equal(t, dump(t, db), dump(t, other.db))
}

// TestProgressNotifications: an upload of a few hundred KiB reports
// growing progress that ends complete, in both modes; a CurrentChanges
// listener stops after completing.
func TestProgressNotifications(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	a := openClient(t, dir, "a", ts, "p")
	defer a.close()
	syncAll(t, a)
	a.sess.Pause()
	for i := 0; i < 20; i++ {
		var ops []store.Op
		for j := 0; j < 50; j++ {
			ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": string(rune('a'+i)) + string(rune('a'+j)), "name": string(make([]byte, 300))}})
		}
		require.NoError(t, a.db.Apply(ops))
	}
	var mu sync.Mutex
	var current, forever []session.Progress
	a.sess.AddProgressListener(session.Upload, session.CurrentChanges, func(p session.Progress) {
		mu.Lock()
		current = append(current, p)
		mu.Unlock()
	})
	a.sess.AddProgressListener(session.Upload, session.Indefinitely, func(p session.Progress) {
		mu.Lock()
		forever = append(forever, p)
		mu.Unlock()
	})
	a.sess.Resume()
	syncAll(t, a)
	mu.Lock()
	require.NotEmpty(t, current)
	last := current[len(current)-1]
	require.Equal(t, last.Transferable, last.Transferred, "the current-changes listener ends complete")
	require.Greater(t, last.Transferable, int64(300*1000), "it counted the bytes of the pending changes")
	n := len(current)
	mu.Unlock()
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "late", "name": "x"}}}))
	syncAll(t, a)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, current, n, "a CurrentChanges listener stops once its changes are transferred")
	require.Greater(t, len(forever), n, "an Indefinitely listener keeps reporting")
	for i := 1; i < len(forever); i++ {
		require.GreaterOrEqual(t, forever[i].Transferred, forever[i-1].Transferred)
	}
}
