package crdt

import (
	"math"
	"testing"
	"time"

	"github.com/tethersync/tether/core/terror"
)

// A clock that observed a stamp at the end of its range never wraps to 0:
// a wrapped clock stamps every later write before the one it observed, so
// that field ignores every later write, the writer's own included.
func TestClockNeverWraps(t *testing.T) {
	c := NewClock(nil)
	c.Observe(math.MaxUint64 - 1)
	got, err := c.Next()
	if err != nil || got != math.MaxUint64 {
		t.Fatalf("Next after MaxUint64-1 = %d, %v", got, err)
	}
	got, err = c.Next()
	if !terror.Is(err, terror.ProtocolError) {
		t.Fatalf("Next at the end of the range = %d, %v; want a ProtocolError", got, err)
	}
	if c.Last() != math.MaxUint64 {
		t.Fatalf("the clock moved to %d", c.Last())
	}
}

// A wall clock outside the range a reading holds is clamped, not shifted
// into a reading near 2^64 (before 1970) or truncated (after year 10889).
func TestClockWallOutOfRange(t *testing.T) {
	before1970 := NewClock(func() time.Time { return time.UnixMilli(-1) })
	if got, err := before1970.Next(); err != nil || got > 1 {
		t.Fatalf("a clock before 1970 reads %d, %v", got, err)
	}
	farFuture := NewClock(func() time.Time { return time.UnixMilli(1 << 50) })
	got, err := farFuture.Next()
	if err != nil || got>>logicalBits != maxWallMillis {
		t.Fatalf("a clock past the range reads %d, %v", got, err)
	}
}

func TestCheckAhead(t *testing.T) {
	now := time.Now()
	at := func(d time.Duration) uint64 { return uint64(now.Add(d).UnixMilli()) << logicalBits }
	if err := CheckAhead(at(59*time.Minute), now, time.Hour, "the server"); err != nil {
		t.Fatal(err)
	}
	if err := CheckAhead(at(-1000*time.Hour), now, time.Hour, "the server"); err != nil {
		t.Fatal(err)
	}
	for _, hlc := range []uint64{at(61 * time.Minute), math.MaxUint64} {
		if err := CheckAhead(hlc, now, time.Hour, "the server"); !terror.Is(err, terror.ProtocolError) {
			t.Fatalf("CheckAhead(%d) = %v", hlc, err)
		}
	}
}
