package protocol

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// allocated returns the bytes f allocates (the tests of a package run one
// at a time, so the process's counter is f's).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileFrames are frames whose length prefixes claim far more than they
// carry, or that nest without end: each must be a ProtocolError that costs
// no more than the frame itself.
func hostileFrames() map[string][]byte {
	nested := append([]byte{0x82, 0xa1, 't', 0x09, 0xa1, 'x'}, bytes.Repeat([]byte{0x91}, 1<<20)...)
	return map[string][]byte{
		// {"t":3,"s":1,"up":{"cs": array32 of 2^32-1}}: 19 bytes.
		"upload claims 2^32-1 changesets": {0x83, 0xa1, 't', 0x03, 0xa1, 's', 0x01, 0xa2, 'u', 'p', 0x81, 0xa2, 'c', 's', 0xdd, 0xff, 0xff, 0xff, 0xff},
		// {"t":5,"s":1,"down":{"cs": array32 of 2^32-1}}: 21 bytes.
		"download claims 2^32-1 changesets":    {0x83, 0xa1, 't', 0x05, 0xa1, 's', 0x01, 0xa4, 'd', 'o', 'w', 'n', 0x81, 0xa2, 'c', 's', 0xdd, 0xff, 0xff, 0xff, 0xff},
		"download claims 2^32-1 state objects": {0x83, 0xa1, 't', 0x05, 0xa1, 's', 0x01, 0xa4, 'd', 'o', 'w', 'n', 0x81, 0xa2, 's', 't', 0xdd, 0xff, 0xff, 0xff, 0xff},
		"bind schema claims 4 GiB":             {0x83, 0xa1, 't', 0x01, 0xa1, 's', 0x01, 0xa4, 'b', 'i', 'n', 'd', 0x81, 0xa6, 's', 'c', 'h', 'e', 'm', 'a', 0xc6, 0xff, 0xff, 0xff, 0xff},
		"message map claims 2^32-1 pairs":      {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 't'},
		"a million nested arrays":              nested,
		"an unknown field nests 1M arrays":     append([]byte{0x82, 0xa1, 't', 0x09, 0xa4, 'p', 'i', 'n', 'g'}, bytes.Repeat([]byte{0x91}, 1<<20)...),
	}
}

func TestHostileFramesAreBoundedProtocolErrors(t *testing.T) {
	for name, frame := range hostileFrames() {
		var err error
		n := allocated(func() { _, err = Decode(frame) })
		require.Equal(t, terror.ProtocolError, terror.CodeOf(err), "%s: %v", name, err)
		require.Less(t, n, uint64(len(frame))+1<<20, "%s allocated %d bytes", name, n)
		_, _, err = Peek(frame)
		if name == "message map claims 2^32-1 pairs" {
			require.Equal(t, terror.ProtocolError, terror.CodeOf(err), name)
		}
	}
}

// A frame may hold as many elements as its bytes can encode, no more:
// the bound is the smallest encoding of one element, not the element
// count a prefix claims.
func TestArrayClaimsAreBoundedByTheBytesLeft(t *testing.T) {
	b, err := Encode(&Message{Type: TUpload, Session: 1, Upload: &Upload{Changesets: make([]Changeset, 1000)}})
	require.NoError(t, err)
	m, err := Decode(b)
	require.NoError(t, err)
	require.Len(t, m.Upload.Changesets, 1000)
	// The same frame claiming one element more than it holds.
	i := bytes.Index(b, []byte{0xdc, 0x03, 0xe8})
	require.GreaterOrEqual(t, i, 0)
	b[i+2]++
	_, err = Decode(b)
	require.Equal(t, terror.ProtocolError, terror.CodeOf(err))
}

func TestPeekReadsTypeAndSessionOnly(t *testing.T) {
	b, err := Encode(&Message{Type: TUpload, Session: 42, Upload: &Upload{Changesets: []Changeset{{ClientVersion: 1, Data: make([]byte, 1<<20)}}}})
	require.NoError(t, err)
	var typ Type
	var sid uint32
	n := allocated(func() { typ, sid, err = Peek(b) })
	require.NoError(t, err)
	require.Equal(t, TUpload, typ)
	require.Equal(t, uint32(42), sid)
	require.Less(t, n, uint64(64<<10), "Peek copied the 1 MiB body")
}

func TestTrailingBytesAreRefused(t *testing.T) {
	b, err := Encode(&Message{Type: TPing, Ping: &Ping{Nanos: 1}})
	require.NoError(t, err)
	_, err = Decode(append(b, 0xc0))
	require.Equal(t, terror.ProtocolError, terror.CodeOf(err))
}
