// Package failpoint names points in the code where a test can make
// something happen: return an error, cut the power of a test file system,
// kill the process (bbolt's gofail, without code generation). A point is
// a no-op unless a test enabled some point: then one atomic load.
//
//	if err := failpoint.Inject("store/commit/after-append"); err != nil {
//		return err
//	}
package failpoint

import (
	"sync"
	"sync/atomic"
)

// Action runs when an enabled point is reached; a non-nil error is
// returned by Inject (the code then fails as if the step had).
type Action func() error

var (
	armed   atomic.Int32 // number of enabled points
	mu      sync.RWMutex
	actions = map[string]Action{}
	hits    = map[string]int{}
)

// Inject runs the action enabled for name, if any, and returns its error.
func Inject(name string) error {
	if armed.Load() == 0 {
		return nil
	}
	mu.Lock()
	a := actions[name]
	hits[name]++
	mu.Unlock()
	if a == nil {
		return nil
	}
	return a()
}

// Enable makes the point name run a (replacing any action it had).
func Enable(name string, a Action) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := actions[name]; !ok {
		armed.Add(1)
	}
	actions[name] = a
}

// Disable turns the point off.
func Disable(name string) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := actions[name]; ok {
		delete(actions, name)
		armed.Add(-1)
	}
}

// Reset disables every point and forgets the hit counts.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	armed.Add(-int32(len(actions)))
	actions = map[string]Action{}
	hits = map[string]int{}
}

// Hits returns how many times name was reached while some point was
// enabled (tests check that a point they rely on exists on the path).
func Hits(name string) int {
	mu.RLock()
	defer mu.RUnlock()
	return hits[name]
}
