package server

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/testfill"
)

// Every field of every stored type survives a round trip: a field added to
// a stored type and not to record_codec.go fails here (ClientInfo.Owner did).
func TestRecordCodecReadsEveryField(t *testing.T) {
	for _, r := range []Record{
		{History: new(testfill.Filled[HistoryRecord]())},
		{Meta: new(testfill.Filled[Meta]())},
		{Client: new(testfill.Filled[ClientInfo]())},
	} {
		got, err := decodeRecord(mustMarshal(r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	}
	h := testfill.Filled[snapHeader]()
	gh, err := decodeSnapHeader(mustMarshal(h))
	require.NoError(t, err)
	require.Equal(t, h, gh)
	b := testfill.Filled[snapBatch]()
	gb, err := decodeSnapBatch(mustMarshal(b))
	require.NoError(t, err)
	require.Equal(t, b, gb)
}
