package engine

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// A commit is visible to other goroutines while its listener is still
// running (here: held); WaitForListeners is the barrier that closes that
// window for a reader.
func TestWaitForListenersCoversAVisibleCommit(t *testing.T) {
	db := openMem(t)
	release := make(chan struct{})
	var mu sync.Mutex
	var seen []Change
	_, err := db.AddListener(Query{Class: "Dog"}, func(c Change) {
		<-release
		mu.Lock()
		seen = append(seen, c)
		mu.Unlock()
	})
	require.NoError(t, err)
	wrote := make(chan error, 1)
	go func() {
		wrote <- db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}})
	}()

	require.Eventually(t, func() bool { n, _ := db.Count(Query{Class: "Dog"}); return n == 1 }, 5*time.Second, time.Millisecond)
	done, err := db.WaitForListeners(0)
	require.NoError(t, err)
	require.False(t, done, "the commit is visible but its listener has not returned")
	done, _ = db.WaitForListeners(20 * time.Millisecond)
	require.False(t, done)

	close(release)
	done, err = db.WaitForListeners(5 * time.Second)
	require.NoError(t, err)
	require.True(t, done)
	mu.Lock()
	require.Equal(t, []Change{{Class: "Dog", Inserted: []any{"1"}}}, seen, "after the barrier the listener has recorded the commit")
	mu.Unlock()
	require.NoError(t, <-wrote)
}

func TestWaitForListenersInsideAListenerReportsFalse(t *testing.T) {
	db := openMem(t)
	var inner *bool
	_, err := db.AddListener(Query{Class: "Dog"}, func(Change) {
		d, _ := db.WaitForListeners(10 * time.Millisecond)
		inner = &d
	})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	require.NotNil(t, inner)
	require.False(t, *inner, "its own delivery is pending")
	done, err := db.WaitForListeners(0)
	require.NoError(t, err)
	require.True(t, done)
}

func TestWaitForListenersOnAClosedDatabase(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Close())
	_, err := db.WaitForListeners(0)
	requireCode(t, err, terror.Closed)
}

// Deliveries follow commit order even when the commits come from
// different goroutines: an object's creation always reaches the listener
// before its deletion, which another goroutine commits as soon as it sees
// the object.
func TestListenersFollowCommitOrderAcrossWriters(t *testing.T) {
	db := openMem(t)
	var mu sync.Mutex
	var events []string
	_, err := db.AddListener(Query{Class: "Dog"}, func(c Change) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range c.Inserted {
			events = append(events, "+"+k.(string))
		}
		for _, k := range c.Deleted {
			events = append(events, "-"+k.(string))
		}
	})
	require.NoError(t, err)
	const n = 200
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range n {
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprint(i), "name": "x"}}}))
		}
	}()
	go func() {
		defer wg.Done()
		for i := range n {
			key := fmt.Sprint(i)
			for {
				if _, err := db.Get("Dog", key); err == nil {
					break
				}
				time.Sleep(10 * time.Microsecond)
			}
			require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Dog", Key: key}}))
		}
	}()
	wg.Wait()
	done, _ := db.WaitForListeners(5 * time.Second)
	require.True(t, done)
	mu.Lock()
	defer mu.Unlock()
	pos := map[string]int{}
	for i, e := range events {
		pos[e] = i
	}
	require.Len(t, events, 2*n)
	for i := range n {
		require.Less(t, pos[fmt.Sprint("+", i)], pos[fmt.Sprint("-", i)], "object %d: deletion delivered before creation", i)
	}
}
