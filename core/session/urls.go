package session

import "github.com/tethersync/tether/core/terror"

// A deployment of many tetherd instances on one database (DESIGN.md,
// "Scale-out") gives its clients every instance's URL, or one load
// balancer's. The session dials one URL at a time and keeps it while it
// works; each reconnect the backoff schedules (a lost connection, a failed
// dial, a server's "retry") moves to the next URL in the list, so a client
// of a dead instance reaches a live one within one backoff delay, and the
// backoff still doubles across the whole list (a deployment that is down
// everywhere is not dialled in a loop). The order is the application's:
// it spreads its clients by giving them the list in different orders.

// MaxURLs bounds Config.URLs (more instances than this sit behind a load
// balancer); MaxURLLen bounds each URL.
const (
	MaxURLs   = 64
	MaxURLLen = 4096
)

// serverList checks URL and URLs and sets the list the session dials:
// URL first when given, then URLs, duplicates dropped.
func (c *Config) serverList() error {
	if len(c.URLs) > MaxURLs {
		return terror.New(terror.InvalidArgument, "%d server URLs (at most %d)", len(c.URLs), MaxURLs)
	}
	list := make([]string, 0, 1+len(c.URLs))
	seen := map[string]bool{}
	for i, u := range append([]string{c.URL}, c.URLs...) {
		switch {
		case i == 0 && u == "":
			continue // URL is optional when URLs is given
		case u == "":
			return terror.New(terror.InvalidArgument, "server URL %d of URLs is empty", i-1)
		case len(u) > MaxURLLen:
			return terror.New(terror.InvalidArgument, "a server URL of %d bytes (at most %d)", len(u), MaxURLLen)
		case seen[u]:
			continue
		}
		seen[u] = true
		list = append(list, u)
	}
	if len(list) == 0 {
		return terror.New(terror.InvalidArgument, "a session needs the server URL (URL or URLs)")
	}
	c.servers = list
	return nil
}

// serverURL is the URL the next dial goes to.
func (s *Session) serverURL() string {
	return s.cfg.servers[s.urlAt%len(s.cfg.servers)]
}

// nextServer moves to the next URL for the coming reconnect (a single
// URL stays where it is).
func (s *Session) nextServer() {
	s.urlAt = (s.urlAt + 1) % len(s.cfg.servers)
}
