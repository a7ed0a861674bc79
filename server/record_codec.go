package server

// Bounded decoding of the stored files (log records, snapshot headers and
// batches). They are written with msgpack.Marshal, but read by hand on
// core/value's readers: msgpack v5.4.1 pre-allocates a slice by the length
// a file claims (its alloc limit never applies), so one damaged or hostile
// length could run the server out of memory. Here every length is bounded
// by the bytes that remain, nothing is pre-allocated from a claimed count,
// and unknown keys are skipped (value.Skip bounds their nesting).

import (
	"math"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// end checks that the whole input was one item, and names the damage.
func end(d *value.Reader, what string) error {
	if err := d.Done(); err != nil {
		return terror.Wrap(terror.Corrupted, err, "%s", what)
	}
	return nil
}

func readHistory(d *value.Reader) *HistoryRecord {
	h := &HistoryRecord{}
	d.Fields(func(k []byte) bool {
		switch string(k) {
		case "v":
			h.Version = d.Uint()
		case "c":
			h.ClientID = d.Uint()
		case "cv":
			h.ClientVersion = d.Uint()
		case "t":
			h.Time = d.Int()
		case "d":
			h.Data = d.Bytes()
		default:
			return false
		}
		return true
	})
	if d.Err() == nil && len(h.Data) == 0 {
		d.Failf("a history record without data") // and a bound on memory, as for objects
	}
	return h
}

func readMeta(d *value.Reader) Meta {
	var m Meta
	d.Fields(func(k []byte) bool {
		switch string(k) {
		case "e":
			m.Epoch = d.Uint()
		case "es":
			m.Epochs = map[uint64]EpochInfo{}
			if !d.Map(func() {
				id := d.Uint()
				var ei EpochInfo
				d.Fields(func(k []byte) bool {
					switch string(k) {
					case "p":
						ei.Parent = d.Uint()
					case "b":
						ei.Base = d.Uint()
					case "k":
						ei.Kind = uint8(d.UintN(math.MaxUint8))
					default:
						return false
					}
					return true
				})
				m.Epochs[id] = ei
			}) {
				m.Epochs = nil
			}
		case "s":
			m.Schema = d.Bytes()
		case "r":
			m.Retired = map[string]string{}
			if !d.Map(func() {
				k := d.Str()
				m.Retired[k] = d.Str()
			}) {
				m.Retired = nil
			}
		case "h":
			m.Horizon = d.Uint()
		case "w":
			m.Writer = d.Uint()
		default:
			return false
		}
		return true
	})
	return m
}

func readClient(d *value.Reader) ClientInfo {
	var c ClientInfo
	d.Fields(func(k []byte) bool {
		switch string(k) {
		case "id":
			c.ID = d.Uint()
		case "cv":
			c.LastCV = d.Uint()
		case "sv":
			c.LastSV = d.Uint()
		case "seen":
			c.LastSeen = d.Int()
		case "reset":
			c.Reset = d.Str()
		case "own":
			c.Owner = d.Str()
		case "owned":
			c.Owned = d.Bool()
		default:
			return false
		}
		return true
	})
	return c
}

func readObject(d *value.Reader) crdt.StateObject {
	var o crdt.StateObject
	d.Fields(func(k []byte) bool {
		switch string(k) {
		case "c":
			o.Class = d.Str()
		case "k":
			o.Key = d.Bytes()
		case "f":
			o.Fields = d.Bytes()
		case "ts":
			o.Tombstone = d.Bytes()
		default:
			return false
		}
		return true
	})
	// Every object has a class and a key: this also keeps a run of empty
	// maps from growing into many times its size in memory.
	if d.Err() == nil && (o.Class == "" || len(o.Key) == 0) {
		d.Failf("an object without a class or key")
	}
	return o
}

// decodeRecord decodes a log record (exactly one field set).
func decodeRecord(b []byte) (Record, error) {
	d := value.NewReader(b)
	var r Record
	set := 0
	d.Fields(func(k []byte) bool {
		if d.Nil() {
			return true // an empty pointer field
		}
		switch string(k) {
		case "h":
			r.History = readHistory(d)
		case "m":
			m := readMeta(d)
			r.Meta = &m
		case "c":
			c := readClient(d)
			r.Client = &c
		default:
			return false
		}
		set++
		return true
	})
	if d.Err() == nil && set != 1 {
		d.Failf("a record with %d fields set", set)
	}
	return r, end(d, "log record")
}

func decodeSnapHeader(b []byte) (snapHeader, error) {
	d := value.NewReader(b)
	var h snapHeader
	d.Fields(func(k []byte) bool {
		switch string(k) {
		case "p":
			h.Partition = d.Str()
		case "v":
			h.Version = d.Uint()
		case "q":
			h.Seq = d.Uint()
		case "m":
			h.Meta = readMeta(d)
		case "c":
			h.Clients = []ClientInfo{}
			if !d.Array(func() { h.Clients = append(h.Clients, readClient(d)) }) {
				h.Clients = nil
			}
		case "no":
			h.Objects = d.Count()
		case "nh":
			h.History = d.Count()
		default:
			return false
		}
		return true
	})
	return h, end(d, "snapshot header")
}

func decodeSnapBatch(b []byte) (snapBatch, error) {
	d := value.NewReader(b)
	var sb snapBatch
	d.Fields(func(k []byte) bool {
		switch string(k) {
		case "o":
			d.Array(func() { sb.Objects = append(sb.Objects, readObject(d)) }) // nil or empty: appended alike
		case "h":
			d.Array(func() { sb.History = append(sb.History, *readHistory(d)) })
		default:
			return false
		}
		return true
	})
	return sb, end(d, "snapshot batch")
}
