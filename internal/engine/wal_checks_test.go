package engine

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/vfs/vfstest"
)

// The WAL's format-version, sequence and length checks, on hand-damaged
// files: damage is Corrupted and leaves the file as it was; only a torn
// last record (internal/logfile) is cut.

// walWith returns a log of three dog commits and the offsets of its records.
func walWith(t *testing.T) ([]byte, []int) {
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncFull)
	for _, id := range []string{"1", "2", "3"} {
		require.NoError(t, createDog(db, id))
	}
	require.NoError(t, db.Close())
	data := fsys.Dump(faultDB)
	var offs []int
	for off := headerSize; off < len(data); off += recHeaderSize + int(binary.BigEndian.Uint32(data[off:])) {
		offs = append(offs, off)
	}
	return data, offs
}

// reseal recomputes a record's checksum after a test changed its header.
func reseal(data []byte, off int) {
	end := off + recHeaderSize + int(binary.BigEndian.Uint32(data[off:]))
	binary.BigEndian.PutUint32(data[off+4:], crc32.Checksum(data[off+8:end], crc32.MakeTable(crc32.Castagnoli)))
}

func openBytes(t *testing.T, data []byte) (*DB, *vfstest.FS, error) {
	fsys := vfstest.New()
	fsys.Put(faultDB, data)
	db, err := openOn(t, fsys, SyncFull)
	return db, fsys, err
}

func TestWALChecks(t *testing.T) {
	orig, offs := walWith(t)
	last := offs[len(offs)-1]
	for _, c := range []struct {
		name   string
		damage func(b []byte) []byte
		msg    string // "" means it opens
		dogs   string
	}{
		{"newer format version", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[8:], formatVersion+1)
			return b
		}, "file format version 3 is not supported (this library reads version 2)", ""},
		{"older format version", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[8:], 1)
			return b
		}, "file format version 1 is not supported", ""},
		{"bad magic", func(b []byte) []byte { b[0] = 'X'; return b }, "not a Tether database", ""},
		{"header cut short", func(b []byte) []byte { return b[:5] }, "", ""},
		{"sequence gap", func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[offs[2]+8:], binary.BigEndian.Uint64(b[offs[2]+8:])+1)
			reseal(b, offs[2])
			return b
		}, "has sequence", ""},
		{"sequence repeated", func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[offs[2]+8:], binary.BigEndian.Uint64(b[offs[1]+8:]))
			reseal(b, offs[2])
			return b
		}, "has sequence", ""},
		{"length past the end, records after", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[offs[1]:], uint32(len(b)))
			return b
		}, "damaged and whole records follow it", ""},
		{"length beyond any record", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[last:], uint32(framing.MaxPayload+1))
			return b
		}, "claims", ""},
		{"last record's length damaged, written whole", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[last:], uint32(len(b)))
			return b
		}, "damaged length", ""},
		{"last record cut short: torn", func(b []byte) []byte { return b[:len(b)-3] }, "", "1,2"},
		{"last record's header cut short: torn", func(b []byte) []byte { return b[:last+10] }, "", "1,2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := c.damage(append([]byte(nil), orig...))
			db, fsys, err := openBytes(t, data)
			if c.msg != "" {
				requireCode(t, err, terror.Corrupted)
				require.Contains(t, err.Error(), c.msg)
				require.Equal(t, data, fsys.Dump(faultDB), "a damaged file is left as it was")
				return
			}
			require.NoError(t, err)
			defer db.Close()
			require.Equal(t, c.dogs, dogIDs(t, db))
		})
	}
}
