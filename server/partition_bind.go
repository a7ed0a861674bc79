package server

// Binding a session to a partition: the owner, permission and schema
// checks, the reset checks, the Ident, and what the session must download
// first. Every check runs before anything changes, so a refused bind
// leaves nothing behind (no client record, no schema record).

import (
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/protocol"
)

// bindResult is what a successful bind tells the session.
type bindResult struct {
	ident protocol.Ident
	// cursor is the last version the client has (after the bootstrap).
	cursor uint64
	// boot is the state for a fresh client (nil: no bootstrap).
	boot []protocol.StateObject
}

func retryError(format string) *protocol.Error {
	return &protocol.Error{Code: "IO", Action: protocol.ActionRetry, Message: format}
}

func deniedError(msg string) *protocol.Error {
	return &protocol.Error{Code: "PermissionDenied", Action: protocol.ActionFatal, Message: msg}
}

// bind checks a bind and, if the client may sync, subscribes the session.
func (p *partition) bind(s *session, b *protocol.Bind, cs *schema.Schema) (*bindResult, *protocol.Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, retryError("the partition is being restored; reconnect")
	}
	if p.rows != nil {
		if err := p.refreshLocked(b.ClientID); err != nil {
			return nil, retryError("cannot read the partition: " + errMessage(err))
		}
	}
	claims := s.claims.Load()
	if e := p.ownerErrorLocked(b.ClientID, claims.owner()); e != nil {
		return nil, e
	}
	var nextSchema []byte
	if cs != nil {
		if why := incompatibility(p.schema, cs, p.meta.Retired); why != "" {
			return nil, schemaResetError(p.meta.Schema, "breaking schema change: the client's schema differs from the server's: %s", why)
		}
		if j := schemaJSON(schema.Union(p.schema, cs)); string(j) != string(p.meta.Schema) {
			// Only writers shape the schema: a reader's would reset
			// every client onto it.
			if p.name != flexPartition && !claims.CanWrite(p.name) {
				return nil, deniedError("a read-only token cannot define or extend the schema of partition " + quote(p.name))
			}
			nextSchema = j
		}
	}
	if e := p.resumeErrorLocked(b); e != nil {
		return nil, e
	}
	if nextSchema != nil {
		m := cloneMeta(p.meta)
		m.Schema = nextSchema
		if err := p.saveMeta(m); err != nil {
			return nil, retryError("cannot store the partition schema: " + err.Error())
		}
	}
	c, err := p.claimClientLocked(b, claims.owner())
	if err != nil {
		return nil, retryError("cannot store the client's state: " + err.Error())
	}
	c.LastSeen = time.Now().UnixNano()
	latest := p.latest.Load()
	res := &bindResult{
		ident:  protocol.Ident{ClientID: b.ClientID, ServerEpoch: p.meta.Epoch, ServerVersion: latest, UploadedVersion: c.LastCV},
		cursor: b.ServerVersion,
	}
	if b.Flexible {
		// The view starts empty: the first subscription set's bootstrap
		// (Full) sends it, whatever the client held before.
		res.cursor = latest
	} else if b.ServerVersion == 0 && latest > 0 && p.rows != nil {
		// Read in pages as it is sent (sendRowBootstrap).
		res.cursor, res.boot = latest, []protocol.StateObject{}
	} else if b.ServerVersion == 0 && latest > 0 {
		res.cursor = latest
		res.boot = make([]protocol.StateObject, 0, len(p.objects))
		for _, so := range p.objects {
			res.boot = append(res.boot, p.encode(so))
		}
	}
	s.sent.Store(res.cursor) // under p.mu: a trim sees the session with what it is owed
	p.subs[s] = struct{}{}
	return res, nil
}

// ownerErrorLocked refuses a client id bound by another token subject, and
// the server's own writer id. A subject-less token's ids belong to the
// empty subject, so it cannot take over a subject's id, nor the reverse.
// Ids known from before owners were recorded go to the first to bind them.
func (p *partition) ownerErrorLocked(id uint64, subject string) *protocol.Error {
	if id == p.meta.Writer {
		return deniedError("client id " + uitoa(id) + " is the server's own")
	}
	if c := p.clients[id]; c != nil && c.Owned && c.Owner != subject {
		return deniedError("client id " + uitoa(id) + " belongs to another user of partition " + quote(p.name))
	}
	return nil
}

// claimClientLocked returns the client's record for a bind that passed
// every check: a first bind records its owner durably, and a fresh
// client's operator reset is done.
func (p *partition) claimClientLocked(b *protocol.Bind, subject string) (*ClientInfo, error) {
	c := p.clients[b.ClientID]
	next := ClientInfo{ID: b.ClientID}
	if c != nil {
		next = *c
	}
	changed := !next.Owned
	next.Owner, next.Owned = subject, true
	if b.ServerVersion == 0 && next.Reset != "" {
		// A fresh client has done the reset the operator asked for.
		next.Reset, changed = "", true
	}
	if changed {
		if err := p.appendLocked(Record{Client: &next}); err != nil {
			return nil, err
		}
	}
	c = p.client(b.ClientID)
	c.Owner, c.Owned, c.Reset = next.Owner, next.Owned, next.Reset
	return c, nil
}
