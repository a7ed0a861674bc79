package server

// When a client cannot resume: the client-reset triggers checked at bind.
//
// Epochs. Within one epoch a server version always names the same
// changeset: versions are only ever appended. A restore from backup goes
// back to an older version and would reissue the versions after it with
// other content, so every restore starts a new epoch whose parent is the
// backup's epoch and whose base is the backup's version. Every partition
// remembers all its epochs (a family tree), so for a client's (epoch,
// server version) the server knows up to which version the client's
// history and its own agree: the common prefix of their two lineages.
// A client beyond that point holds changes the server lost: it resets,
// and RestoredVersion tells it where the server went back to.

import (
	"fmt"
	"math"

	"github.com/tethersync/tether/internal/protocol"
)

// lineage lists an epoch's ancestry root first, nil if the epoch is
// unknown (a history this partition never had, e.g. a wiped server).
func (p *partition) lineage(e uint64) []uint64 {
	var out []uint64
	for i := 0; e != 0; i++ {
		info, ok := p.meta.Epochs[e]
		if !ok || i > len(p.meta.Epochs) {
			return nil
		}
		out = append(out, e)
		e = info.Parent
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// agreement is the last version at which epoch e's history and the
// current one are the same (MaxUint64: e is the current epoch), and
// whether an operator reset happened on the way from e to the current one.
func (p *partition) agreement(e uint64) (upTo uint64, operatorReset bool) {
	cur := p.meta.Epoch
	if e == cur {
		return math.MaxUint64, false
	}
	a, b := p.lineage(e), p.lineage(cur)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == 0 {
		return 0, false
	}
	upTo = math.MaxUint64
	if i < len(a) {
		upTo = p.meta.Epochs[a[i]].Base
	}
	if i < len(b) {
		upTo = min(upTo, p.meta.Epochs[b[i]].Base)
	}
	for _, x := range b[i:] {
		if p.meta.Epochs[x].Kind == epochReset {
			operatorReset = true
		}
	}
	return upTo, operatorReset
}

func resetError(rv uint64, format string, args ...any) *protocol.Error {
	return &protocol.Error{Code: "ClientReset", Action: protocol.ActionReset, RestoredVersion: rv,
		Message: fmt.Sprintf(format, args...)}
}

// restoredError is a reset after a restore: the client's changes the
// server integrated after version rv are lost on the server.
func restoredError(rv uint64, format string, args ...any) *protocol.Error {
	e := resetError(rv, format, args...)
	e.Restored = true
	return e
}

// schemaResetError is a reset after a breaking schema change; it carries
// the partition's schema for the reset database to adopt.
func schemaResetError(partitionSchema []byte, format string, args ...any) *protocol.Error {
	e := resetError(0, format, args...)
	e.Schema = partitionSchema
	return e
}

// resumeErrorLocked decides whether a client binding with a server version
// can resume, checking the triggers in this order: an operator's request,
// a restore from backup (the client is ahead of the server), the history
// horizon. A fresh client (it has neither downloaded nor uploaded
// anything) always can; a client that uploaded but paused before its first
// download is not fresh: the server may have lost what it uploaded.
func (p *partition) resumeErrorLocked(b *protocol.Bind) *protocol.Error {
	if b.ServerVersion == 0 && b.UploadedVersion == 0 {
		return nil
	}
	c := p.clients[b.ClientID]
	if c != nil && c.Reset != "" {
		return resetError(0, "client reset requested by an operator: %s", c.Reset)
	}
	e := b.ServerEpoch
	if e == 0 {
		e = p.meta.Epoch // a client that does not track epochs: assume the current one
	}
	latest := p.latest.Load()
	upTo, opReset := p.agreement(e)
	limit := min(upTo, latest)
	var lastCV uint64
	if c != nil {
		lastCV = c.LastCV
	}
	switch {
	case upTo == 0:
		return restoredError(0, "server restored or replaced: it does not know this client's history (epoch %d, server version %d)", e, b.ServerVersion)
	case b.ServerVersion > limit:
		return restoredError(limit, "server restored from a backup: the client is at server version %d, the server went back to version %d", b.ServerVersion, limit)
	case b.UploadedVersion > lastCV:
		return restoredError(limit, "server restored from a backup: it has this client's changes up to client version %d, the client uploaded up to %d", lastCV, b.UploadedVersion)
	case opReset:
		return resetError(0, "client reset requested by an operator for every client of partition %q", p.name)
	case b.ServerVersion < p.meta.Horizon:
		return resetError(0, "history trimmed: the client is at server version %d but the server keeps history only after version %d (offline longer than the max offline time, or trimmed by an operator)", b.ServerVersion, p.meta.Horizon)
	}
	return nil
}
