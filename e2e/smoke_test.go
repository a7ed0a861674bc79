package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

func TestTwoClientsSync(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	a := openClient(t, dir, "a", ts, "p")
	defer a.close()
	b := openClient(t, dir, "b", ts, "p")
	defer b.close()
	got := make(chan store.Change, 10)
	_, err := b.db.AddListener(store.Query{Class: "Dog"}, func(c store.Change) { got <- c })
	require.NoError(t, err)
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "Rex"}}}))
	select {
	case c := <-got:
		require.Equal(t, []any{"1"}, c.Inserted)
	case <-time.After(10 * time.Second):
		t.Fatal("B never saw A's write")
	}
	b.sess.Pause()
	require.Eventually(t, func() bool { return b.sess.State() == session.Paused }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "2", "name": "Fido"}}}))
	syncAll(t, a)
	ok, err := b.sess.DownloadAllServerChanges(300 * time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "a paused session downloads nothing")
	require.Len(t, dump(t, b.db), 1)
	b.sess.Resume()
	syncAll(t, b)
	require.Equal(t, dump(t, a.db), dump(t, b.db))
}
