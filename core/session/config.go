package session

import (
	"math/rand"
	"time"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
)

// Config starts a session.
type Config struct {
	// URL of the server's sync endpoint, e.g. ws://127.0.0.1:7800/sync.
	URL string
	// URLs are more instances of the same deployment (one database): the
	// session dials URL (or the first of URLs) and moves to the next on
	// each reconnect (urls.go). One load balancer's URL needs none.
	URLs      []string
	Token     string
	Partition string
	DB        *store.DB
	// Flexible makes a flexible-sync session (no Partition): the objects
	// of the app's space its subscription set (Subscriptions) and the
	// server's rules let it see.
	Flexible bool
	// InitialSubscriptions, for a flexible session, fills the set of a
	// database that has none yet (or, with RerunInitialSubscriptions, on
	// every Start): Realm's initialSubscriptions and rerunOnOpen.
	InitialSubscriptions      func(m *MutableSubscriptions) error
	RerunInitialSubscriptions bool
	// StartPaused opens the session paused (no network until Resume).
	StartPaused bool
	// MinBackoff and MaxBackoff bound the reconnect delay, which doubles
	// after each failure with full jitter (0: the defaults, 100ms and 10s,
	// the default raised to a longer MinBackoff, lowered to a shorter MaxBackoff). Negative, longer
	// than MaxBackoffLimit, or MaxBackoff below MinBackoff (both set) is
	// InvalidArgument: a clear error, never a silent fix.
	MinBackoff, MaxBackoff time.Duration
	// Jitter draws a number in [0, n) for the reconnect delay, as
	// math/rand's Int63n (the default) does; tests fix it to make every
	// delay exact.
	Jitter func(n int64) int64
	// PingInterval: how often an idle connection is checked (default 10s).
	PingInterval time.Duration
	// ClientReset is the mode of client resets ("" = recover or discard).
	ClientReset reset.Mode
	// Listeners are in place before the session does anything (Realm's
	// error handler and client-reset callbacks in its sync config): a
	// client reset, whose "before" view lives only during the call, cannot
	// come before them.
	Listeners Listeners

	servers []string // URL then URLs, checked (serverList)
}

func (c *Config) validate() error {
	switch {
	case c.DB == nil:
		return terror.New(terror.InvalidArgument, "a session needs a database")
	case c.Flexible && c.Partition != "":
		return terror.New(terror.InvalidArgument, "a flexible-sync session has no partition")
	case !c.Flexible && c.Partition == "":
		return terror.New(terror.InvalidArgument, "a session needs a partition (or flexible sync)")
	case !c.Flexible && c.InitialSubscriptions != nil:
		return terror.New(terror.InvalidArgument, "initial subscriptions need a flexible-sync session")
	}
	if err := c.serverList(); err != nil {
		return err
	}
	if err := c.backoffDefaults(); err != nil {
		return err
	}
	mode, err := reset.ParseMode(string(c.ClientReset))
	if err != nil {
		return err
	}
	c.ClientReset = mode
	if c.Jitter == nil {
		c.Jitter = rand.Int63n
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 10 * time.Second
	}
	return nil
}

// MaxBackoffLimit bounds the backoff options: far beyond any sane delay,
// and doubling it cannot overflow a Duration.
const MaxBackoffLimit = 1 << 40 * time.Millisecond

// backoffDefaults checks the backoff bounds and fills in the defaults.
func (c *Config) backoffDefaults() error {
	switch {
	case c.MinBackoff < 0 || c.MaxBackoff < 0:
		return terror.New(terror.InvalidArgument, "negative backoff (min %v, max %v)", c.MinBackoff, c.MaxBackoff)
	case c.MinBackoff > MaxBackoffLimit || c.MaxBackoff > MaxBackoffLimit:
		return terror.New(terror.InvalidArgument, "backoff too long (min %v, max %v; at most %v)", c.MinBackoff, c.MaxBackoff, MaxBackoffLimit)
	case c.MinBackoff > 0 && c.MaxBackoff > 0 && c.MaxBackoff < c.MinBackoff:
		return terror.New(terror.InvalidArgument, "the maximum backoff %v is below the minimum %v", c.MaxBackoff, c.MinBackoff)
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 100 * time.Millisecond
		if c.MaxBackoff > 0 {
			c.MinBackoff = min(c.MinBackoff, c.MaxBackoff)
		}
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = max(10*time.Second, c.MinBackoff)
	}
	return nil
}
