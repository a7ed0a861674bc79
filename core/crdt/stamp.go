// Package crdt holds what the client and the server must agree on to merge
// concurrent writes deterministically: stamps (a hybrid logical clock
// reading plus the writer's client file ident) and, with the sync issue,
// the merge rules themselves.
package crdt

import (
	"sync"
	"time"
)

// Stamp orders writes: by hybrid logical clock, then by client ident, so
// two different writers never tie.
type Stamp struct {
	HLC    uint64
	Client uint64
}

// Compare returns -1, 0 or 1.
func (s Stamp) Compare(o Stamp) int {
	switch {
	case s.HLC < o.HLC:
		return -1
	case s.HLC > o.HLC:
		return 1
	case s.Client < o.Client:
		return -1
	case s.Client > o.Client:
		return 1
	}
	return 0
}

// After reports whether s wins over o.
func (s Stamp) After(o Stamp) bool { return s.Compare(o) > 0 }

// IsZero reports whether the stamp was never set.
func (s Stamp) IsZero() bool { return s.HLC == 0 && s.Client == 0 }

// A hybrid logical clock value keeps wall-clock milliseconds in the high 48
// bits and a counter in the low 16, so it stays close to real time (a
// stamp says roughly when a write happened) yet never goes backwards and
// always moves past any stamp it has seen.
const logicalBits = 16

// Clock is a hybrid logical clock. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last uint64
	now  func() time.Time
}

// NewClock returns a clock reading now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// Next returns a reading greater than every earlier one and every observed one.
func (c *Clock) Next() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := uint64(c.now().UnixMilli()) << logicalBits
	if wall > c.last {
		c.last = wall
	} else {
		c.last++
	}
	return c.last
}

// Observe moves the clock past a reading seen from another writer, so that
// the next local write is stamped after it (causality across clients).
func (c *Clock) Observe(hlc uint64) {
	c.mu.Lock()
	if hlc > c.last {
		c.last = hlc
	}
	c.mu.Unlock()
}

// Last returns the latest reading given or observed.
func (c *Clock) Last() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// WallTime returns the wall-clock part of a reading.
func WallTime(hlc uint64) time.Time {
	return time.UnixMilli(int64(hlc >> logicalBits))
}
