package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestSubscribeRoundTripAndBounds(t *testing.T) {
	m := &Message{Type: TSubscribe, Session: 3, Subscribe: &Subscribe{Version: 4, Subscriptions: []Subscription{
		{Name: "mine", Class: "Task", Filter: "owner == $0", Args: []byte{0x91, 0xa1, 'u'}}, {Class: "Note"}}}}
	b, err := Encode(m)
	require.NoError(t, err)
	got, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, m, got)
	require.NoError(t, CheckSubscribe(got.Subscribe))

	// A Subscribe without its body is a ProtocolError, like every type.
	b, err = Encode(&Message{Type: TSubscribe, Session: 1})
	require.NoError(t, err)
	_, err = Decode(b)
	require.True(t, terror.Is(err, terror.ProtocolError), "%v", err)

	for name, s := range map[string]*Subscribe{
		"too many":    {Subscriptions: make([]Subscription, MaxSubscriptions+1)},
		"no class":    {Subscriptions: []Subscription{{Filter: "x == 1"}}},
		"long filter": {Subscriptions: []Subscription{{Class: "Task", Filter: strings.Repeat("a", MaxFilterLen+1)}}},
		"long name":   {Subscriptions: []Subscription{{Class: "Task", Name: strings.Repeat("n", MaxNameLen+1)}}},
		"long args":   {Subscriptions: []Subscription{{Class: "Task", Args: make([]byte, MaxArgsLen+1)}}},
	} {
		require.True(t, terror.Is(CheckSubscribe(s), terror.ProtocolError), name)
	}
}

// A hostile subscription array claiming more elements than the frame holds
// is refused before anything is allocated for them.
func TestSubscribeArrayClaimIsBounded(t *testing.T) {
	// {"t": 13, "sub": {"subs": array32 of 2^31 elements}}
	b := []byte{0x82, 0xa1, 't', 13, 0xa3, 's', 'u', 'b', 0x81, 0xa4, 's', 'u', 'b', 's', 0xdd, 0x80, 0, 0, 0}
	_, err := Decode(b)
	require.True(t, terror.Is(err, terror.ProtocolError), "%v", err)
}

// The fields of resuming and of recovery reports survive the wire.
func TestResumeAndRefusedFieldsRoundTrip(t *testing.T) {
	for _, m := range []*Message{
		{Type: TSubscribe, Session: 1, Subscribe: &Subscribe{Version: 2, Have: 77, ViewGen: 1 << 60, Subscriptions: []Subscription{{Class: "Task"}}}},
		{Type: TDownload, Session: 1, Download: &Download{LastServerVersion: 9, Query: 2, Full: true, ViewGen: 5,
			Kept: []ObjectRef{{Class: "Task", Key: []byte{0xa1, 'a'}}}}},
		{Type: TError, Session: 1, Error: &Error{Code: "CompensatingWrite", Action: ActionNotify,
			Objects: []Refused{{Class: "Task", Key: []byte{0xa1, 'a'}, Reason: ReasonOutsideView, ClientVersion: 12, Op: 3}}}},
	} {
		b, err := Encode(m)
		require.NoError(t, err)
		got, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
}
