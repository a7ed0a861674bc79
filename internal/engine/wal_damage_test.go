package engine

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// writeTxnLog writes n transactions of per objects each and returns the
// file and the offsets of their records.
func writeTxnLog(t *testing.T, n, per int) (string, []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.tether")
	db := openFile(t, path)
	for i := 0; i < n; i++ {
		ops := make([]Op, per)
		for j := range ops {
			ops[j] = Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprintf("%d-%d", i, j), "name": "Rex"}}
		}
		require.NoError(t, db.Apply(ops))
	}
	require.NoError(t, db.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var txns []int
	for off := headerSize; off < len(data); {
		if recType(data[off+16]) == recTxn {
			txns = append(txns, off)
		}
		off += recHeaderSize + int(binary.BigEndian.Uint32(data[off:]))
	}
	require.Len(t, txns, n)
	return path, txns
}

func TestWALDamageIsNotATornTail(t *testing.T) {
	path, txns := writeTxnLog(t, 6, 200)
	orig, _ := os.ReadFile(path)
	// A length pointing past the end of the file, in any record but the
	// last, is damage: there are whole records after it.
	for i := 0; i < 5; i++ {
		data := append([]byte(nil), orig...)
		binary.BigEndian.PutUint32(data[txns[i]:], uint32(len(data)))
		require.NoError(t, os.WriteFile(path, data, 0o600))
		_, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema)})
		requireCode(t, err, terror.Corrupted)
		after, _ := os.ReadFile(path)
		require.Equal(t, data, after, "record %d: a damaged file is left as it was", i+1)
	}
	// A flipped byte in the middle record's payload.
	data := append([]byte(nil), orig...)
	data[txns[2]+recHeaderSize+100] ^= 0x40
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema)})
	requireCode(t, err, terror.Corrupted)
	// A flipped byte in the last record, which was written whole.
	data = append([]byte(nil), orig...)
	data[len(data)-50] ^= 0x40
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err = Open(Options{Path: path, Schema: mustSchema(t, dogSchema)})
	requireCode(t, err, terror.Corrupted)
	// A damaged length in the last record, which was written whole.
	data = append([]byte(nil), orig...)
	binary.BigEndian.PutUint32(data[txns[5]:], uint32(len(data)))
	require.NoError(t, os.WriteFile(path, data, 0o600))
	_, err = Open(Options{Path: path, Schema: mustSchema(t, dogSchema)})
	requireCode(t, err, terror.Corrupted)

	// The last record cut in the middle is a torn write: dropped.
	require.NoError(t, os.WriteFile(path, orig[:txns[5]+(len(orig)-txns[5])/2], 0o600))
	db := openFile(t, path)
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 1000, n)
	require.NoError(t, db.Close())

	// A power cut that kept the file's new size but not its last block:
	// the tail reads as zeros, a torn write too.
	data = append([]byte(nil), orig...)
	cut := (txns[5] + (len(data)-txns[5])/2) &^ 511
	clear(data[cut:])
	require.NoError(t, os.WriteFile(path, data, 0o600))
	db = openFile(t, path)
	n, _ = db.Count(Query{Class: "Dog"})
	require.Equal(t, 1000, n)
	require.NoError(t, db.Close())
}
