package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/testfill"
)

// Every field of every message survives a round trip: a field added to a
// message and not to decode.go fails here.
func TestDecodeReadsEveryField(t *testing.T) {
	m := testfill.Filled[Message]()
	m.Type = TBind // check() wants a known type
	b, err := Encode(&m)
	require.NoError(t, err)
	got, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, &m, got)
}
