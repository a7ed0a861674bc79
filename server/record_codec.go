package server

// Bounded decoding of the stored files (log records, snapshot headers and
// batches). They are written with msgpack.Marshal, but read by hand on
// core/value's readers: msgpack v5.4.1 pre-allocates a slice by the length
// a file claims (its alloc limit never applies), so one damaged or hostile
// length could run the server out of memory. Here every length is bounded
// by the bytes that remain, nothing is pre-allocated from a claimed count,
// and unknown keys are skipped (value.Skip bounds their nesting).

import (
	"bytes"
	"fmt"
	"math"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// dec reads msgpack from b; the first error sticks and every later read
// returns zero values, so callers check d.err once at the end.
type dec struct {
	b   []byte
	off int
	err error
}

func (d *dec) fail(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

func (d *dec) rest() []byte {
	if d.err != nil {
		return nil
	}
	return d.b[d.off:]
}

// null consumes a nil if one is next.
func (d *dec) null() bool {
	if r := d.rest(); len(r) > 0 && r[0] == 0xc0 {
		d.off++
		return true
	}
	return false
}

func (d *dec) uint() uint64 {
	if d.err != nil || d.null() {
		return 0
	}
	u, n, err := value.ReadUint(d.rest())
	d.fail(err)
	d.off += n
	return u
}

func (d *dec) int() int64 {
	if d.err != nil || d.null() {
		return 0
	}
	i, n, err := value.ReadInt(d.rest())
	d.fail(err)
	d.off += n
	return i
}

func (d *dec) boolean() bool {
	if d.err != nil {
		return false
	}
	v, n, err := value.ReadBool(d.rest())
	if err != nil {
		d.fail(err)
		return false
	}
	d.off += n
	return v
}

func (d *dec) uint8() uint8 {
	u := d.uint()
	if u > math.MaxUint8 {
		d.fail(malformedf("%d does not fit a byte", u))
	}
	return uint8(u)
}

func (d *dec) str() string {
	if d.err != nil || d.null() {
		return ""
	}
	s, n, err := value.ReadStringBytes(d.rest())
	d.fail(err)
	d.off += n
	return string(s)
}

// bytes copies binary data: the record outlives the buffer it was read from.
func (d *dec) bytes() []byte {
	if d.err != nil {
		return nil
	}
	p, n, err := value.ReadBytes(d.rest())
	d.fail(err)
	d.off += n
	if p == nil {
		return nil
	}
	return bytes.Clone(p)
}

func (d *dec) skip() {
	if d.err != nil {
		return
	}
	n, err := value.Skip(d.rest())
	d.fail(err)
	d.off += n
}

// array reads an array header and calls each once per element; false for
// nil (msgpack's own decoder keeps nil and empty apart too).
func (d *dec) array(each func()) bool {
	if d.err != nil || d.null() {
		return false
	}
	n, h, err := value.ReadArrayHeader(d.rest())
	d.fail(err)
	d.off += h
	for i := 0; i < n && d.err == nil; i++ {
		each()
	}
	return true
}

// mapN reads a map header and calls each once per pair (each reads the key
// and the value); false for nil.
func (d *dec) mapN(each func()) bool {
	if d.err != nil || d.null() {
		return false
	}
	n, h, err := value.ReadMapHeader(d.rest())
	d.fail(err)
	d.off += h
	for i := 0; i < n && d.err == nil; i++ {
		each()
	}
	return true
}

// fields reads a struct (a map of string keys): each gets a key and must
// read its value or return false to have it skipped.
func (d *dec) fields(each func(key string) bool) {
	d.mapN(func() {
		if !each(d.str()) {
			d.skip()
		}
	})
}

// end checks that the whole input was one item.
func (d *dec) end(what string) error {
	if d.err == nil && d.off != len(d.b) {
		d.fail(malformedf("%d bytes after the item", len(d.b)-d.off))
	}
	if d.err != nil {
		return terror.Wrap(terror.Corrupted, d.err, "%s", what)
	}
	return nil
}

func malformedf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func (d *dec) history() *HistoryRecord {
	h := &HistoryRecord{}
	d.fields(func(k string) bool {
		switch k {
		case "v":
			h.Version = d.uint()
		case "c":
			h.ClientID = d.uint()
		case "cv":
			h.ClientVersion = d.uint()
		case "t":
			h.Time = d.int()
		case "d":
			h.Data = d.bytes()
		default:
			return false
		}
		return true
	})
	if d.err == nil && len(h.Data) == 0 {
		d.fail(malformedf("a history record without data")) // and a bound on memory, as for objects
	}
	return h
}

func (d *dec) meta() Meta {
	var m Meta
	d.fields(func(k string) bool {
		switch k {
		case "e":
			m.Epoch = d.uint()
		case "es":
			m.Epochs = map[uint64]EpochInfo{}
			if !d.mapN(func() {
				id := d.uint()
				var ei EpochInfo
				d.fields(func(k string) bool {
					switch k {
					case "p":
						ei.Parent = d.uint()
					case "b":
						ei.Base = d.uint()
					case "k":
						ei.Kind = d.uint8()
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
			m.Schema = d.bytes()
		case "r":
			m.Retired = map[string]string{}
			if !d.mapN(func() {
				k := d.str()
				m.Retired[k] = d.str()
			}) {
				m.Retired = nil
			}
		case "h":
			m.Horizon = d.uint()
		case "w":
			m.Writer = d.uint()
		default:
			return false
		}
		return true
	})
	return m
}

func (d *dec) client() ClientInfo {
	var c ClientInfo
	d.fields(func(k string) bool {
		switch k {
		case "id":
			c.ID = d.uint()
		case "cv":
			c.LastCV = d.uint()
		case "sv":
			c.LastSV = d.uint()
		case "seen":
			c.LastSeen = d.int()
		case "reset":
			c.Reset = d.str()
		case "own":
			c.Owner = d.str()
		case "owned":
			c.Owned = d.boolean()
		default:
			return false
		}
		return true
	})
	return c
}

func (d *dec) object() StoredObject {
	var o StoredObject
	d.fields(func(k string) bool {
		switch k {
		case "c":
			o.Class = d.str()
		case "k":
			o.Key = d.bytes()
		case "f":
			o.Fields = d.bytes()
		case "ts":
			o.Tombstone = d.bytes()
		default:
			return false
		}
		return true
	})
	// Every object has a class and a key: this also keeps a run of empty
	// maps from growing into many times its size in memory.
	if d.err == nil && (o.Class == "" || len(o.Key) == 0) {
		d.fail(malformedf("an object without a class or key"))
	}
	return o
}

// decodeRecord decodes a log record (exactly one field set).
func decodeRecord(b []byte) (Record, error) {
	d := &dec{b: b}
	var r Record
	set := 0
	d.fields(func(k string) bool {
		if d.null() {
			return true // an empty pointer field
		}
		switch k {
		case "h":
			r.History = d.history()
		case "m":
			m := d.meta()
			r.Meta = &m
		case "c":
			c := d.client()
			r.Client = &c
		default:
			return false
		}
		set++
		return true
	})
	if d.err == nil && set != 1 {
		d.fail(malformedf("a record with %d fields set", set))
	}
	return r, d.end("log record")
}

func decodeSnapHeader(b []byte) (snapHeader, error) {
	d := &dec{b: b}
	var h snapHeader
	d.fields(func(k string) bool {
		switch k {
		case "p":
			h.Partition = d.str()
		case "v":
			h.Version = d.uint()
		case "q":
			h.Seq = d.uint()
		case "m":
			h.Meta = d.meta()
		case "c":
			h.Clients = []ClientInfo{}
			if !d.array(func() { h.Clients = append(h.Clients, d.client()) }) {
				h.Clients = nil
			}
		case "no":
			h.Objects = d.count()
		case "nh":
			h.History = d.count()
		default:
			return false
		}
		return true
	})
	return h, d.end("snapshot header")
}

// count reads a non-negative element count.
func (d *dec) count() int {
	u := d.uint()
	if u > math.MaxInt32 {
		d.fail(malformedf("count %d", u))
	}
	return int(u)
}

func decodeSnapBatch(b []byte) (snapBatch, error) {
	d := &dec{b: b}
	var sb snapBatch
	d.fields(func(k string) bool {
		switch k {
		case "o":
			d.array(func() { sb.Objects = append(sb.Objects, d.object()) }) // nil or empty: appended alike
		case "h":
			d.array(func() { sb.History = append(sb.History, *d.history()) })
		default:
			return false
		}
		return true
	})
	return sb, d.end("snapshot batch")
}
