package server

// The storage interface: what the server needs to keep a partition
// durably. The server holds each partition's merged state in memory (the
// merge needs it on every upload) and asks its storage for three things:
// an append-only log (history records plus small metadata records), a
// snapshot of the state that bounds replay on start and lets history be
// dropped, and backups. The embedded file backend (storage_file.go)
// implements it in a data directory; a PostgreSQL backend can implement the
// same calls with a table per kind.

import "github.com/tethersync/tether/internal/crdt"

// HistoryRecord is one integrated changeset: the server version it got,
// who wrote it, when, and the changeset bytes exactly as uploaded
// (crdt.EncodeChangeset's form), which are what downloads carry.
type HistoryRecord struct {
	Version       uint64 `msgpack:"v"`
	ClientID      uint64 `msgpack:"c"`
	ClientVersion uint64 `msgpack:"cv"`
	Time          int64  `msgpack:"t"` // unix nanoseconds when integrated
	Data          []byte `msgpack:"d"`
}

// Epoch kinds: how an epoch began (see reset.go).
const (
	epochRoot    uint8 = 0 // the partition's first history
	epochRestore uint8 = 1 // a restore from backup went back to Base
	epochReset   uint8 = 2 // an operator asked every client to reset at Base
)

// EpochInfo places an epoch in the partition's family tree of histories:
// the epoch continues Parent's history up to version Base.
type EpochInfo struct {
	Parent uint64 `msgpack:"p"`
	Base   uint64 `msgpack:"b"`
	Kind   uint8  `msgpack:"k"`
}

// Meta is a partition's metadata. It is small and rewritten whole.
type Meta struct {
	Epoch uint64 `msgpack:"e"`
	// Epochs knows every epoch this partition ever had, including the ones
	// a restore left behind, so a client of any of them can be told exactly
	// where its history and the server's part.
	Epochs map[uint64]EpochInfo `msgpack:"es"`
	// Schema is the partition schema in SPEC.md JSON (nil until a bind or
	// an admin write brings one).
	Schema []byte `msgpack:"s"`
	// Retired lists "Class.property" → type of properties a breakSchema
	// removed or retyped: a client still declaring them must reset.
	Retired map[string]string `msgpack:"r"`
	// Horizon is the oldest server version a client may resume from:
	// history holds versions after it.
	Horizon uint64 `msgpack:"h"`
	// Writer is the client ID the server writes with (admin writes).
	Writer uint64 `msgpack:"w"`
}

// ClientInfo is what the partition knows of one client file.
type ClientInfo struct {
	ID     uint64 `msgpack:"id"`
	LastCV uint64 `msgpack:"cv"` // last client version integrated
	LastSV uint64 `msgpack:"sv"` // the server version it got
	// LastSeen (unix nanoseconds) is informational (stats).
	LastSeen int64 `msgpack:"seen"`
	// Reset, when set, is an operator's reset request still to deliver.
	Reset string `msgpack:"reset,omitempty"`
	// Owner is the token subject that first bound this client id (Owned
	// tells "" apart from "never bound"): only that subject may bind it.
	Owner string `msgpack:"own,omitempty"`
	Owned bool   `msgpack:"owned,omitempty"`
}

// Record is one log record; exactly one field is set.
type Record struct {
	History *HistoryRecord `msgpack:"h,omitempty"`
	Meta    *Meta          `msgpack:"m,omitempty"`
	// Client records carry operator reset flags and the owner binding
	// (LastCV/LastSV come from history, so they need no record of their own).
	Client *ClientInfo `msgpack:"c,omitempty"`
}

// Snapshot is a partition's state at Version.
type Snapshot struct {
	Partition string
	Version   uint64
	// Seq is the storage sequence of the last log record the snapshot
	// contains (set by the storage).
	Seq     uint64
	Meta    Meta
	Clients []ClientInfo
	Objects []crdt.StateObject
	// History is set in backups only: the retained history, so clients
	// within it can resume after a restore.
	History []HistoryRecord
}

// Storage keeps every partition of a server.
type Storage interface {
	// Partitions lists the stored partitions.
	Partitions() ([]string, error)
	// Open opens (creating if needed) one partition's store.
	Open(partition string) (PartitionStore, error)
	// SaveBackup stores snapshots (with history) under a name, replacing
	// an older backup of that name.
	SaveBackup(name string, snaps []*Snapshot) error
	// LoadBackup reads a backup; a missing one is a NotFound error.
	LoadBackup(name string) ([]*Snapshot, error)
	// Drop removes a closed partition's store (one a refused bind created
	// and nothing used).
	Drop(partition string) error
	// ReplaceAll replaces every partition with the given snapshots (their
	// History becomes the new logs). Every PartitionStore must be closed.
	ReplaceAll(snaps []*Snapshot) error
	Close() error
}

// PartitionStore is one partition's log and snapshot. The server calls it
// with the partition's lock held, except History and HistoryBytes which
// must be safe to call concurrently with Append.
type PartitionStore interface {
	// Load returns the latest snapshot (nil if none) and the log records
	// written after it, in order. A torn tail is dropped.
	Load() (*Snapshot, []Record, error)
	// Append writes records durably: when it returns nil they survive a
	// crash or power loss.
	Append(recs ...Record) error
	// History returns retained history records with versions after
	// `after`, in order, consecutive, at most about maxBytes of data (at
	// least one record when there is one).
	History(after uint64, maxBytes int) ([]HistoryRecord, error)
	// HistoryBytes is the size of the retained history data after a
	// version (for download progress estimates).
	HistoryBytes(after uint64) int64
	// Compact makes s the latest snapshot (filling s.Seq) and drops the
	// history at or before s.Meta.Horizon, and log records the snapshot
	// covers.
	Compact(s *Snapshot) error
	// LogSize is the number of records appended since the last Compact.
	LogSize() int
	Close() error
}
