package crdt

// A changeset is one write transaction: the ops in order, each with its
// resolved values, and the stamp they were written with. It is the local
// store's write-ahead log record (replayed on open), what a sync session
// uploads, and what the server keeps in its history and downloads.

import (
	"fmt"
	"math"

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

// DecodeChangesetHeader reads a changeset's origin, version and stamp,
// and the header of its ops array, without walking the ops.
func DecodeChangesetHeader(b []byte) (Changeset, error) {
	r := value.NewStrictReader(b)
	cs, _ := readChangesetHeader(r)
	if err := r.Err(); err != nil {
		return cs, fmt.Errorf("malformed changeset: %w", err)
	}
	return cs, nil
}

// Smallest encodings of an op ([kind, "", key, {}]) and of one of its
// fields (a name and a value): a count the bytes left cannot hold is a
// lie, refused before anything is allocated for it.
const (
	minOpSize    = 5
	minFieldSize = 2
)

// readChangesetHeader reads all but the ops of [origin, version, hlc,
// client, [op, ...]] and returns the number of ops.
func readChangesetHeader(r *value.Reader) (Changeset, int) {
	r.Tuple(5, 5)
	cs := Changeset{Origin: Origin(r.UintN(math.MaxUint8)), Version: r.Uint()}
	cs.Stamp = Stamp{HLC: r.Uint(), Client: r.Uint()}
	nops, _ := r.ArrayLen(minOpSize)
	return cs, nops
}

// DecodeChangeset decodes a changeset; damaged or hostile input is an
// error, and what it allocates is bounded by len(b).
func DecodeChangeset(b []byte) (*Changeset, error) {
	r := value.NewStrictReader(b)
	cs, nops := readChangesetHeader(r)
	cs.Ops = make([]ChangeOp, nops)
	for i := 0; i < nops && r.Err() == nil; i++ {
		readOp(r, &cs.Ops[i])
	}
	if err := r.Done(); err != nil {
		return nil, fmt.Errorf("malformed changeset: %w", err)
	}
	return &cs, nil
}

// readOp reads [kind, class, key, {name: value, ...}].
func readOp(r *value.Reader, op *ChangeOp) {
	r.Tuple(4, 4)
	kind := r.Uint()
	if r.Err() == nil && (kind > math.MaxUint8 || opNames[OpKind(kind)] == "") {
		r.Failf("unknown op kind %d", kind)
	}
	op.Kind = OpKind(kind)
	op.Class = string(r.Key())
	op.Key = r.Value()
	nf, _ := r.MapLen(minFieldSize)
	op.Fields = make([]Field, nf)
	for j := 0; j < nf && r.Err() == nil; j++ {
		op.Fields[j] = Field{Name: string(r.Key()), Value: r.Value()}
	}
	if err := checkCollectionOp(op); err != nil && r.Err() == nil {
		r.Failf("%v", err)
	}
}
