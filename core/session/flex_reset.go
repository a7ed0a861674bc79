package session

// Client reset in flexible mode. The subscription set survives the reset
// (the engine keeps it in the fresh database) and goes back to pending:
// the fresh client's first bind re-bootstraps it, so it passes through
// bootstrapping to complete again, and the reset finishes with that
// Full bootstrap (not with the Ident, nor a download before it).
//
// Recovery replays the unsynced ops locally, as in partition mode, but
// only the server knows its rules: the ops it refuses (PermissionDenied,
// or a write outside the view) come back in a CompensatingWrite naming
// each op. So the after-reset event waits until the recovered changesets
// are acknowledged (the server sends its refusals before the UploadOK)
// and reports each refused op in Dropped with reason PermissionDenied;
// the objects themselves return to the server's state through the
// server's reverts, as for any refused write.

import (
	"encoding/json"
	"math"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/protocol"
)

// resetAfter is an after-reset event held until the recovered changesets
// (client versions up to target) are acknowledged.
type resetAfter struct {
	ev     reset.Event
	target uint64
	data   map[uint64][]byte // the recovered changesets, by client version
}

// bootstrapAgain puts the latest version of the set back to pending, in
// memory and in the database: the fresh database has none of its objects.
func (x *Subscriptions) bootstrapAgain() {
	defer x.s.deliveries.Drain()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.keep = nil
	if x.set.Completed != 0 || x.set.ViewGen != 0 {
		x.set.Completed, x.set.ViewGen = 0, 0
		if b, err := json.Marshal(x.set); err == nil {
			x.s.db.SetSubscriptions(b) // best effort: a stale completion only says complete early after a restart
		}
	}
	x.setLocked(SubscriptionPending, nil)
}

// holdResetAfter keeps the after event of a flexible recovery until the
// server has answered its recovered changesets; false (emit it now) when
// there are none to wait for.
func (s *Session) holdResetAfter(ev reset.Event) bool {
	if s.subs == nil || ev.Mode != reset.AppliedRecover {
		return false
	}
	pend, err := s.db.PendingUploads(s.uploaded, math.MaxInt)
	if err != nil || len(pend) == 0 {
		return false
	}
	h := &resetAfter{ev: ev, data: map[uint64][]byte{}}
	for _, p := range pend {
		h.data[p.Version] = p.Data
		h.target = max(h.target, p.Version)
	}
	s.resetAfter = h
	return true
}

// recoveryRefused notes the refused ops of a held recovery as dropped.
func (s *Session) recoveryRefused(objs []protocol.Refused) {
	h := s.resetAfter
	if h == nil {
		return
	}
	for _, r := range objs {
		data, ok := h.data[r.ClientVersion]
		if !ok {
			continue // not a recovered changeset (or a server that does not name ops)
		}
		d, err := engine.RefusedOps(data, int(r.Op), reset.ReasonPermissionDenied)
		if err != nil {
			continue
		}
		h.ev.Dropped = append(h.ev.Dropped, d...)
	}
}

// releaseResetAfter sends a held after event once the server has
// acknowledged the recovered changesets (acked: the highest acknowledged
// client version).
func (s *Session) releaseResetAfter(acked uint64) {
	h := s.resetAfter
	if h == nil || acked < h.target {
		return
	}
	s.resetAfter = nil
	s.emitAfter(h.ev)
}

// resumeLocked is what a Subscribe after a bind at server version sv
// says about the database (flex_resume.go): the version and rules its
// view is complete under, if this very set's is; else zeros.
func (x *Subscriptions) resumeLocked(sv uint64) (have, viewGen uint64) {
	if sv == 0 || x.set.ViewGen == 0 || x.set.Version == 0 || x.set.Completed != x.set.Version || x.state != SubscriptionComplete {
		return 0, 0
	}
	return sv, x.set.ViewGen
}
