package protocol

// The frame decoder, written by hand over a bounded reader (reader.go):
// both directions meet hostile bytes (a client's frames at the server, a
// server's or a man in the middle's at every app), so nothing here trusts
// a length. Field names are those of the msgpack tags in messages.go;
// fields a newer peer adds are skipped.

import (
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Smallest encodings of the elements of a frame's arrays: a changeset is
// at least {"cv": 0}, a state object {"c": "", "k": nil}. An array may
// claim no more elements than the bytes left could hold.
const (
	minChangesetSize   = 1 + 3 + 1
	minStateObjectSize = 1 + 2 + 1 + 2 + 1
)

// Decode decodes and checks a frame: any malformed frame is a
// ProtocolError (the receiver closes that connection only).
func Decode(b []byte) (*Message, error) {
	if len(b) > MaxFrame {
		return nil, terror.New(terror.ProtocolError, "frame of %d bytes exceeds the %d-byte limit", len(b), MaxFrame)
	}
	r := &reader{b: b}
	m := decodeMessage(r)
	if r.err == nil && r.off != len(b) {
		return nil, terror.New(terror.ProtocolError, "malformed frame: %d bytes after the message", len(b)-r.off)
	}
	if r.err != nil {
		return nil, terror.Wrap(terror.ProtocolError, r.err, "malformed frame")
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return m, nil
}

// Peek reads a frame's type and session without decoding its body, so
// that a receiver can check permission before it spends anything on the
// body (a read-only client's upload is refused unread).
func Peek(b []byte) (Type, uint32, error) {
	if len(b) > MaxFrame {
		return 0, 0, terror.New(terror.ProtocolError, "frame of %d bytes exceeds the %d-byte limit", len(b), MaxFrame)
	}
	r := &reader{b: b}
	var t Type
	var s uint32
	n := r.mapLen()
	for i := 0; i < n && r.err == nil; i++ {
		switch string(r.key()) {
		case "t":
			t = Type(r.uint8())
		case "s":
			s = r.uint32()
		default:
			r.skip()
		}
	}
	if r.err != nil {
		return 0, 0, terror.Wrap(terror.ProtocolError, r.err, "malformed frame")
	}
	return t, s, nil
}

func decodeMessage(r *reader) *Message {
	m := &Message{}
	n := r.mapLen()
	for i := 0; i < n && r.err == nil; i++ {
		switch string(r.key()) {
		case "t":
			m.Type = Type(r.uint8())
		case "s":
			m.Session = r.uint32()
		case "bind":
			if r.present() {
				m.Bind = decodeBind(r)
			}
		case "ident":
			if r.present() {
				m.Ident = decodeIdent(r)
			}
		case "up":
			if r.present() {
				m.Upload = decodeUpload(r)
			}
		case "upok":
			if r.present() {
				m.UploadOK = decodeUploadOK(r)
			}
		case "down":
			if r.present() {
				m.Download = decodeDownload(r)
			}
		case "mark":
			if r.present() {
				m.Mark = decodeMark(r)
			}
		case "err":
			if r.present() {
				m.Error = decodeError(r)
			}
		case "ping":
			if r.present() {
				m.Ping = decodePing(r)
			}
		case "refresh":
			if r.present() {
				m.Refresh = decodeRefresh(r)
			}
		default:
			r.skip()
		}
	}
	return m
}

// fields calls one for each key of a map, which reads the key's value or
// returns false to have it skipped.
func fields(r *reader, one func(key []byte) bool) {
	n := r.mapLen()
	for i := 0; i < n && r.err == nil; i++ {
		if !one(r.key()) {
			r.skip()
		}
	}
}

func decodeBind(r *reader) *Bind {
	b := &Bind{}
	fields(r, func(k []byte) bool {
		switch string(k) {
		case "v":
			n := r.int()
			if n < -1<<31 || n > 1<<31-1 {
				r.fail(value.ErrMalformed)
			}
			b.ProtocolVersion = int(n)
		case "p":
			b.Partition = r.str()
		case "tok":
			b.Token = r.str()
		case "cid":
			b.ClientID = r.uint()
		case "sv":
			b.ServerVersion = r.uint()
		case "se":
			b.ServerEpoch = r.uint()
		case "uv":
			b.UploadedVersion = r.uint()
		case "schema":
			b.Schema = r.bytes()
		default:
			return false
		}
		return true
	})
	return b
}

func decodeIdent(r *reader) *Ident {
	id := &Ident{}
	fields(r, func(k []byte) bool {
		switch string(k) {
		case "cid":
			id.ClientID = r.uint()
		case "se":
			id.ServerEpoch = r.uint()
		case "sv":
			id.ServerVersion = r.uint()
		case "uv":
			id.UploadedVersion = r.uint()
		default:
			return false
		}
		return true
	})
	return id
}

func decodeChangesets(r *reader) []Changeset {
	n := r.arrayLen(minChangesetSize)
	if n == 0 {
		return nil
	}
	out := make([]Changeset, n)
	for i := range out {
		c := &out[i]
		fields(r, func(k []byte) bool {
			switch string(k) {
			case "cv":
				c.ClientVersion = r.uint()
			case "sv":
				c.ServerVersion = r.uint()
			case "cid":
				c.ClientID = r.uint()
			case "d":
				c.Data = r.bytes()
			default:
				return false
			}
			return true
		})
		if r.err != nil {
			return nil
		}
	}
	return out
}

func decodeUpload(r *reader) *Upload {
	u := &Upload{}
	fields(r, func(k []byte) bool {
		if string(k) != "cs" {
			return false
		}
		u.Changesets = decodeChangesets(r)
		return true
	})
	return u
}

func decodeUploadOK(r *reader) *UploadOK {
	u := &UploadOK{}
	fields(r, func(k []byte) bool {
		switch string(k) {
		case "cv":
			u.ClientVersion = r.uint()
		case "sv":
			u.ServerVersion = r.uint()
		default:
			return false
		}
		return true
	})
	return u
}

func decodeState(r *reader) []StateObject {
	n := r.arrayLen(minStateObjectSize)
	if n == 0 {
		return nil
	}
	out := make([]StateObject, n)
	for i := range out {
		o := &out[i]
		fields(r, func(k []byte) bool {
			switch string(k) {
			case "c":
				o.Class = r.str()
			case "k":
				o.Key = r.bytes()
			case "f":
				o.Fields = r.bytes()
			case "ts":
				o.Tombstone = r.bytes()
			default:
				return false
			}
			return true
		})
		if r.err != nil {
			return nil
		}
	}
	return out
}

func decodeDownload(r *reader) *Download {
	d := &Download{}
	fields(r, func(k []byte) bool {
		switch string(k) {
		case "cs":
			d.Changesets = decodeChangesets(r)
		case "st":
			d.State = decodeState(r)
		case "sv":
			d.LastServerVersion = r.uint()
		case "more":
			d.More = r.boolean()
		case "own":
			d.OwnVersion = r.uint()
		case "rem":
			d.Remaining = r.int()
		case "size":
			d.Size = r.int()
		default:
			return false
		}
		return true
	})
	return d
}

func decodeMark(r *reader) *Mark {
	m := &Mark{}
	fields(r, func(k []byte) bool {
		if string(k) != "id" {
			return false
		}
		m.ID = r.uint()
		return true
	})
	return m
}

func decodeError(r *reader) *Error {
	e := &Error{}
	fields(r, func(k []byte) bool {
		switch string(k) {
		case "code":
			e.Code = r.str()
		case "msg":
			e.Message = r.str()
		case "act":
			e.Action = Action(r.uint8())
		case "rv":
			e.RestoredVersion = r.uint()
		case "rd":
			e.Restored = r.boolean()
		case "schema":
			e.Schema = r.bytes()
		default:
			return false
		}
		return true
	})
	return e
}

func decodePing(r *reader) *Ping {
	p := &Ping{}
	fields(r, func(k []byte) bool {
		if string(k) != "n" {
			return false
		}
		p.Nanos = r.int()
		return true
	})
	return p
}

func decodeRefresh(r *reader) *Refresh {
	f := &Refresh{}
	fields(r, func(k []byte) bool {
		if string(k) != "tok" {
			return false
		}
		f.Token = r.str()
		return true
	})
	return f
}
