package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

// TestBootstrapInSlices: a fresh client bootstraps a state larger than one
// applied slice (the session applies bootstrap chunks 1,000 objects per
// transaction, so that no one transaction blocks a browser's main thread
// for long); it ends with exactly the server's objects, its change
// listener sees every object inserted once, and download progress grows
// to complete.
func TestBootstrapInSlices(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	a := openClient(t, dir, "a", ts, "p")
	defer a.close()
	const n = 2500
	for first := 0; first < n; first += 500 {
		var ops []store.Op
		for i := first; i < first+500; i++ {
			ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprintf("d%05d", i), "name": "dog"}})
		}
		require.NoError(t, a.db.Apply(ops))
	}
	syncAll(t, a)

	b := openClient(t, dir, "b", ts, "p")
	defer b.close()
	var mu sync.Mutex
	inserted := map[string]int{}
	largest := 0 // objects inserted by one transaction
	var progress []session.Progress
	_, err := b.db.AddListener(store.Query{Class: "Dog"}, func(c store.Change) {
		mu.Lock()
		largest = max(largest, len(c.Inserted))
		for _, k := range c.Inserted {
			inserted[fmt.Sprint(k)]++
		}
		mu.Unlock()
	})
	require.NoError(t, err)
	b.sess.AddProgressListener(session.Download, session.Indefinitely, func(p session.Progress) {
		mu.Lock()
		progress = append(progress, p)
		mu.Unlock()
	})
	syncAll(t, b)
	require.Equal(t, dump(t, a.db), dump(t, b.db))
	require.Len(t, dump(t, b.db), n)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(inserted) == n }, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for k, times := range inserted {
		require.Equal(t, 1, times, "object %s inserted %d times", k, times)
	}
	require.LessOrEqual(t, largest, 1000, "a bootstrap transaction applied more than one slice")
	require.NotEmpty(t, progress)
	for i := 1; i < len(progress); i++ {
		require.GreaterOrEqual(t, progress[i].Transferred, progress[i-1].Transferred, "download progress went back")
	}
	last := progress[len(progress)-1]
	require.Equal(t, last.Transferable, last.Transferred)
}
