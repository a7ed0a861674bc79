package server

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// serverAllocated returns the bytes the process allocates while f runs
// (the server runs in the test process; tests of a package run one at a
// time).
func serverAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// stillServes proves the server survived: a fresh client binds, uploads
// and is acknowledged.
func stillServes(t *testing.T, srv *Server) {
	t.Helper()
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "alive", token: allToken(t), clientID: 77})
	require.Equal(t, uint64(1), c.upload(1, dogCS(77, 1, "a")).ClientVersion)
}

// One frame before any authentication must cost the server no more than
// its own bytes: a 19-byte upload claiming 2^32-1 changesets once made
// tetherd allocate what the prefix claimed and die.
func TestHostileFrameBeforeAuthIsAProtocolError(t *testing.T) {
	srv := startServer(t, Config{})
	frames := map[string][]byte{
		"upload claims 2^32-1 changesets": {0x83, 0xa1, 't', 0x03, 0xa1, 's', 0x01, 0xa2, 'u', 'p', 0x81, 0xa2, 'c', 's', 0xdd, 0xff, 0xff, 0xff, 0xff},
		"bind schema claims 4 GiB":        {0x83, 0xa1, 't', 0x01, 0xa1, 's', 0x01, 0xa4, 'b', 'i', 'n', 'd', 0x81, 0xa6, 's', 'c', 'h', 'e', 'm', 'a', 0xc6, 0xff, 0xff, 0xff, 0xff},
		// 16 MiB of nested arrays in a field the server does not know.
		"16 MiB of nested arrays": append([]byte{0x82, 0xa1, 't', 0x09, 0xa1, 'x'}, bytes.Repeat([]byte{0x91}, protocol.MaxFrame-6)...),
	}
	for name, frame := range frames {
		c := dial(t, srv)
		n := serverAllocated(func() {
			c.sendRaw(frame)
			e := c.expectError("ProtocolError", protocol.ActionFatal)
			require.Contains(t, e.Message, "malformed", name)
			c.expectClosed()
		})
		require.Less(t, n, uint64(4*len(frame))+64<<20, "%s: the server allocated %d bytes", name, n)
	}
	stillServes(t, srv)
}

// hugeOpsChangeset is an upload body of size bytes whose changeset claims
// 16 M ops (the ops array's prefix) but holds only padding.
func hugeOpsChangeset(size int) []byte {
	b := value.AppendArrayHeader(nil, 5)
	for _, u := range []uint64{0, 1, 1 << 20, 5} {
		b = value.AppendUint(b, u)
	}
	b = append(b, 0xdd, 0x00, 0xf4, 0x24, 0x00) // 16,000,000 ops
	return append(b, make([]byte, size-len(b))...)
}

// A read-only client's upload is refused before its body is decoded: a
// 16 MiB changeset claiming 16.7 M ops once made the server allocate
// ~1 GiB before the permission check.
func TestReadOnlyUploadIsRefusedUnread(t *testing.T) {
	srv := startServer(t, Config{})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	w.upload(1, dogCS(1, 1, "a"))

	ro := dial(t, srv)
	ro.bindOK(1, bindOpts{partition: "p", token: token(t, Claims{Read: []string{"p"}}), clientID: 2})
	data := hugeOpsChangeset(protocol.MaxFrame - 64)
	n := serverAllocated(func() {
		ro.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{{ClientVersion: 1, Data: data}}}})
		ro.expectError("PermissionDenied", protocol.ActionFatal)
	})
	// The frame is read (16 MiB, buffers doubling) and not decoded.
	require.Less(t, n, uint64(160<<20), "the server allocated %d bytes for a refused upload", n)
	stillServes(t, srv)
}

// A writer's changeset whose op count its bytes cannot hold is a
// ProtocolError, not an allocation of what it claims.
func TestChangesetOpCountBoundedByItsBytes(t *testing.T) {
	srv := startServer(t, Config{})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	data := hugeOpsChangeset(maxChangeset)
	n := serverAllocated(func() {
		w.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{{ClientVersion: 1, Data: data}}}})
		e := w.expectError("ProtocolError", protocol.ActionFatal)
		require.Contains(t, e.Message, "elements of at least 5 bytes in")
	})
	require.Less(t, n, uint64(160<<20), "the server allocated %d bytes for a lying changeset", n)
	_, err := crdt.DecodeChangeset(data)
	require.Error(t, err)
	stillServes(t, srv)
}
