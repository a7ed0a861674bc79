package server

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/vfs"
)

// FuzzDecodeLogRecord: a log record's payload, damaged or hostile, decodes
// to an error or to a record that encodes back to the same record, never a
// panic or a huge allocation.
func FuzzDecodeLogRecord(f *testing.F) {
	for _, r := range []Record{
		hist(7, "changeset bytes"),
		{Meta: &Meta{Epoch: 5, Epochs: map[uint64]EpochInfo{5: {Parent: 4, Base: 9, Kind: epochRestore}},
			Schema: []byte(dogSchema), Retired: map[string]string{"Dog.age": "int"}, Horizon: 3, Writer: 11}},
		{Client: &ClientInfo{ID: 1, LastCV: 2, LastSV: 3, LastSeen: 4, Reset: "discardUnsyncedChanges"}},
	} {
		f.Add(mustMarshal(r))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err != nil {
			return
		}
		again, err := decodeRecord(mustMarshal(r))
		require.NoError(t, err)
		require.Equal(t, r, again)
	})
}

// FuzzReadSnapshot: a snapshot file, damaged or hostile, reads as an error
// or a snapshot, never a panic or a huge allocation. The seeds are real
// snapshot files.
func FuzzReadSnapshot(f *testing.F) {
	dir := f.TempDir()
	for i, s := range []*Snapshot{
		{Partition: "p", Version: 2, Seq: 3, Meta: Meta{Epoch: 1, Epochs: map[uint64]EpochInfo{1: {}}},
			Clients: []ClientInfo{{ID: 1, LastCV: 1, LastSV: 2}},
			Objects: []crdt.StateObject{{Class: "Dog", Key: []byte{0xa1, 'a'}, Fields: []byte{0x92, 0x80, 0x90}}, {Class: "Dog", Key: []byte{0xa1, 'b'}, Tombstone: []byte{1, 2}}},
			History: []HistoryRecord{{Version: 1, ClientID: 1, ClientVersion: 1, Data: []byte("cs")}}},
		{Partition: "empty"},
	} {
		path := filepath.Join(dir, "snap"+string(rune('0'+i)))
		require.NoError(f, writeSnapshotFile(vfs.OS, path, s))
		b, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = readSnapshot(bytes.NewReader(b), int64(len(b)), "fuzz")
	})
}
