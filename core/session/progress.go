package session

import (
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/protocol"
)

// Progress notifications, as Realm's SyncSession progress notifiers:
// every binding reaches them through internal/boundary, so these are the only
// rules.
//
// Counters. Per direction the session counts bytes since it started:
//
//   - transferred: upload, the bytes of local changesets the server has
//     acknowledged; download, the bytes of downloads applied, in the
//     server's measure (Download.Size, in Remaining's units).
//   - transferable: transferred plus what is known to be outstanding.
//     Upload: the local changesets not yet acknowledged, known locally at
//     all times. Download: the server's Remaining after the last download
//     applied. The download outstanding is known only once the server has
//     spoken on the current connection (an Ident with nothing to send, or
//     the first Download after it); before that — offline, paused,
//     connecting, a bootstrap or catch-up whose size has not arrived — it
//     is unknown, and a value from an earlier connection is stale.
//
// Listeners. A new listener is called at once when its direction's
// outstanding work is known (upload: always; download: once the server
// spoke on this connection), else at the first moment it is; then at
// every transfer in its direction. Each call carries Transferred,
// Transferable and Estimate:
//
//   - CurrentChanges (Realm's forCurrentlyOutstandingWork): Transferable
//     is fixed at the work outstanding when the listener was added — for
//     a download added before its size is known, when the size is first
//     known — and the Estimate covers that work only: (transferred -
//     transferred when added) / (fixed transferable - transferred when
//     added). It is done when transferred reaches the fixed amount (or the
//     direction has nothing outstanding at all): one last call with
//     Estimate 1, then it is removed. With nothing outstanding when added
//     it is done at once. A download listener whose connection drops
//     before it is done is fixed again (never lower) when the next
//     connection's size is known: a bootstrap starts over after a drop.
//   - Indefinitely (Realm's reportIndefinitely): Transferable grows with
//     new work, and the Estimate covers the work in flight now: the bytes
//     transferred since the direction last had nothing outstanding, over
//     the bytes outstanding since then (1 when nothing is outstanding).
//
// Estimates are in [0, 1] and never count work finished before the
// listener's batch began: an upload after a large bootstrap starts at 0,
// not at the share the bootstrap makes of everything since the start.
type progressState struct {
	up, down     flow
	ackedVersion uint64
}

// flow is one direction's counters.
type flow struct {
	transferred, transferable int64
	// known: the outstanding amount is current (see above).
	known bool
	// base is transferred when the direction last had nothing outstanding:
	// the start of the work in flight now.
	base int64
}

func (f *flow) idle() bool { return f.transferred >= f.transferable }

// settle keeps the invariants after a change: transferable is never below
// transferred, and base follows transferred while nothing is outstanding.
func (f *flow) settle() {
	if f.transferable <= f.transferred {
		f.transferable = f.transferred
		f.base = f.transferred
	}
}

func (p *progressState) flow(d Direction) *flow {
	if d == Upload {
		return &p.up
	}
	return &p.down
}

// init counts the changes committed before the session started (offline
// writes) as to upload.
func (p *progressState) init(db *engine.DB, st engine.SyncState) {
	p.ackedVersion = st.UploadedVersion
	p.up.known = true
	if pend, err := db.PendingUploads(st.UploadedVersion, 1<<30); err == nil {
		for _, c := range pend {
			p.up.transferable += int64(len(c.Data))
		}
	}
}

func mkProgress(d Direction, done, total, base int64) Progress {
	est := 1.0
	if total > done {
		est = 0
		if span := total - base; span > 0 && done > base {
			est = float64(done-base) / float64(span)
		}
	}
	return Progress{Direction: d, Transferred: done, Transferable: total, Estimate: est}
}

// report is what listener l is told now; done means it has had its last
// call (a CurrentChanges listener whose work is transferred). It fixes a
// CurrentChanges listener's amount on its first report. The caller holds
// s.mu and knows f is known.
func (l *progressListener) report(f *flow) (Progress, bool) {
	if l.mode != CurrentChanges {
		return mkProgress(l.dir, f.transferred, f.transferable, f.base), false
	}
	if !l.fixed {
		l.fixed, l.target = true, f.transferable
	} else if l.refix {
		l.target = max(l.target, f.transferable)
	}
	l.refix = false
	if f.transferred >= l.target || f.idle() {
		return mkProgress(l.dir, l.target, l.target, l.base), true
	}
	return mkProgress(l.dir, f.transferred, l.target, l.base), false
}

// committed adds a new local changeset to what is to upload. It runs on
// the committing goroutine.
func (p *progressState) committed(s *Session, size int) {
	s.mu.Lock()
	p.up.transferable += int64(size)
	p.up.settle()
	s.mu.Unlock()
}

// uploaded counts what the last acknowledgement covered: everything
// committed minus what is still pending.
func (p *progressState) uploaded(s *Session) {
	pend, err := s.db.PendingUploads(s.uploaded, 1<<30)
	if err != nil {
		return
	}
	remaining := int64(0)
	for _, c := range pend {
		remaining += int64(len(c.Data))
	}
	s.mu.Lock()
	if done := p.up.transferable - remaining; done > p.up.transferred {
		p.up.transferred = done
	}
	p.up.settle()
	s.mu.Unlock()
	s.notifyProgress(Upload, false)
}

// downloaded counts an applied download of n bytes, remaining after it.
func (p *progressState) downloaded(s *Session, n, remaining int64) {
	s.mu.Lock()
	p.down.transferred += n
	p.down.transferable = p.down.transferred + max(remaining, 0)
	p.down.settle()
	p.down.known = true
	s.mu.Unlock()
	s.notifyProgress(Download, false)
}

// downloadKnown: the server said there is nothing to download (an Ident
// at the client's own server version). Listeners waiting for a known size
// are called; the others heard nothing new.
func (p *progressState) downloadKnown(s *Session) {
	s.mu.Lock()
	p.down.transferable = p.down.transferred
	p.down.settle()
	p.down.known = true
	s.mu.Unlock()
	s.notifyProgress(Download, true)
}

// disconnected forgets the download outstanding (stale on the next
// connection). CurrentChanges download listeners not yet done wait for
// the next known size to be fixed again.
func (p *progressState) disconnected(s *Session) {
	s.mu.Lock()
	p.down.known = false
	p.down.transferable = p.down.transferred
	p.down.settle()
	for _, l := range s.listeners.progress {
		if l.dir == Download && l.mode == CurrentChanges && l.fixed {
			l.refix, l.started = true, false
		}
	}
	s.mu.Unlock()
}

// notifyProgress calls the listeners of one direction (onlyNew: only
// those not called since their size became known); CurrentChanges
// listeners that are done are removed after their last call.
func (s *Session) notifyProgress(d Direction, onlyNew bool) {
	s.mu.Lock()
	f := s.progress.flow(d)
	if f.known {
		for id, l := range s.listeners.progress {
			if l.dir == d && (!onlyNew || !l.started) {
				s.deliverProgress(id, l, f)
			}
		}
	}
	s.mu.Unlock()
	s.deliveries.Drain()
}

// deliverProgress queues one report to l (s.mu held).
func (s *Session) deliverProgress(id int, l *progressListener, f *flow) {
	p, done := l.report(f)
	l.started = true
	if done {
		delete(s.listeners.progress, id)
	}
	fn := l.fn
	s.deliveries.Enqueue(func() { fn(p) })
}

// downloadBytes is a download's size in the server's measure: its Size
// when the server sent one, else the same sum the server makes
// (protocol.StateObjectSize, changeset data).
func downloadBytes(d *protocol.Download) int64 {
	if d.Size > 0 {
		return d.Size
	}
	return protocol.PayloadSize(d.State, d.Changesets)
}
