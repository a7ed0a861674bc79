package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

// resetLog records client-reset events; the session delivers them on its
// own goroutine.
type resetLog struct {
	mu     sync.Mutex
	events []reset.Event
}

func (l *resetLog) all() []reset.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]reset.Event(nil), l.events...)
}

func (l *resetLog) waitFor(t *testing.T, n int) []reset.Event {
	t.Helper()
	require.Eventually(t, func() bool { return len(l.all()) >= n }, 20*time.Second, 20*time.Millisecond, "%d client reset events", n)
	return l.all()
}

func openResetClient(t *testing.T, dir, name string, ts *testServer, mode reset.Mode) (*client, *resetLog) {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, ClientReset: mode})
	require.NoError(t, err)
	log := &resetLog{}
	sess.AddClientResetListener(func(ev reset.Event) {
		if ev.Before != nil {
			n, err := ev.Before.Count(store.Query{Class: "Dog"})
			require.NoError(t, err, "the before view is readable during the callback")
			ev.Message += fmt.Sprintf(" (before view: %d dogs)", n)
		}
		log.mu.Lock()
		log.events = append(log.events, reset.Event{Phase: ev.Phase, Mode: ev.Mode, BackupPath: ev.BackupPath, Message: ev.Message})
		log.mu.Unlock()
	})
	return &client{db: db, sess: sess, path: path}, log
}

// TestRecoverAfterRestore: the server is restored from a backup taken
// before some of A's changes; A also edited offline. A's client reset in
// recover mode brings back both kinds (uploaded after the backup, never
// uploaded), the server ends with them, and B sees them: the same state
// as if the restore had never happened.
func TestRecoverAfterRestore(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer func() { ts.srv.Close() }()
	a, resets := openResetClient(t, dir, "a", ts, reset.RecoverUnsyncedChanges)
	defer a.close()
	b := openClient(t, dir, "b", ts, "p")
	defer b.close()

	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "before", "name": "in the backup"}}}))
	syncAll(t, a)
	_, err := ts.srv.Backup("b1")
	require.NoError(t, err)
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "after", "name": "lost by the restore"}}}))
	syncAll(t, a)
	a.sess.Pause()
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "before", Set: store.Object{"owner": "offline edit"}}}))
	_, err = ts.srv.Restore("b1")
	require.NoError(t, err)
	a.sess.Resume()

	events := resets.waitFor(t, 2)
	require.Equal(t, "before", events[0].Phase)
	require.Equal(t, reset.AppliedRecover, events[1].Mode)
	require.Contains(t, events[0].Message, "before view: 2 dogs")
	_, err = os.Stat(events[1].BackupPath)
	require.NoError(t, err, "the backup file stays")
	syncAll(t, a)
	syncAll(t, b)
	want := []string{"after|lost by the restore|0|<nil>", "before|in the backup|0|offline edit"}
	require.Equal(t, want, dump(t, a.db))
	require.Equal(t, want, dump(t, b.db))
}

// TestDiscardAfterTrim: history trimmed while A was offline: a discard
// reset drops A's offline edit (it stays in the backup, listed by the
// unsynced-changes helper) and A takes the server's state.
func TestDiscardAfterTrim(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer func() { ts.srv.Close() }()
	a, resets := openResetClient(t, dir, "a", ts, reset.DiscardUnsyncedChanges)
	defer a.close()
	b := openClient(t, dir, "b", ts, "p")
	defer b.close()
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "Rex"}}}))
	syncAll(t, a)
	a.sess.Pause()
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"name": "offline"}}}))
	require.NoError(t, b.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "2", "name": "from b"}}}))
	syncAll(t, b)
	_, err := ts.srv.TrimHistory()
	require.NoError(t, err)
	a.sess.Resume()
	events := resets.waitFor(t, 2)
	require.Equal(t, reset.AppliedDiscard, events[1].Mode)
	syncAll(t, a)
	require.Equal(t, []string{"1|Rex|0|<nil>", "2|from b|0|<nil>"}, dump(t, a.db))
	changes, err := store.UnsyncedChanges(events[1].BackupPath)
	require.NoError(t, err)
	require.Equal(t, []store.UnsyncedChange{{Op: "update", Class: "Dog", Key: "1", Fields: store.Object{"name": "offline"}}}, changes)
}
