// Package protocol defines Tether's sync wire protocol: msgpack messages
// over a WebSocket, shared by the client (core/session) and the server.
// docs/protocol.md describes the conversation; this file is the
// authoritative list of messages and fields.
//
// One WebSocket carries many sessions (one per local database and
// partition), so every session-scoped message names its session by a
// number the client chose in Bind.
package protocol

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Version is the newest protocol version; a server speaks every version
// from MinVersion to it (flexible.go) and refuses others with a fatal
// ProtocolError. Version 2 added flexible sync, additively.
const Version = 2

// MaxFrame bounds a frame: larger frames are a ProtocolError that closes
// the connection. Uploads and downloads are split below it.
const MaxFrame = 16 << 20

// Type tags a message.
type Type uint8

const (
	TBind     Type = 1  // client: bind a session to a partition
	TIdent    Type = 2  // server: the session is bound
	TUpload   Type = 3  // client: local changesets
	TUploadOK Type = 4  // server: changesets up to a client version are integrated
	TDownload Type = 5  // server: server changesets (or a state chunk)
	TMark     Type = 6  // client: a round trip that proves earlier downloads arrived
	TMarkOK   Type = 7  // server: answer to Mark
	TError    Type = 8  // server: an error for a session, or for the connection (session 0)
	TPing     Type = 9  // either side
	TPong     Type = 10 // either side
	TUnbind   Type = 11 // client: end a session
	TRefresh  Type = 12 // client: a new access token for a session
)

// Message is one frame. Exactly the fields of its Type are set.
type Message struct {
	Type    Type   `msgpack:"t"`
	Session uint32 `msgpack:"s,omitempty"`

	Bind     *Bind     `msgpack:"bind,omitempty"`
	Ident    *Ident    `msgpack:"ident,omitempty"`
	Upload   *Upload   `msgpack:"up,omitempty"`
	UploadOK *UploadOK `msgpack:"upok,omitempty"`
	Download *Download `msgpack:"down,omitempty"`
	Mark     *Mark     `msgpack:"mark,omitempty"`
	Error    *Error    `msgpack:"err,omitempty"`
	Ping     *Ping     `msgpack:"ping,omitempty"`
	Refresh  *Refresh  `msgpack:"refresh,omitempty"`

	Subscribe *Subscribe `msgpack:"sub,omitempty"` // version 2 (flexible.go)
}

// Bind asks to sync one local database with one partition.
type Bind struct {
	ProtocolVersion int    `msgpack:"v"`
	Partition       string `msgpack:"p"`
	Token           string `msgpack:"tok"`
	// ClientID is the client file ident, chosen at random when the
	// database was created (stamps carry it).
	ClientID uint64 `msgpack:"cid"`
	// ServerVersion is the last server version the client integrated
	// (0: never synced; the server bootstraps it from state).
	ServerVersion uint64 `msgpack:"sv"`
	// ServerEpoch identifies the server history the client's ServerVersion
	// belongs to (0 if never synced); a restored server has a new epoch.
	ServerEpoch uint64 `msgpack:"se"`
	// UploadedVersion: the client's own changesets up to this client
	// version are known to be integrated.
	UploadedVersion uint64 `msgpack:"uv"`
	// Schema is the client's schema (SPEC.md JSON).
	Schema []byte `msgpack:"schema"`
	// Flexible binds a flexible-sync session (version 2, no Partition):
	// the app's object space, seen through the session's subscriptions.
	Flexible bool `msgpack:"flx,omitempty"`
}

// Ident confirms a bind.
type Ident struct {
	ClientID      uint64 `msgpack:"cid"`
	ServerEpoch   uint64 `msgpack:"se"`
	ServerVersion uint64 `msgpack:"sv"` // the server's latest version
	// UploadedVersion: the last client version of this client the server
	// has integrated (the client resumes uploading after it).
	UploadedVersion uint64 `msgpack:"uv"`
	// User is the session's user id (Realm's SyncSession.user.id): the
	// token's subject, or a JWT's configured user claim. UserClaims is the
	// token's claim set (JSON). Both optional: added after version 1
	// without a version change, since a receiver skips fields it does not
	// know; a client of an older server sees them empty.
	User       string `msgpack:"user,omitempty"`
	UserClaims []byte `msgpack:"uc,omitempty"`
}

// Changeset is a changeset on the wire: Data is crdt.EncodeChangeset's form.
type Changeset struct {
	ClientVersion uint64 `msgpack:"cv"`
	ServerVersion uint64 `msgpack:"sv,omitempty"` // downloads only
	ClientID      uint64 `msgpack:"cid,omitempty"`
	// Data is empty in a download of the receiving client's own changeset
	// (it has it): the entry only settles it.
	Data []byte `msgpack:"d,omitempty"`
}

// Upload carries local changesets in client version order. Uploading a
// changeset twice is harmless: the server skips versions it has.
type Upload struct {
	Changesets []Changeset `msgpack:"cs"`
}

// UploadOK says every changeset up to ClientVersion is integrated.
type UploadOK struct {
	ClientVersion uint64 `msgpack:"cv"`
	ServerVersion uint64 `msgpack:"sv"`
}

// StateObject is one object of a bootstrap: its stored record (fields and
// per-field stamps) or, if deleted, its tombstone stamp; the server stores
// the same type.
type StateObject = crdt.StateObject

// Download carries server changesets after the client's server version in
// order, or a chunk of the partition's state for a client that has none.
type Download struct {
	Changesets []Changeset   `msgpack:"cs,omitempty"`
	State      []StateObject `msgpack:"st,omitempty"`
	// LastServerVersion is the version the client has integrated once it
	// applies this message (for a state download: the version of the
	// snapshot, valid once the last chunk, More=false, is applied).
	LastServerVersion uint64 `msgpack:"sv"`
	More              bool   `msgpack:"more,omitempty"`
	// OwnVersion, on a state download: the receiving client's own
	// changesets up to this client version are already in the state (the
	// server integrated them before its snapshot, e.g. an upload
	// acknowledged just before the client paused, whose echo it never
	// downloaded). The client settles them without replaying them, or an
	// increment among them would count twice.
	OwnVersion uint64 `msgpack:"own,omitempty"`
	// Remaining estimates the bytes still to download after this message,
	// for progress notifications.
	Remaining int64 `msgpack:"rem"`
	// Size is this message's bytes in Remaining's units (PayloadSize of
	// its state; its changesets' data as the server stores it, including
	// the receiving client's own, sent without data): the previous
	// message's Remaining is this one's Size plus its Remaining, so a
	// client's progress adds up exactly. 0 from older servers: the
	// client computes PayloadSize.
	Size int64 `msgpack:"size,omitempty"`

	// Flexible sessions (flexible.go): Query is the subscription set
	// version a bootstrap answers (its last message completes the set);
	// Removed lists objects that left the view (removed locally, never
	// deleted); Reverts are server states that replace the local copies of
	// refused writes; Full says the view is exactly this bootstrap's
	// objects (the client removes the synced objects it does not name).
	Query   uint64        `msgpack:"q,omitempty"`
	Removed []ObjectRef   `msgpack:"rm,omitempty"`
	Reverts []StateObject `msgpack:"rvt,omitempty"`
	Full    bool          `msgpack:"full,omitempty"`
	// Kept (a resumed Full bootstrap, flexible.go): objects in the view
	// the client already holds as the server does; they count as sent.
	Kept []ObjectRef `msgpack:"kp,omitempty"`
	// ViewGen, on a bootstrap's last chunk, names the rules the view was
	// computed under; a client echoes it to resume (Subscribe.ViewGen).
	ViewGen uint64 `msgpack:"vg,omitempty"`
}

// StateObjectSize is a state object's bytes in progress accounting.
func StateObjectSize(o *StateObject) int64 {
	return int64(len(o.Class) + len(o.Key) + len(o.Fields) + len(o.Tombstone) + 8)
}

// PayloadSize is the bytes of state objects and changesets in progress
// accounting (a changeset: its data).
func PayloadSize(state []StateObject, changesets []Changeset) int64 {
	var n int64
	for i := range state {
		n += StateObjectSize(&state[i])
	}
	for _, c := range changesets {
		n += int64(len(c.Data))
	}
	return n
}

// Mark asks the server to answer once everything before it was sent.
type Mark struct {
	ID uint64 `msgpack:"id"`
}

// Action says what the client should do after an error.
type Action uint8

const (
	ActionRetry  Action = 1 // transient: reconnect with backoff
	ActionReset  Action = 2 // client reset required
	ActionFatal  Action = 3 // stop the session; the app must act (bad token, permission)
	ActionNotify Action = 4 // informational; the session goes on
)

// Error reports a failure; Code is a SPEC.md error code.
type Error struct {
	Code    string `msgpack:"code"`
	Message string `msgpack:"msg"`
	Action  Action `msgpack:"act"`
	// RestoredVersion is, for a client reset after a restore from backup,
	// the server version the server went back to: the client's changes
	// integrated after it are lost on the server and count as unsynced.
	RestoredVersion uint64 `msgpack:"rv,omitempty"`
	// Restored says RestoredVersion is meaningful (the trigger was a
	// restore from backup); for other triggers nothing the client uploaded
	// is lost on the server.
	Restored bool `msgpack:"rd,omitempty"`
	// Schema, for a reset caused by a breaking schema change, is the
	// partition's schema (SPEC.md JSON): the reset database adopts it.
	Schema []byte `msgpack:"schema,omitempty"`
	// Objects, for a CompensatingWrite, are the refused objects; Query, for
	// a subscription set the server refused, is its version.
	Objects []Refused `msgpack:"objs,omitempty"`
	Query   uint64    `msgpack:"q,omitempty"`
}

// Ping and Pong carry the sender's clock for round-trip times.
type Ping struct {
	Nanos int64 `msgpack:"n"`
}

// Refresh replaces a session's access token without dropping it.
type Refresh struct {
	Token string `msgpack:"tok"`
}

// Encode encodes a message.
func Encode(m *Message) ([]byte, error) {
	b, err := msgpack.Marshal(m)
	if err != nil {
		return nil, terror.Wrap(terror.ProtocolError, err, "encode %d", m.Type)
	}
	if len(b) > MaxFrame {
		return nil, terror.New(terror.ProtocolError, "message of %d bytes exceeds the %d-byte frame limit", len(b), MaxFrame)
	}
	return b, nil
}

// check makes sure the body the type needs is there.
func (m *Message) check() error {
	var ok bool
	switch m.Type {
	case TBind:
		ok = m.Bind != nil
	case TIdent:
		ok = m.Ident != nil
	case TUpload:
		ok = m.Upload != nil
	case TUploadOK:
		ok = m.UploadOK != nil
	case TDownload:
		ok = m.Download != nil
	case TMark, TMarkOK:
		ok = m.Mark != nil
	case TError:
		ok = m.Error != nil
	case TPing, TPong:
		ok = m.Ping != nil
	case TUnbind:
		ok = true
	case TRefresh:
		ok = m.Refresh != nil
	case TSubscribe:
		ok = m.Subscribe != nil
	default:
		return terror.New(terror.ProtocolError, "unknown message type %d", m.Type)
	}
	if !ok {
		return terror.New(terror.ProtocolError, "message type %d without its body", m.Type)
	}
	return nil
}

func (t Type) String() string { return fmt.Sprintf("msg%d", t) }
