package server

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// opsCS builds an uploaded changeset of the given ops and clock reading.
func opsCS(clientID, cv, hlc uint64, ops ...crdt.ChangeOp) protocol.Changeset {
	cs := &crdt.Changeset{Origin: crdt.OriginLocal, Version: cv, Stamp: crdt.Stamp{HLC: hlc, Client: clientID}, Ops: ops}
	return protocol.Changeset{ClientVersion: cv, Data: crdt.EncodeChangeset(cs)}
}

func nowHLC() uint64 { return uint64(time.Now().UnixMilli()) << 16 }

// dogState reads one Dog's fields from the partition state (nil: absent).
func dogState(srv *Server, partition, key string) map[string]any {
	p := srv.existing(partition)
	p.mu.Lock()
	defer p.mu.Unlock()
	objs := p.objects
	if p.rows != nil { // PostgreSQL: the rows
		snap, err := p.rows.Snapshot()
		if err != nil || snap == nil {
			return nil
		}
		objs = map[string]*stateObj{}
		for _, o := range snap.Objects {
			if so, err := decodeStored(o); err == nil {
				objs[objKey(so.class, so.key)] = so
			}
		}
	}
	for _, so := range objs {
		if so.class == "Dog" && string(so.key) == string(value.Append(nil, key)) && so.obj.Exists {
			return cloneMap(so.obj.Fields)
		}
	}
	return nil
}

func setName(key, name string) crdt.ChangeOp {
	return crdt.ChangeOp{Kind: crdt.OpUpdate, Class: "Dog", Key: key, Fields: []crdt.Field{{Name: "name", Value: name}}}
}

// A write stamped at the end of the clock's range would win over every
// later write of every client forever: the server refuses it, and the
// partition is left as it was.
func TestUploadFarFutureStampRefused(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	c.upload(1, dogCS(7, 1, "rex"))
	before := dogState(srv, "p", "rex")
	require.Equal(t, "dog rex", before["name"])

	c.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{
		opsCS(7, 2, nowHLC(), setName("rex", "honest")),
		opsCS(7, 3, math.MaxUint64, setName("rex", "frozen")),
	}}})
	e := c.expectError("ProtocolError", protocol.ActionRetry)
	require.Contains(t, e.Message, "ahead of the server clock")
	require.Equal(t, uint64(1), partitionVersion(srv, "p"), "nothing of the upload integrated")
	require.Equal(t, before, dogState(srv, "p", "rex"))

	// A stamp within the tolerated skew is fine.
	c2 := dial(t, srv)
	c2.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 8})
	c2.upload(1, opsCS(8, 1, nowHLC()+uint64(30*time.Minute/time.Millisecond)<<16, setName("rex", "a bit ahead")))
	require.Equal(t, "a bit ahead", dogState(srv, "p", "rex")["name"])
}
