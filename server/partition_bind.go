package server

// Binding a session to a partition: the schema check, the reset checks,
// the Ident, and what the session must download first.

import (
	"time"

	"github.com/tethersync/tether/core/protocol"
	"github.com/tethersync/tether/core/schema"
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

// bind checks a bind and, if the client may sync, subscribes the session.
func (p *partition) bind(s *session, b *protocol.Bind, cs *schema.Schema) (*bindResult, *protocol.Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, retryError("the partition is being restored; reconnect")
	}
	if cs != nil {
		if why := incompatibility(p.schema, cs, p.meta.Retired); why != "" {
			return nil, schemaResetError(p.meta.Schema, "breaking schema change: the client's schema differs from the server's: %s", why)
		}
		next, err := unionSchema(p.schema, cs)
		if err != nil {
			return nil, &protocol.Error{Code: "SchemaMismatch", Action: protocol.ActionFatal, Message: err.Error()}
		}
		if j := schemaJSON(next); string(j) != string(p.meta.Schema) {
			m := cloneMeta(p.meta)
			m.Schema = j
			if err := p.saveMeta(m); err != nil {
				return nil, retryError("cannot store the partition schema: " + err.Error())
			}
		}
	}
	if e := p.resumeErrorLocked(b); e != nil {
		return nil, e
	}
	c := p.client(b.ClientID)
	if b.ServerVersion == 0 && c.Reset != "" {
		// A fresh client has done the reset the operator asked for.
		cleared := *c
		cleared.Reset = ""
		if err := p.appendLocked(Record{Client: &cleared}); err != nil {
			return nil, retryError("cannot store the client's state: " + err.Error())
		}
		c.Reset = ""
	}
	c.LastSeen = time.Now().UnixNano()
	latest := p.latest.Load()
	res := &bindResult{
		ident:  protocol.Ident{ClientID: b.ClientID, ServerEpoch: p.meta.Epoch, ServerVersion: latest, UploadedVersion: c.LastCV},
		cursor: b.ServerVersion,
	}
	if b.ServerVersion == 0 && latest > 0 {
		res.cursor = latest
		res.boot = make([]protocol.StateObject, 0, len(p.objects))
		for _, so := range p.objects {
			o := p.encode(so)
			res.boot = append(res.boot, protocol.StateObject{Class: o.Class, Key: o.Key, Fields: o.Fields, Tombstone: o.Tombstone})
		}
	}
	s.sent.Store(res.cursor) // under p.mu: a trim sees the session with what it is owed
	p.subs[s] = struct{}{}
	return res, nil
}
