package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func sampleMessages() []*Message {
	return []*Message{
		{Type: TBind, Session: 1, Bind: &Bind{ProtocolVersion: Version, Partition: "p", Token: "t", ClientID: 7, ServerVersion: 3, Schema: []byte("[]")}},
		{Type: TIdent, Session: 1, Ident: &Ident{ClientID: 7, ServerEpoch: 2, ServerVersion: 9, UploadedVersion: 4}},
		{Type: TUpload, Session: 1, Upload: &Upload{Changesets: []Changeset{{ClientVersion: 5, Data: []byte{1, 2}}}}},
		{Type: TUploadOK, Session: 1, UploadOK: &UploadOK{ClientVersion: 5, ServerVersion: 10}},
		{Type: TDownload, Session: 1, Download: &Download{Changesets: []Changeset{{ServerVersion: 10, ClientID: 8, ClientVersion: 1, Data: []byte{3}}},
			State: []StateObject{{Class: "Dog", Key: []byte{0xa1, 'x'}, Fields: []byte{0x92, 0x80, 0x90}}}, LastServerVersion: 10, More: true, Remaining: 99}},
		{Type: TMark, Session: 1, Mark: &Mark{ID: 3}},
		{Type: TError, Error: &Error{Code: "ClientReset", Message: "restored", Action: ActionReset, RestoredVersion: 4}},
		{Type: TPing, Session: 1, Ping: &Ping{Nanos: 12345}},
		{Type: TUnbind, Session: 1},
		{Type: TRefresh, Session: 1, Refresh: &Refresh{Token: "t2"}},
		{Type: TError, Session: 2, Error: &Error{Code: "ClientReset", Message: "schema", Action: ActionReset, Restored: true, Schema: []byte("[]")}},
		{Type: TDownload, Session: 1, Download: &Download{LastServerVersion: 3, OwnVersion: 2, Remaining: -1}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		b, err := Encode(m)
		require.NoError(t, err)
		got, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
}

func TestMalformedFramesAreProtocolErrors(t *testing.T) {
	for _, frame := range [][]byte{
		nil, {0xc1}, {0x81, 0xa1, 't', 0x63}, // unknown type 99
		{0x81, 0xa1, 't', 0x01}, // bind without its body
		make([]byte, MaxFrame+1),
	} {
		_, err := Decode(frame)
		require.Equal(t, terror.ProtocolError, terror.CodeOf(err), "%x", frame[:min(len(frame), 8)])
	}
	_, err := Encode(&Message{Type: TUpload, Upload: &Upload{Changesets: []Changeset{{Data: make([]byte, MaxFrame)}}}})
	require.Equal(t, terror.ProtocolError, terror.CodeOf(err))
}

// FuzzDecode feeds arbitrary frames to the decoder both ends use: an
// error or a message that encodes again, never a panic, and never more
// memory than a small multiple of the frame.
func FuzzDecode(f *testing.F) {
	for _, m := range sampleMessages() {
		b, _ := Encode(m)
		f.Add(b)
	}
	for _, b := range hostileFrames() {
		if len(b) < 1024 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = Peek(b)
		m, err := Decode(b)
		if err == nil {
			_, err = Encode(m)
			require.NoError(t, err)
		}
	})
}
