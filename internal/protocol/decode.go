package protocol

// The frame decoder, written by hand over core/value's bounded Reader:
// both directions meet hostile bytes (a client's frames at the server, a
// server's or a man in the middle's at every app), so nothing here trusts
// a length. Field names are those of the msgpack tags in messages.go;
// fields a newer peer adds are skipped.

import (
	"math"

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
	r := value.NewReader(b)
	m := decodeMessage(r)
	if err := r.Done(); err != nil {
		return nil, terror.Wrap(terror.ProtocolError, err, "malformed frame")
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
	r := value.NewReader(b)
	var t Type
	var s uint32
	r.Fields(func(k []byte) bool {
		switch string(k) {
		case "t":
			t = Type(r.UintN(math.MaxUint8))
		case "s":
			s = uint32(r.UintN(math.MaxUint32))
		default:
			return false
		}
		return true
	})
	if err := r.Err(); err != nil {
		return 0, 0, terror.Wrap(terror.ProtocolError, err, "malformed frame")
	}
	return t, s, nil
}

func decodeMessage(r *value.Reader) *Message {
	m := &Message{}
	r.Fields(func(k []byte) bool {
		switch string(k) {
		case "t":
			m.Type = Type(r.UintN(math.MaxUint8))
		case "s":
			m.Session = uint32(r.UintN(math.MaxUint32))
		case "bind":
			m.Bind = decodeBind(r)
		case "ident":
			m.Ident = decodeIdent(r)
		case "up":
			m.Upload = decodeUpload(r)
		case "upok":
			m.UploadOK = decodeUploadOK(r)
		case "down":
			m.Download = decodeDownload(r)
		case "mark":
			m.Mark = decodeMark(r)
		case "err":
			m.Error = decodeError(r)
		case "ping":
			m.Ping = decodePing(r)
		case "refresh":
			m.Refresh = decodeRefresh(r)
		case "sub":
			m.Subscribe = decodeSubscribe(r)
		default:
			return false
		}
		return true
	})
	return m
}

// body decodes a message body: nil when the field holds nil.
func body[T any](r *value.Reader, field func(x *T, key string) bool) *T {
	x := new(T)
	if !r.Fields(func(k []byte) bool { return field(x, string(k)) }) {
		return nil
	}
	return x
}

func decodeBind(r *value.Reader) *Bind {
	return body(r, func(b *Bind, k string) bool {
		switch k {
		case "v":
			b.ProtocolVersion = int(r.UintN(math.MaxInt32))
		case "p":
			b.Partition = r.Str()
		case "tok":
			b.Token = r.Str()
		case "cid":
			b.ClientID = r.Uint()
		case "sv":
			b.ServerVersion = r.Uint()
		case "se":
			b.ServerEpoch = r.Uint()
		case "uv":
			b.UploadedVersion = r.Uint()
		case "schema":
			b.Schema = r.Bytes()
		case "flx":
			b.Flexible = r.Bool()
		default:
			return false
		}
		return true
	})
}

func decodeIdent(r *value.Reader) *Ident {
	return body(r, func(id *Ident, k string) bool {
		switch k {
		case "cid":
			id.ClientID = r.Uint()
		case "se":
			id.ServerEpoch = r.Uint()
		case "sv":
			id.ServerVersion = r.Uint()
		case "uv":
			id.UploadedVersion = r.Uint()
		case "user":
			id.User = r.Str()
		case "uc":
			id.UserClaims = r.Bytes()
		default:
			return false
		}
		return true
	})
}

// decodeArray reads an array of structs, allocating only what the bytes
// left can hold (minSize is the smallest encoding of one element).
func decodeArray[T any](r *value.Reader, minSize int, field func(x *T, key string) bool) []T {
	n, _ := r.ArrayLen(minSize)
	if n == 0 {
		return nil
	}
	out := make([]T, n)
	for i := range out {
		x := &out[i]
		r.Fields(func(k []byte) bool { return field(x, string(k)) })
	}
	if r.Err() != nil {
		return nil
	}
	return out
}

func decodeChangesets(r *value.Reader) []Changeset {
	return decodeArray(r, minChangesetSize, func(c *Changeset, k string) bool {
		switch k {
		case "cv":
			c.ClientVersion = r.Uint()
		case "sv":
			c.ServerVersion = r.Uint()
		case "cid":
			c.ClientID = r.Uint()
		case "d":
			c.Data = r.Bytes()
		default:
			return false
		}
		return true
	})
}

func decodeUpload(r *value.Reader) *Upload {
	return body(r, func(u *Upload, k string) bool {
		if k != "cs" {
			return false
		}
		u.Changesets = decodeChangesets(r)
		return true
	})
}

func decodeUploadOK(r *value.Reader) *UploadOK {
	return body(r, func(u *UploadOK, k string) bool {
		switch k {
		case "cv":
			u.ClientVersion = r.Uint()
		case "sv":
			u.ServerVersion = r.Uint()
		default:
			return false
		}
		return true
	})
}

func decodeState(r *value.Reader) []StateObject {
	return decodeArray(r, minStateObjectSize, func(o *StateObject, k string) bool {
		switch k {
		case "c":
			o.Class = r.Str()
		case "k":
			o.Key = r.Bytes()
		case "f":
			o.Fields = r.Bytes()
		case "ts":
			o.Tombstone = r.Bytes()
		default:
			return false
		}
		return true
	})
}

func decodeDownload(r *value.Reader) *Download {
	return body(r, func(d *Download, k string) bool {
		switch k {
		case "cs":
			d.Changesets = decodeChangesets(r)
		case "st":
			d.State = decodeState(r)
		case "sv":
			d.LastServerVersion = r.Uint()
		case "more":
			d.More = r.Bool()
		case "own":
			d.OwnVersion = r.Uint()
		case "rem":
			d.Remaining = r.Int()
		case "size":
			d.Size = r.Int()
		default:
			return decodeFlexDownload(r, d, k)
		}
		return true
	})
}

func decodeMark(r *value.Reader) *Mark {
	return body(r, func(m *Mark, k string) bool {
		if k != "id" {
			return false
		}
		m.ID = r.Uint()
		return true
	})
}

func decodeError(r *value.Reader) *Error {
	return body(r, func(e *Error, k string) bool {
		switch k {
		case "code":
			e.Code = r.Str()
		case "msg":
			e.Message = r.Str()
		case "act":
			e.Action = Action(r.UintN(math.MaxUint8))
		case "rv":
			e.RestoredVersion = r.Uint()
		case "rd":
			e.Restored = r.Bool()
		case "schema":
			e.Schema = r.Bytes()
		default:
			return decodeFlexError(r, e, k)
		}
		return true
	})
}

func decodePing(r *value.Reader) *Ping {
	return body(r, func(p *Ping, k string) bool {
		if k != "n" {
			return false
		}
		p.Nanos = r.Int()
		return true
	})
}

func decodeRefresh(r *value.Reader) *Refresh {
	return body(r, func(f *Refresh, k string) bool {
		if k != "tok" {
			return false
		}
		f.Token = r.Str()
		return true
	})
}
