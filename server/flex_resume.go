package server

// Resuming a flexible session. Every bind used to re-bootstrap the whole
// view (a Full bootstrap of every object in it). A client whose database
// holds its set's view complete, as of its bind's server version V, under
// the rules the server named (viewGen), asks to resume
// (protocol.Subscribe.Have, ViewGen): the first set's Full bootstrap then
// sends in full only the objects the history after V touched, and names
// the others in Download.Kept: they are unchanged since V, so with the
// same set and the same rules they were in the client's view at V exactly
// as they are in it now, and the client holds them as the server does.
//
// Resuming is refused (a Full bootstrap as before) when the set is not the
// first after the bind, V is not the bind's version, the rules changed or
// the server restarted since (viewGen), the history after V is trimmed or
// larger than maxResumeScan (a bootstrap is then no dearer), or it touched
// a class the session's linked filters read (flex_links.go: an object
// untouched since V may have entered or left the view through a link).

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// maxResumeScan bounds the history a resume reads.
const maxResumeScan = 32 << 20

// keptChunk is about how many bytes of kept refs one download carries (a
// variable for tests).
var keptChunk = downloadBytes

// newViewGen returns a random, nonzero name for a rules configuration,
// other than old.
func newViewGen(old uint64) uint64 {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		if g := binary.LittleEndian.Uint64(b[:]); g != 0 && g != old {
			return g
		}
	}
}

// resumable returns the version a set's bootstrap may resume from (0:
// none). Caller holds p.mu.
func (f *flexSession) resumable(sub *protocol.Subscribe) uint64 {
	if f.applied || sub.Have == 0 || sub.Have != f.bindSV || sub.ViewGen != f.s.c.srv.flexible().viewGen {
		return 0
	}
	if sub.Have > f.s.p.latest.Load() || sub.Have < f.s.p.meta.Horizon {
		return 0
	}
	return sub.Have
}

// touchedSince returns the keys of the objects the history in (from, to]
// touched, nil if it cannot be read whole within maxResumeScan.
func (f *flexSession) touchedSince(from, to uint64) map[string]bool {
	p := f.s.p
	touched := map[string]bool{}
	read := 0
	for cur := from; cur < to; {
		recs, err := p.st.History(cur, downloadBytes)
		if err != nil || len(recs) == 0 || recs[0].Version != cur+1 {
			return nil
		}
		for _, r := range recs {
			if r.Version > to {
				return touched
			}
			if read += len(r.Data); read > maxResumeScan {
				return nil
			}
			cs, err := crdt.DecodeChangeset(r.Data)
			if err != nil {
				return nil
			}
			for i := range cs.Ops {
				touched[objKey(cs.Ops[i].Class, value.Append(nil, cs.Ops[i].Key))] = true
			}
			cur = r.Version
		}
	}
	return touched
}

// keepLocked reports whether a Full review of a resumed set names an
// object in view as kept (the client holds it unchanged), and notes it.
func (f *flexSession) keepLocked(k string) bool {
	if f.touchedKeys == nil || f.touchedKeys[k] {
		return false
	}
	f.kept = append(f.kept, refOf(k))
	return true
}

// keptLocked hands over the kept objects of the review just made and ends
// the resume.
func (f *flexSession) keptLocked() []protocol.ObjectRef {
	kept := f.kept
	f.kept, f.touchedKeys = nil, nil
	return kept
}

// sendKept sends a resumed Full bootstrap's kept objects ahead of its
// state, in chunks of about keptChunk bytes (a large view's refs would not
// fit one frame); the state chunks after them complete the bootstrap
// (remaining: their bytes, what progress still expects).
func (f *flexSession) sendKept(version, own uint64, kept []protocol.ObjectRef, remaining int64) bool {
	for len(kept) > 0 {
		n, size := 0, 0
		for n < len(kept) && (n == 0 || size+refSize(&kept[n]) <= keptChunk) {
			size += refSize(&kept[n])
			n++
		}
		d := &protocol.Download{Kept: kept[:n], LastServerVersion: f.s.cursor, Query: version, Full: true, OwnVersion: own, More: true, Remaining: remaining}
		if !f.s.sendDownload(d, 0) {
			return false
		}
		kept = kept[n:]
	}
	return true
}

// refSize is about what an object ref takes on the wire.
func refSize(r *protocol.ObjectRef) int { return len(r.Class) + len(r.Key) + 8 }

// resumeLinkedLocked drops a resume whose history touched a class the
// session's linked subscriptions or read rules read (f.deps, computed
// just before): membership there is not a function of the object alone.
func (f *flexSession) resumeLinkedLocked() {
	if f.touchedKeys == nil || len(f.deps) == 0 {
		return
	}
	for k := range f.touchedKeys {
		if f.deps[refOf(k).Class] {
			f.touchedKeys = nil
			return
		}
	}
}
