// Package crdt holds what the client and the server must agree on to merge
// concurrent writes deterministically: stamps (a hybrid logical clock
// reading plus the writer's client file ident) and the merge rules
// themselves.
package crdt

import (
	"math"
	"sync"
	"time"

	"github.com/tethersync/tether/core/terror"
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

// Next returns a reading greater than every earlier one and every observed
// one. At the end of the range it fails rather than wrap to 0: a wrapped
// reading would lose to every stamp before it, so the write would vanish.
func (c *Clock) Next() (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := wallReading(c.now())
	switch {
	case wall > c.last:
		c.last = wall
	case c.last == math.MaxUint64:
		return 0, terror.New(terror.ProtocolError,
			"the clock cannot advance: it has seen stamp %d, at the end of its range (a peer wrote with a clock thousands of years ahead)", c.last)
	default:
		c.last++
	}
	return c.last, nil
}

// wallReading is t as a reading with counter 0, clamped to the range a
// reading can hold: a clock before 1970 or after the year 10889 would
// otherwise shift into a reading near 2^64 or lose its high bits.
func wallReading(t time.Time) uint64 {
	ms := t.UnixMilli()
	switch {
	case ms < 0:
		return 0
	case ms > maxWallMillis:
		ms = maxWallMillis
	}
	return uint64(ms) << logicalBits
}

// maxWallMillis is the latest wall-clock time a reading can hold.
const maxWallMillis = 1<<(64-logicalBits) - 1

// Observe moves the clock past a reading seen from another writer, so that
// the next local write is stamped after it (causality across clients).
func (c *Clock) Observe(hlc uint64) {
	c.mu.Lock()
	if hlc > c.last {
		c.last = hlc
	}
	c.mu.Unlock()
}

// Wall returns the wall-clock time the clock reads from.
func (c *Clock) Wall() time.Time { return c.now() }

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

// MaxServerSkew is how far ahead of the server's wall clock an uploaded
// stamp may be. Stamps are compared with wall time, never with the HLC
// (which every accepted stamp pulls forward), so the bound cannot be
// ratcheted upward one upload at a time.
const MaxServerSkew = time.Hour

// MaxClientSkew is how far ahead of a device's wall clock a downloaded
// stamp may be. An honest server admits only MaxServerSkew, so this only
// stops a hostile server from pushing a device's clock towards the end of
// the stamp range; it is wide because device clocks are often wrong (set
// days or months back), and such a device must still sync.
const MaxClientSkew = 366 * 24 * time.Hour

// Ahead returns how far the wall-clock part of a reading is after now
// (negative: before).
func Ahead(hlc uint64, now time.Time) time.Duration {
	return time.Duration(int64(hlc>>logicalBits)-now.UnixMilli()) * time.Millisecond
}

// CheckAhead refuses a reading more than limit ahead of now (whose is
// "the server" or "this device"), as a ProtocolError naming both.
func CheckAhead(hlc uint64, now time.Time, limit time.Duration, whose string) error {
	if d := Ahead(hlc, now); d > limit {
		return terror.New(terror.ProtocolError, "stamp %d is %d ms ahead of %s clock; the limit is %d ms (%s)",
			hlc, d.Milliseconds(), whose, limit.Milliseconds(), limit)
	}
	return nil
}
