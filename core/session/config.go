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
	URL       string
	Token     string
	Partition string
	DB        *store.DB
	// StartPaused opens the session paused (no network until Resume).
	StartPaused bool
	// MinBackoff and MaxBackoff bound the reconnect delay, which doubles
	// after each failure with full jitter (defaults 100ms and 10s).
	MinBackoff, MaxBackoff time.Duration
	// Jitter draws a number in [0, n) for the reconnect delay, as
	// math/rand's Int63n (the default) does; tests fix it to make every
	// delay exact.
	Jitter func(n int64) int64
	// PingInterval: how often an idle connection is checked (default 10s).
	PingInterval time.Duration
	// ClientReset is the mode of client resets ("" = recover or discard).
	ClientReset reset.Mode
}

func (c *Config) validate() error {
	switch {
	case c.DB == nil:
		return terror.New(terror.InvalidArgument, "a session needs a database")
	case c.URL == "":
		return terror.New(terror.InvalidArgument, "a session needs the server URL")
	case c.Partition == "":
		return terror.New(terror.InvalidArgument, "a session needs a partition")
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = 10 * time.Second
		if c.MaxBackoff < c.MinBackoff {
			c.MaxBackoff = c.MinBackoff
		}
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
