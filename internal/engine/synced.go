package engine

import (
	"github.com/tethersync/tether/core/value"
)

// Synced history: local changesets the server has integrated, with the
// server version it gave them. A client reset after the server was
// restored from a backup needs them: changes integrated after the point
// the server went back to are lost on the server and count as unsynced
// (SPEC.md, `unsynced`). The newest maxSynced are kept.
const maxSynced = 10000

type syncedEntry struct {
	serverVersion uint64
	data          []byte // the changeset, crdt.EncodeChangeset form
}

func (e *engine) keepSynced(serverVersion uint64, data []byte) {
	e.synced = append(e.synced, syncedEntry{serverVersion: serverVersion, data: data})
	if over := len(e.synced) - maxSynced; over > 0 {
		e.synced = append([]syncedEntry(nil), e.synced[over:]...)
	}
}

func encodeSynced(s syncedEntry) []byte {
	b := value.AppendArrayHeader(nil, 2)
	b = value.AppendUint(b, s.serverVersion)
	return value.Append(b, s.data)
}

func decodeSynced(b []byte) (syncedEntry, error) {
	r := value.NewStrictReader(b)
	r.Tuple(2, 2)
	s := syncedEntry{serverVersion: r.Uint(), data: r.Bytes()}
	if err := r.Done(); err != nil {
		return s, corrupted(err, "synced history record")
	}
	return s, nil
}
