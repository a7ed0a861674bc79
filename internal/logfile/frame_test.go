package logfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

var framings = map[string]Framing{"client": ClientLog, "server": ServerLog}

// logOf returns n frames of size bytes each and their offsets.
func logOf(fm Framing, n, size int) ([]byte, []int) {
	var b []byte
	var offs []int
	for i := 0; i < n; i++ {
		offs = append(offs, len(b))
		b = fm.Append(b, uint64(i+1), byte(i%7+1), bytes.Repeat([]byte{byte('a' + i)}, size))
	}
	return b, offs
}

// readAll reads data with the streaming Reader, judging a bad frame as a
// load does: the frames and the length to keep, or the damage.
func readAll(fm Framing, data []byte) ([]Frame, int, error) {
	r := fm.NewReader(bytes.NewReader(data), int64(len(data)))
	var out []Frame
	for {
		f, err := r.Next()
		if err == io.EOF {
			return out, int(r.Good()), nil
		}
		if err == ErrTorn {
			if err := fm.CheckTail(data[r.Good():], r.Good()); err != nil {
				return nil, 0, err
			}
			return out, int(r.Good()), nil
		}
		if err != nil {
			return nil, 0, err
		}
		out = append(out, f)
	}
}

// Both readers, in both framings, read the same frames back with their
// offsets; only the typed framing keeps the type.
func TestFramesRoundTrip(t *testing.T) {
	for name, fm := range framings {
		data, offs := logOf(fm, 5, 700)
		for rd, read := range map[string]func(Framing, []byte) ([]Frame, int, error){
			"split":  func(fm Framing, b []byte) ([]Frame, int, error) { return fm.Split(b, 0) },
			"reader": readAll,
		} {
			frames, good, err := read(fm, data)
			require.NoError(t, err, "%s %s", name, rd)
			require.Equal(t, len(data), good)
			require.Len(t, frames, 5)
			for i, f := range frames {
				require.Equal(t, int64(offs[i]), f.Off)
				require.Equal(t, uint64(i+1), f.Seq)
				require.Equal(t, bytes.Repeat([]byte{byte('a' + i)}, 700), f.Payload)
				if fm.Typed {
					require.Equal(t, byte(i%7+1), f.Type)
				} else {
					require.Zero(t, f.Type)
				}
			}
		}
	}
}

// The two framings are the formats already on disk: the client's header
// has the type byte after the sequence, outside the length, under the
// checksum; the server's has none.
func TestFramingsAreTheStoredFormats(t *testing.T) {
	c := ClientLog.Append(nil, 7, 2, []byte("xy"))
	require.Equal(t, []byte{0, 0, 0, 2}, c[:4])
	require.Equal(t, uint64(7), binary.BigEndian.Uint64(c[8:]))
	require.Equal(t, []byte{2, 'x', 'y'}, c[16:])
	s := ServerLog.Append(nil, 7, 2, []byte("xy"))
	require.Equal(t, []byte{0, 0, 0, 2}, s[:4])
	require.Equal(t, []byte("xy"), s[16:])
	require.NotEqual(t, c[4:8], s[4:8], "the type byte is checksummed")
}

// What a load must do with each kind of bad tail, in both framings and
// through both readers: a torn last frame is cut (the good length is
// where it starts), damage anywhere is Corrupted.
func TestTornTailIsCutDamageIsCorrupted(t *testing.T) {
	for name, fm := range framings {
		orig, offs := logOf(fm, 6, 1500)
		last := offs[5]
		for _, c := range []struct {
			name    string
			damage  func(b []byte) []byte
			corrupt string // "" means torn: cut at the last frame
			kept    int    // frames a torn tail leaves (5 if 0)
		}{
			{"last frame cut short", func(b []byte) []byte { return b[:len(b)-700] }, "", 0},
			{"last frame's header cut short", func(b []byte) []byte { return b[:last+10] }, "", 0},
			{"power cut kept the size, not the last sector", func(b []byte) []byte {
				clear(b[(len(b)-100)&^511:])
				return b
			}, "", 0},
			{"zeros from a sector inside the last frame", func(b []byte) []byte {
				clear(b[(last+fm.HeaderSize()+600+511)&^511:])
				return b
			}, "", 0},
			{"a sector inside the last frame never written", func(b []byte) []byte {
				a := (last + fm.HeaderSize() + 511) &^ 511
				clear(b[a : a+512])
				return b
			}, "", 0},
			{"one append of two frames, zeros from a sector inside the first", func(b []byte) []byte {
				clear(b[(offs[4]+fm.HeaderSize()+600+511)&^511:])
				return b
			}, "", 4},
			{"flipped byte in a middle frame", func(b []byte) []byte { b[offs[2]+fm.HeaderSize()+100] ^= 0x40; return b }, "whole records follow it", 0},
			{"middle length past the end", func(b []byte) []byte {
				binary.BigEndian.PutUint32(b[offs[1]:], uint32(len(b)))
				return b
			}, "whole records follow it", 0},
			{"middle sequence damaged", func(b []byte) []byte { b[offs[3]+15] ^= 1; return b }, "whole records follow it", 0},
			{"flipped byte in the last frame, written whole", func(b []byte) []byte { b[len(b)-50] ^= 0x40; return b }, "fails its checksum", 0},
			{"last length damaged, written whole", func(b []byte) []byte {
				binary.BigEndian.PutUint32(b[last:], uint32(len(b)))
				return b
			}, "damaged length", 0},
			{"a length no writer makes", func(b []byte) []byte {
				binary.BigEndian.PutUint32(b[last:], uint32(fm.MaxPayload+1))
				return b
			}, "claims", 0},
		} {
			for rd, read := range map[string]func(Framing, []byte) ([]Frame, int, error){
				"split":  func(fm Framing, b []byte) ([]Frame, int, error) { return fm.Split(b, 0) },
				"reader": readAll,
			} {
				t.Run(fmt.Sprintf("%s/%s/%s", name, rd, c.name), func(t *testing.T) {
					frames, good, err := read(fm, c.damage(append([]byte(nil), orig...)))
					if c.corrupt != "" {
						require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%v", err)
						require.Contains(t, err.Error(), c.corrupt)
						return
					}
					require.NoError(t, err)
					kept := 5
					if c.kept != 0 {
						kept = c.kept
					}
					require.Equal(t, offs[kept], good)
					require.Len(t, frames, kept)
				})
			}
		}
	}
}

// Split reports file offsets when its data starts after a file header.
func TestSplitReportsFileOffsets(t *testing.T) {
	data, offs := logOf(ClientLog, 3, 10)
	data[offs[1]+20] ^= 1
	_, _, err := ClientLog.Split(data, 16)
	require.ErrorContains(t, err, fmt.Sprintf("offset %d ", offs[1]+16))
}
