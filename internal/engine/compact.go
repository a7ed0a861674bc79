package engine

import (
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/failpoint"
)

const (
	stateChunkBytes = 1 << 20
	// compactMinTail: below this much log since the last snapshot,
	// compaction is not worth a rewrite.
	compactMinTail = 4 << 20
)

// maybeCompact rewrites the log as a snapshot when the transactions since
// the last one outweigh it.
func (e *engine) maybeCompact() error {
	if e.tailBytes < compactMinTail || e.tailBytes < e.snapBytes {
		return nil
	}
	return e.compact()
}

// compact writes the whole state as a new log and swaps it in
// atomically. It holds a buntdb read transaction throughout, so no commit
// lands in the old log meanwhile.
func (e *engine) compact() error {
	return e.bunt.View(func(tx *buntdb.Tx) error {
		e.meta[metaClock] = e.clock.Last()
		out, seq := e.snapshot(tx, e.meta)
		if err := failpoint.Inject("store/snapshot/start"); err != nil {
			return ioErr(err, "store/snapshot/start")
		}
		if err := e.log.Replace(out); err != nil {
			if logInDoubt(err) {
				// The new log may or may not survive a power cut; appending
				// to it (or the old one) could lose commits.
				e.setBroken(err)
			}
			return err
		}
		e.seq, e.snapBytes, e.tailBytes = seq, int64(len(out)), 0
		return nil
	})
}

// snapshot renders the database as a log of its own: schema, meta (m),
// state chunks, unsynced history and the retained synced history. It
// returns the bytes and the next record sequence.
func (e *engine) snapshot(tx *buntdb.Tx, m meta) ([]byte, uint64) {
	var seq uint64
	out := fileHeader()
	add := func(t recType, p []byte) {
		out = appendRecord(out, seq, t, p)
		seq++
	}
	add(recSchema, e.schema.ToJSON())
	add(recMeta, m.encode())
	var chunk []byte
	count := 0
	flush := func() {
		if count > 0 {
			add(recState, append(value.AppendArrayHeader(nil, 2*count), chunk...))
		}
		chunk, count = chunk[:0], 0
	}
	tx.Ascend("", func(k, v string) bool {
		if strings.HasPrefix(k, linkIndexPrefix) || strings.HasPrefix(k, textIndexPrefix) {
			return true // derived: load rebuilds it
		}
		chunk = value.AppendString(chunk, k)
		chunk = value.AppendString(chunk, v)
		count++
		if len(chunk) >= stateChunkBytes {
			flush()
		}
		return true
	})
	flush()
	for _, h := range e.synced {
		add(recSynced, encodeSynced(h))
	}
	for _, h := range e.history {
		add(recHistory, h.data)
	}
	if e.reset != nil {
		add(recReset, e.reset.encode())
	}
	return out, seq
}
