package engine

// The pending reset record: a reset in progress (an automatic one waiting
// for the server's state) or required (manual), kept in the database's
// own log so that a crash or a restart resumes it.

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/value"
)

// Reset phases.
const (
	resetCleared   = 0 // no reset
	resetBootstrap = 1 // fresh database waiting for the server's state, then recovery
	resetRequired  = 2 // manual mode: move the file to the backup path at the next open
)

type resetState struct {
	phase      uint64
	mode       string
	backupPath string
	// restored is the server version the server went back to, plus one
	// (0: not known, e.g. history trimmed: nothing the client uploaded is
	// considered lost).
	restored uint64
}

func (r *resetState) encode() []byte {
	b := value.AppendArrayHeader(nil, 4)
	b = value.AppendUint(b, r.phase)
	b = value.AppendString(b, r.mode)
	b = value.AppendString(b, r.backupPath)
	return value.AppendUint(b, r.restored)
}

func decodeResetState(b []byte) (*resetState, error) {
	r := value.NewStrictReader(b)
	r.Tuple(4, 4)
	rs := &resetState{phase: r.Uint(), mode: r.Str(), backupPath: r.Str(), restored: r.Uint()}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "client reset record")
	}
	if rs.phase == resetCleared {
		return nil, nil
	}
	return rs, nil
}

// ClientResetInfo describes a reset in progress or required.
type ClientResetInfo struct {
	// Mode the reset was started in ("manual", "discardUnsyncedChanges", ...).
	Mode       string
	BackupPath string
	// RestoredVersion is the server version the server went back to, and
	// HasRestoredVersion whether one is known.
	RestoredVersion    uint64
	HasRestoredVersion bool
	// Required: manual mode, waiting for ExecuteClientReset or the next open.
	Required bool
}

func (r *resetState) info() *ClientResetInfo {
	if r == nil {
		return nil
	}
	i := &ClientResetInfo{Mode: r.mode, BackupPath: r.backupPath, Required: r.phase == resetRequired}
	if r.restored > 0 {
		i.RestoredVersion, i.HasRestoredVersion = r.restored-1, true
	}
	return i
}

// PendingClientReset returns the reset in progress or required, or nil.
func (db *DB) PendingClientReset() (*ClientResetInfo, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	var info *ClientResetInfo
	err = db.e.bunt.View(func(*buntdb.Tx) error {
		info = db.e.reset.info()
		return nil
	})
	return info, err
}
