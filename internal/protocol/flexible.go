package protocol

// Flexible sync on the wire (protocol version 2, additive: a version-1
// client's frames and a partition session's conversation are unchanged).
//
// A flexible session binds with Bind.Flexible (no partition) and then
// sends its subscription set as a Subscribe message, again whenever the
// set changes and after every (re)bind. The server answers each set with a
// bootstrap: Download messages tagged with the set's version (Query)
// carrying the objects entering the session's view as State and the
// objects leaving it as Removed; the last one (More=false) marks the set
// complete. A set the server cannot take (an unknown class, a filter that
// does not compile) is answered with an Error of ActionNotify carrying
// Query; the previous set stays in force.
//
// Afterwards every Download carries only what the session's view holds:
// field changes of objects in view, objects that start to match as State,
// objects that stop matching in Removed (a local removal, never a delete).
// A refused write is answered with an Error CompensatingWrite (ActionNotify)
// naming each object and the reason, and the object's server state follows
// in a Download's Reverts (replace the local copy, do not merge) or, if the
// writer may not see it, in Removed.

import (
	"math"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Protocol versions. MinVersion is the oldest a server still speaks;
// FlexibleVersion is the first with flexible sync.
const (
	MinVersion      = 1
	FlexibleVersion = 2
)

// TSubscribe is a client's subscription set for a flexible session.
const TSubscribe Type = 13

// Bounds on a subscription set (a Subscribe beyond them is a
// ProtocolError that ends the session).
const (
	MaxSubscriptions = 256
	MaxFilterLen     = 4096
	MaxArgsLen       = 64 << 10
	MaxNameLen       = 256
)

// Subscribe is the whole subscription set at one version.
type Subscribe struct {
	Version       uint64         `msgpack:"v"`
	Subscriptions []Subscription `msgpack:"subs,omitempty"`
	// Resuming (additive): a client whose database holds this very set's
	// view complete, as of server version Have (its bind's ServerVersion),
	// computed under the rules the server named ViewGen, asks for a resumed
	// bootstrap: the server sends in full only the objects changed since
	// Have, and names the others in Download.Kept. A server that cannot
	// resume (history trimmed, rules changed, restarted) sends a Full
	// bootstrap as usual.
	Have    uint64 `msgpack:"h,omitempty"`
	ViewGen uint64 `msgpack:"vg,omitempty"`
}

// Subscription is one query: a class, an RQL filter over it, and its $N
// arguments (core/value's encoding of a list; empty: none).
type Subscription struct {
	Name   string `msgpack:"n,omitempty"`
	Class  string `msgpack:"c"`
	Filter string `msgpack:"f,omitempty"`
	Args   []byte `msgpack:"a,omitempty"`
}

// ObjectRef names an object: its class and primary key (core/value
// encoding).
type ObjectRef struct {
	Class string `msgpack:"c"`
	Key   []byte `msgpack:"k"`
}

// Refused is one object of a compensating write.
type Refused struct {
	Class  string `msgpack:"c"`
	Key    []byte `msgpack:"k"`
	Reason string `msgpack:"r"` // PermissionDenied or OutsideView
	// The refused op: its changeset's client version and its index in it
	// (additive: a client that does not read them still gets the object).
	// A client recovering after a reset reports exactly these ops as
	// dropped.
	ClientVersion uint64 `msgpack:"cv,omitempty"`
	Op            uint32 `msgpack:"i,omitempty"`
}

// Reasons a write is refused.
const (
	ReasonPermissionDenied = "PermissionDenied"
	ReasonOutsideView      = "OutsideView"
)

func decodeSubscribe(r *value.Reader) *Subscribe {
	return body(r, func(s *Subscribe, k string) bool {
		switch k {
		case "v":
			s.Version = r.Uint()
		case "h":
			s.Have = r.Uint()
		case "vg":
			s.ViewGen = r.Uint()
		case "subs":
			// The smallest subscription is {"c": ""}.
			s.Subscriptions = decodeArray(r, 1+2+1, func(x *Subscription, k string) bool {
				switch k {
				case "n":
					x.Name = r.Str()
				case "c":
					x.Class = r.Str()
				case "f":
					x.Filter = r.Str()
				case "a":
					x.Args = r.Bytes()
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

func decodeRefs(r *value.Reader) []ObjectRef {
	return decodeArray(r, 1+2+1+2+1, func(o *ObjectRef, k string) bool {
		switch k {
		case "c":
			o.Class = r.Str()
		case "k":
			o.Key = r.Bytes()
		default:
			return false
		}
		return true
	})
}

func decodeRefused(r *value.Reader) []Refused {
	return decodeArray(r, 1+2+1+2+1, func(o *Refused, k string) bool {
		switch k {
		case "c":
			o.Class = r.Str()
		case "k":
			o.Key = r.Bytes()
		case "r":
			o.Reason = r.Str()
		case "cv":
			o.ClientVersion = r.Uint()
		case "i":
			o.Op = uint32(r.UintN(math.MaxUint32))
		default:
			return false
		}
		return true
	})
}

// decodeFlexDownload reads the flexible fields of a Download.
func decodeFlexDownload(r *value.Reader, d *Download, k string) bool {
	switch k {
	case "q":
		d.Query = r.Uint()
	case "rm":
		d.Removed = decodeRefs(r)
	case "rvt":
		d.Reverts = decodeState(r)
	case "full":
		d.Full = r.Bool()
	case "kp":
		d.Kept = decodeRefs(r)
	case "vg":
		d.ViewGen = r.Uint()
	default:
		return false
	}
	return true
}

// decodeFlexError reads the flexible fields of an Error.
func decodeFlexError(r *value.Reader, e *Error, k string) bool {
	switch k {
	case "objs":
		e.Objects = decodeRefused(r)
	case "q":
		e.Query = r.Uint()
	default:
		return false
	}
	return true
}

// CheckSubscribe enforces a subscription set's bounds: a set beyond them
// is a ProtocolError (the decoder already bounded every length by the
// frame; these bound what a server keeps per session).
func CheckSubscribe(s *Subscribe) error {
	if len(s.Subscriptions) > MaxSubscriptions {
		return terror.New(terror.ProtocolError, "%d subscriptions exceed the limit of %d", len(s.Subscriptions), MaxSubscriptions)
	}
	for i := range s.Subscriptions {
		x := &s.Subscriptions[i]
		switch {
		case x.Class == "":
			return terror.New(terror.ProtocolError, "subscription %d has no class", i)
		case len(x.Class) > MaxNameLen || len(x.Name) > MaxNameLen:
			return terror.New(terror.ProtocolError, "subscription %d: a name or class longer than %d bytes", i, MaxNameLen)
		case len(x.Filter) > MaxFilterLen:
			return terror.New(terror.ProtocolError, "subscription %d: a filter of %d bytes exceeds the limit of %d", i, len(x.Filter), MaxFilterLen)
		case len(x.Args) > MaxArgsLen:
			return terror.New(terror.ProtocolError, "subscription %d: arguments of %d bytes exceed the limit of %d", i, len(x.Args), MaxArgsLen)
		}
	}
	return nil
}
