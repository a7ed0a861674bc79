package store

import (
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
		return e.installSchema(tx, s)
	case recMeta:
		m, err := decodeMeta(r.payload)
		if err != nil {
			return err
		}
		e.meta = m
		if m[metaSyncing] == 1 {
			return e.ensurePending()
		}
	case recDownload:
		d, err := decodeDownload(r.payload)
		if err != nil {
			return err
		}
		return e.applyDownload(tx, d, nil)
	case recState:
		return loadStateChunk(tx, r.payload)
	case recHistory, recTxn:
		cs, err := decodeChangeset(r.payload)
		if err != nil {
			return err
		}
		if r.typ == recTxn {
			if err := e.applyChangeset(tx, cs, nil); err != nil {
				return err
			}
		} else if e.pending != nil {
			e.indexPending(cs)
		}
		if cs.Origin == OriginLocal {
			e.history = append(e.history, histEntry{version: cs.Version, data: r.payload})
			if cs.Version > e.meta[metaLocalVersion] {
				e.meta[metaLocalVersion] = cs.Version
			}
		}
	default:
		return terror.New(terror.Corrupted, "unknown record type %d", r.typ)
	}
	return nil
}

// A state chunk is an array of key, stored-object pairs (flattened).
func loadStateChunk(tx *buntdb.Tx, b []byte) error {
	n, off, err := value.ReadArrayHeader(b)
	if err != nil || n%2 != 0 {
		return corrupted(err, "state chunk")
	}
	for i := 0; i < n; i += 2 {
		k, kn, err := value.ReadStringBytes(b[off:])
		if err != nil {
			return corrupted(err, "state chunk key")
		}
		off += kn
		v, vn, err := value.ReadStringBytes(b[off:])
		if err != nil {
			return corrupted(err, "state chunk value")
		}
		off += vn
		if _, _, err := tx.Set(string(k), string(v), nil); err != nil {
			return err
		}
	}
	return nil
}
