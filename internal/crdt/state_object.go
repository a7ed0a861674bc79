package crdt

// StateObject is one object of a replica's state as it is stored and sent:
// the server's snapshots and backups, a bootstrap download (the protocol's
// field names are these msgpack tags) and the client's logged downloads all
// carry it. Key is the primary key in core/value msgpack; Fields is the
// EncodeObject form of a live object, or empty with Tombstone (EncodeStamp)
// for a deleted one.
type StateObject struct {
	Class     string `msgpack:"c"`
	Key       []byte `msgpack:"k"`
	Fields    []byte `msgpack:"f,omitempty"`
	Tombstone []byte `msgpack:"ts,omitempty"`
}
