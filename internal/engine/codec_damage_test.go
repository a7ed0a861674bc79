package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// TestRecordDecodersRefuseDamage: a log record's payload in a form no
// encoder writes is Corrupted, never read as a nearby record (an item of
// the wrong kind read as empty, trailing bytes ignored).
func TestRecordDecodersRefuseDamage(t *testing.T) {
	download := encodeDownload(&Download{LastServerVersion: 4, Changesets: []RemoteChangeset{{ServerVersion: 4, ClientID: 1, ClientVersion: 2, Data: []byte{1}}}})
	_, err := decodeDownload(download)
	require.NoError(t, err)
	// [sv, more, [[4, 1, 2, 7]], [], own]: the changeset's data an integer.
	intData := []byte{0x95, 0x04, 0xc2, 0x91, 0x94, 0x04, 0x01, 0x02, 0x07, 0x90, 0x00}
	meta := meta{"a": 1}.encode()
	reset := (&resetState{phase: 1, mode: "manual"}).encode()
	synced := encodeSynced(syncedEntry{serverVersion: 3, data: []byte{1}})
	chunk := value.Append(nil, []any{"o:Dog:1", "x"})
	for name, decode := range map[string]func() error{
		"download, trailing bytes":  func() error { _, err := decodeDownload(append(download, 0)); return err },
		"download, data an integer": func() error { _, err := decodeDownload(intData); return err },
		"download, a three-item entry": func() error {
			_, err := decodeDownload([]byte{0x95, 0x04, 0xc2, 0x91, 0x93, 0x04, 0x01, 0x02, 0x90, 0x00})
			return err
		},
		"download, a nil class": func() error {
			_, err := decodeDownload([]byte{0x95, 0x04, 0xc2, 0x90, 0x91, 0x94, 0xc0, 0xc0, 0xc0, 0xc0, 0x00})
			return err
		},
		"meta, trailing bytes":           func() error { _, err := decodeMeta(append(meta, 0)); return err },
		"meta, a nil value":              func() error { _, err := decodeMeta([]byte{0x81, 0xa1, 'a', 0xc0}); return err },
		"reset, trailing bytes":          func() error { _, err := decodeResetState(append(reset, 0)); return err },
		"reset, the mode an integer":     func() error { _, err := decodeResetState([]byte{0x94, 0x01, 0x05, 0xa0, 0x00}); return err },
		"synced, trailing bytes":         func() error { _, err := decodeSynced(append(synced, 0)); return err },
		"synced, data an integer":        func() error { _, err := decodeSynced([]byte{0x92, 0x03, 0x07}); return err },
		"recovery list, an integer item": func() error { _, err := decodeBinList([]byte{0x91, 0x07}); return err },
		"state chunk, trailing bytes":    func() error { return loadStateChunkCheck(append(chunk, 0)) },
		"state chunk, an odd count":      func() error { return loadStateChunkCheck(value.Append(nil, []any{"o:Dog:1"})) },
	} {
		t.Run(name, func(t *testing.T) {
			err := decode()
			require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%v", err)
		})
	}
	require.NoError(t, loadStateChunkCheck(chunk))
}

// TestDownloadDamagedPayloadsRefused: a download whose changeset or state
// object carries bytes after its one item is a ProtocolError, applied in
// no part, not read as the item before them.
func TestDownloadDamagedPayloadsRefused(t *testing.T) {
	db := openMem(t)
	before := dump(t, db)
	fields := crdt.EncodeObject(map[string]any{"_id": "max", "name": "Max"}, map[string]crdt.Stamp{"_id": {HLC: 1}, "name": {HLC: 1}}, nil)
	for name, d := range map[string]Download{
		"a key with trailing bytes":     {State: []StateObject{{Class: "Dog", Key: append(value.Append(nil, "max"), 0), Fields: fields}}, LastServerVersion: 1},
		"an object with trailing bytes": {State: []StateObject{{Class: "Dog", Key: value.Append(nil, "max"), Fields: append(fields, 0)}}, LastServerVersion: 1},
		"a changeset with trailing bytes": {Changesets: []RemoteChangeset{{ServerVersion: 1, ClientID: 9, ClientVersion: 1, Data: append(crdt.EncodeChangeset(&crdt.Changeset{
			Version: 1, Stamp: crdt.Stamp{HLC: 1, Client: 9},
			Ops: []crdt.ChangeOp{{Kind: crdt.OpCreate, Class: "Dog", Key: "max", Fields: []crdt.Field{{Name: "_id", Value: "max"}, {Name: "name", Value: "Max"}}}},
		}), 0)}}, LastServerVersion: 1},
	} {
		t.Run(name, func(t *testing.T) {
			requireCode(t, db.ApplyDownload(d), terror.ProtocolError)
			require.Equal(t, before, dump(t, db))
		})
	}
}
