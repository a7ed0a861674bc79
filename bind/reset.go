package tether

import "github.com/tethersync/tether/internal/boundary"

// AddEventListenerWithViews is AddEventListener whose clientReset events
// also carry "before": the handle of a read-only view of the database as
// it was before the reset (0 in manual mode, whose backup does not exist
// yet), for DatabaseFromHandle. The listener owns the view and closes it
// once done (Realm's onBeforeReset/onAfterReset "before" realm); the
// database after the reset is the session's own.
func (s *SyncSession) AddEventListenerWithViews(l EventListener) (int64, error) {
	id, err := boundary.SessionAddEventListenerWithViews(s.h, l.OnEvent)
	return id, errorOf(err)
}

// DatabaseFromHandle wraps a database handle internal/boundary gave out (a
// clientReset event's "before" view) so that its methods, Close included,
// can be called on it. An unknown or closed handle gives a Database whose
// calls fail with Closed.
func DatabaseFromHandle(h int64) *Database { return &Database{h: h} }
