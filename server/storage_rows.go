package server

// Row storage: a PartitionStore that keeps a partition's merged state as
// rows it reads and writes per integration (PostgreSQL), so that no server
// holds a whole partition in memory and many servers can share one. The
// partition integrates through it (partition_rows.go) with the same merge
// as the file storage's in-memory map (merge.go's objectSet).

import "github.com/tethersync/tether/internal/crdt"

// RowStore is a PartitionStore in row mode. In this mode Append takes
// metadata and client records only (history comes with Integrate), and
// Compact takes only the metadata and the horizon from its snapshot.
type RowStore interface {
	PartitionStore
	// LoadRows reads the metadata, the latest version and the clients,
	// without objects (nil: a new partition). ok is false when the
	// partition still has log records after its snapshot (written before
	// row mode): then Load, replay and Compact it once, and call
	// EnterRows.
	LoadRows() (snap *Snapshot, ok bool, err error)
	// EnterRows switches a store loaded with Load (and compacted) to row
	// mode.
	EnterRows()
	// InitMeta stores m if the partition has no metadata yet and returns
	// what is stored (another server may have been first).
	InitMeta(m Meta) (Meta, error)
	// Refresh reads the current metadata, latest version and one client
	// (nil if unknown), which another server may have changed.
	Refresh(clientID uint64) (Meta, uint64, *ClientInfo, error)
	// Integrate runs fn in one transaction that holds the partition's
	// lock across servers; what fn returns is written and committed
	// (nil: nothing), and the other servers are notified.
	Integrate(clientID uint64, fn func(tx RowTx) (*RowWrite, error)) error
	// Bootstrap streams every object as of one consistent version: begin
	// gets that version, the client's last integrated client version then
	// and the objects' total size, then page gets the objects in pages of
	// about pageBytes.
	Bootstrap(clientID uint64, pageBytes int, begin func(version, own uint64, total int64) error,
		page func(objs []crdt.StateObject, more bool) error) error
	// Rewrite passes every object through fn in one transaction (a
	// breaking schema's migration) and writes back the ones it changed,
	// deleting the ones it drops, with the metadata m. It returns how many
	// changed.
	Rewrite(m *Meta, fn func(o *crdt.StateObject) (changed, drop bool, err error)) (int, error)
	// Snapshot reads the version, clients and objects in one consistent
	// read (backups); nil for a partition with nothing stored.
	Snapshot() (*Snapshot, error)
	// Counts counts live objects and tombstones.
	Counts() (live, tombstones int, err error)
}

// RowTx is what an integration reads within its transaction.
type RowTx interface {
	// Latest is the partition's last server version.
	Latest() uint64
	// Client is what the partition knows of the uploading client.
	Client() ClientInfo
	// Read returns the stored objects among refs (missing ones are absent).
	Read(refs []crdt.StateObject) ([]crdt.StateObject, error)
}

// RowWrite is what an integration writes: history records with the next
// versions, the objects it changed, and the client's new record.
type RowWrite struct {
	History []HistoryRecord
	Objects []crdt.StateObject
	Client  ClientInfo
}

// rowWatcher is a storage that reports versions other servers integrated
// (PostgreSQL's NOTIFY): fn is called with a partition and a version it
// reached, from the storage's own goroutine.
type rowWatcher interface {
	Watch(fn func(partition string, version uint64))
}
