package engine

import (
	"bytes"
	"github.com/tethersync/tether/internal/crdt"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// load rebuilds the in-memory state from the log: the last snapshot, then
// every transaction since, in one buntdb transaction.
func (e *engine) load() error {
	data, err := e.log.Load()
	if err != nil {
		return err
	}
	recs, validLen, err := parseLog(data)
	if err != nil {
		return err
	}
	switch {
	case validLen == 0:
		if err := e.log.Replace(fileHeader()); err != nil {
			return err
		}
		validLen = headerSize
	case validLen < len(data):
		if err := e.log.Truncate(int64(validLen)); err != nil {
			return err
		}
	}
	e.meta = meta{}
	e.snapBytes = int64(validLen)
	err = e.bunt.Update(func(tx *buntdb.Tx) error {
		e.version.Add(1)
		e.linkIndexOff = true
		defer func() { e.linkIndexOff = false }()
		for _, r := range recs {
			if err := e.replay(tx, r); err != nil {
				return terror.Wrap(terror.Corrupted, err, "replaying record %d", r.seq)
			}
			e.seq = r.seq + 1
			if r.typ == recTxn || r.typ == recDownload {
				size := int64(recHeaderSize + len(r.payload))
				e.tailBytes += size
				e.snapBytes -= size
			}
		}
		e.linkIndexOff = false
		if err := e.rebuildLinkIndex(tx); err != nil {
			return err
		}
		if e.meta[metaClientID] == 0 {
			e.meta[metaClientID] = newClientID()
			return e.appendLocked(recMeta, e.meta.encode())
		}
		return nil
	})
	return err
}

func (e *engine) replay(tx *buntdb.Tx, r walRecord) error {
	switch r.typ {
	case recSchema:
		s, err := schema.FromJSON(r.payload)
		if err != nil {
			return err
		}
		_, err = e.installSchema(tx, s, false)
		return err
	case recMeta:
		m, err := decodeMeta(r.payload)
		if err != nil {
			return err
		}
		e.meta = m
		e.clock.Observe(m[metaClock])
		if m[metaSyncing] == 1 {
			return e.ensurePending()
		}
	case recSubs:
		return setSubs(tx, r.payload)
	case recDownload:
		d, err := decodeDownload(r.payload)
		if err != nil {
			return err
		}
		return e.applyDownload(tx, d, nil, false)
	case recState:
		return loadStateChunk(tx, r.payload, e.tombClasses)
	case recTxn:
		cs, err := decodeChangeset(r.payload)
		if err != nil {
			return err
		}
		if err := e.applyChangeset(tx, cs, nil); err != nil {
			return err
		}
		// Like history below: a write after reopening must beat this one
		// even if the device clock went back.
		e.clock.Observe(cs.Stamp.HLC)
		e.keepHistory(cs.Origin, cs.Version, r.payload)
	case recHistory:
		// Kept, not applied: only the ops of a syncing database's pending
		// index need decoding.
		if e.pending != nil {
			cs, err := decodeChangeset(r.payload)
			if err != nil {
				return err
			}
			e.indexPending(cs)
		}
		origin, version, hlc, err := changesetHeader(r.payload)
		if err != nil {
			return err
		}
		// The clock must move past every stamp the database holds, or a
		// write after reopening could lose to an older one (a peer whose
		// clock ran ahead, or this device's clock set back).
		e.clock.Observe(hlc)
		e.keepHistory(origin, version, r.payload)
	case recSynced:
		se, err := decodeSynced(r.payload)
		if err != nil {
			return err
		}
		e.keepSynced(se.serverVersion, se.data)
	case recFinishReset:
		rcs, err := decodeBinList(r.payload)
		if err != nil {
			return err
		}
		return e.finishReset(tx, rcs, nil)
	case recReset:
		rs, err := decodeResetState(r.payload)
		if err != nil {
			return err
		}
		e.reset = rs
	default:
		return terror.New(terror.Corrupted, "unknown record type %d", r.typ)
	}
	return nil
}

// keepHistory keeps a replayed local changeset as unsynced history. The
// payload is copied: it points into the whole log file read at open,
// which must not stay alive for it.
func (e *engine) keepHistory(origin Origin, version uint64, payload []byte) {
	if origin != OriginLocal && origin != OriginRecovered {
		return
	}
	e.history = append(e.history, histEntry{version: version, data: bytes.Clone(payload)})
	if version > e.meta[metaLocalVersion] {
		e.meta[metaLocalVersion] = version
	}
}

// changesetHeader reads the origin and version of an encoded changeset
// (crdt.EncodeChangeset: [origin, version, hlc, client, ops]) without
// walking its ops: the record's checksum already vouches for them, and
// whatever later decodes them (ensurePending, settle) still checks.
func changesetHeader(b []byte) (Origin, uint64, uint64, error) {
	head, err := crdt.DecodeChangesetHeader(b)
	if err != nil {
		return 0, 0, 0, corrupted(err, "changeset")
	}
	return head.Origin, head.Version, head.Stamp.HLC, nil
}

// A state chunk is an array of key, stored-object pairs (flattened).
// tombs collects the classes of the tombstones among them.
func loadStateChunk(tx *buntdb.Tx, b []byte, tombs map[string]bool) error {
	r := value.NewStrictReader(b)
	n, _ := r.ArrayLen(1)
	if n%2 != 0 {
		r.Failf("%d items, not key-value pairs", n)
	}
	for i := 0; i < n && r.Err() == nil; i += 2 {
		k, v := r.Key(), r.Key()
		if r.Err() != nil {
			break
		}
		if len(k) > 2 && k[0] == 't' && k[1] == ':' {
			if i := bytes.IndexByte(k[2:], ':'); i >= 0 && !tombs[string(k[2:2+i])] {
				tombs[string(k[2:2+i])] = true
			}
		}
		if _, _, err := tx.Set(string(k), string(v), nil); err != nil {
			return err
		}
	}
	if err := r.Done(); err != nil {
		return corrupted(err, "state chunk")
	}
	return nil
}
