package engine

// Handle carries an engine handle inside core/store's public DB. Its one
// method is unexported, so only this package reads it back (Of), and a
// type that embeds a Handle, as store.DB does, satisfies Of's parameter.
type Handle struct{ db *DB }

// NewHandle wraps db for embedding in a public type.
func NewHandle(db *DB) Handle { return Handle{db} }

func (h Handle) engineDB() *DB { return h.db }

// Public is any type that embeds a Handle: core/store's DB.
type Public interface{ engineDB() *DB }

// Of returns the engine handle behind an app's *store.DB: core/session
// drives sync and resets through it, internal/boundary its encoded reads. p must
// not be a nil pointer.
func Of(p Public) *DB { return p.engineDB() }
