package crdt

// A changeset is one write transaction: the ops in order, each with its
// resolved values, and the stamp they were written with. It is the local
// store's write-ahead log record (replayed on open), what a sync session
// uploads, and what the server keeps in its history and downloads.

import (
	"fmt"

	"github.com/tethersync/tether/core/value"
)

// OpKind says what an op does.
type OpKind uint8

const (
	OpCreate    OpKind = 1 // a new object; DuplicateKey if it exists
	OpUpsert    OpKind = 2 // create, or set the given fields of an existing object
	OpUpdate    OpKind = 3 // set fields of an existing object; NotFound if absent
	OpDelete    OpKind = 4 // delete an existing object; NotFound if absent
	OpIncrement OpKind = 5 // add By to a numeric field (a counter that merges by adding)
	// OpList edits one list property per element: its one field is the
	// property, its value the EncodeEdits form of the edits (list_codec.go).
	OpList OpKind = 6
)

var opNames = map[OpKind]string{OpCreate: "create", OpUpsert: "upsert", OpUpdate: "update", OpDelete: "delete", OpIncrement: "increment", OpList: "list"}

func (k OpKind) String() string { return opNames[k] }

// Origin says where a changeset came from.
type Origin uint8

const (
	OriginLocal  Origin = 0 // written on this device
	OriginRemote Origin = 1 // downloaded from the server
	// OriginRecovered: written on this device before a client reset and
	// replayed after it with its original stamp (merged, not checked
	// strictly: the state it lands on is the server's, not the one it was
	// written on).
	OriginRecovered Origin = 2
)

// Changeset is one committed transaction.
type Changeset struct {
	Origin Origin
	// Version is the local client version (OriginLocal) or the server
	// version (OriginRemote).
	Version uint64
	Stamp   Stamp
	Ops     []ChangeOp
}

// ChangeOp is an op as recorded: Fields holds the coerced values of
// create/upsert/update (create: every property, defaults filled in), or
// {field: by} of an increment.
type ChangeOp struct {
	Kind   OpKind
	Class  string
	Key    any
	Fields []Field
}

// Field is one property and its value, in schema order.
type Field struct {
	Name  string
	Value any
}

// MaxChangeset bounds one encoded changeset: a local transaction larger
// than this is refused when written, so that every committed changeset
// fits one 16 MiB sync frame (protocol.MaxFrame) with room to spare. The
// server takes up to MaxFrame - 4096; the 4 KiB between the two covers a
// changeset re-encoded with a longer version (client reset recovery).
const MaxChangeset = 16<<20 - 8192

// EncodeChangeset encodes a changeset (the log record and the wire form).
func EncodeChangeset(cs *Changeset) []byte {
	b := make([]byte, 0, 64+len(cs.Ops)*48)
	b = value.AppendArrayHeader(b, 5)
	b = value.AppendUint(b, uint64(cs.Origin))
	b = value.AppendUint(b, cs.Version)
	b = value.AppendUint(b, cs.Stamp.HLC)
	b = value.AppendUint(b, cs.Stamp.Client)
	b = value.AppendArrayHeader(b, len(cs.Ops))
	for i := range cs.Ops {
		op := &cs.Ops[i]
		b = value.AppendArrayHeader(b, 4)
		b = value.AppendUint(b, uint64(op.Kind))
		b = value.AppendString(b, op.Class)
		b = value.Append(b, op.Key)
		b = value.AppendMapHeader(b, len(op.Fields))
		for _, f := range op.Fields {
			b = value.AppendString(b, f.Name)
			b = value.Append(b, f.Value)
		}
	}
	return b
}

// DecodeChangesetHeader reads a changeset's origin, version and stamp
// without its ops; off is where the ops array starts.
func DecodeChangesetHeader(b []byte) (cs Changeset, off int, err error) {
	n, off, err := value.ReadArrayHeader(b)
	if err != nil || n != 5 {
		return cs, 0, fmt.Errorf("malformed changeset: %v", err)
	}
	var u [4]uint64
	for i := range u {
		x, m, err := value.ReadUint(b[off:])
		if err != nil {
			return cs, 0, fmt.Errorf("malformed changeset: %v", err)
		}
		u[i], off = x, off+m
	}
	return Changeset{Origin: Origin(u[0]), Version: u[1], Stamp: Stamp{HLC: u[2], Client: u[3]}}, off, nil
}

// Smallest encodings of an op and of one of its fields.
const (
	minOpSize    = 5
	minFieldSize = 2
)

// DecodeChangeset decodes a changeset; damaged or hostile input is an
// error, and what it allocates is bounded by len(b).
func DecodeChangeset(b []byte) (*Changeset, error) {
	bad := func(err error) (*Changeset, error) { return nil, fmt.Errorf("malformed changeset: %v", err) }
	head, off, err := DecodeChangesetHeader(b)
	if err != nil {
		return nil, err
	}
	cs := &head
	nops, m, err := value.ReadArrayHeader(b[off:])
	if err != nil {
		return bad(err)
	}
	off += m
	// Each op is at least [kind, "", key, {}] (5 bytes) and each field
	// a name and a value (2): a count the bytes left cannot hold is a lie,
	// refused before anything is allocated for it.
	if nops > (len(b)-off)/minOpSize {
		return bad(fmt.Errorf("%d ops in %d bytes", nops, len(b)-off))
	}
	cs.Ops = make([]ChangeOp, nops)
	for i := range cs.Ops {
		k, m, err := value.ReadArrayHeader(b[off:])
		if err != nil || k != 4 {
			return bad(err)
		}
		off += m
		kind, m, err := value.ReadUint(b[off:])
		if err != nil || kind < uint64(OpCreate) || kind > uint64(OpList) {
			return bad(err)
		}
		off += m
		class, m, err := value.ReadStringBytes(b[off:])
		if err != nil {
			return bad(err)
		}
		off += m
		key, m, err := value.Decode(b[off:])
		if err != nil {
			return bad(err)
		}
		off += m
		nf, m, err := value.ReadMapHeader(b[off:])
		if err != nil {
			return bad(err)
		}
		off += m
		if nf > (len(b)-off)/minFieldSize {
			return bad(fmt.Errorf("%d fields in %d bytes", nf, len(b)-off))
		}
		op := ChangeOp{Kind: OpKind(kind), Class: string(class), Key: key, Fields: make([]Field, nf)}
		for j := range op.Fields {
			name, m, err := value.ReadStringBytes(b[off:])
			if err != nil {
				return bad(err)
			}
			off += m
			v, m, err := value.Decode(b[off:])
			if err != nil {
				return bad(err)
			}
			off += m
			op.Fields[j] = Field{Name: string(name), Value: v}
		}
		if err := checkListOp(&op); err != nil {
			return bad(err)
		}
		cs.Ops[i] = op
	}
	return cs, nil
}
