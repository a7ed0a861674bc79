package session

// State is the session's state, as Realm's SyncSession.State.
type State int

const (
	Inactive State = iota
	Active
	Paused
	Dying
	WaitingForAccessToken
)

func (s State) String() string {
	return [...]string{"inactive", "active", "paused", "dying", "waitingForAccessToken"}[s]
}

// ConnectionState is the state of the session's connection to the server.
type ConnectionState int

const (
	Disconnected ConnectionState = iota
	Connecting
	Connected
)

func (c ConnectionState) String() string {
	return [...]string{"disconnected", "connecting", "connected"}[c]
}

// Direction of a transfer.
type Direction int

const (
	Upload Direction = iota
	Download
)

func (d Direction) String() string { return [...]string{"upload", "download"}[d] }

// ProgressMode chooses how long a progress listener reports, as Realm's.
type ProgressMode int

const (
	// CurrentChanges reports until what was outstanding when the listener
	// was added has been transferred, then stops.
	CurrentChanges ProgressMode = iota
	// Indefinitely keeps reporting every transfer.
	Indefinitely
)

// Progress is one progress notification.
type Progress struct {
	Direction    Direction
	Transferred  int64
	Transferable int64
	// Estimate is Transferred/Transferable in [0, 1] (1 when nothing is
	// outstanding).
	Estimate float64
}

// Error is a session error as the error handler receives it.
type Error struct {
	Code    string
	Message string
	// Fatal: the session stopped (inactive or waiting for a token); else it
	// retries by itself.
	Fatal bool
	// Objects, for a CompensatingWrite, are the objects whose writes the
	// server refused; each returns to the server's state.
	Objects []RefusedObject
}

// RefusedObject is one object of a compensating write.
type RefusedObject struct {
	Class  string
	Key    any    // the primary key
	Reason string // PermissionDenied or OutsideView
}
