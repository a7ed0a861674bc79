package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// A transaction whose changeset could never fit a sync frame is refused
// whole at write time: accepted, it would never sync, and every later
// write of the device would wait behind it.
func TestTransactionOverSizeLimitRefused(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "rex", "name": "Rex"}}}))
	before := dump(t, db)
	st0, err := db.SyncState()
	require.NoError(t, err)

	// One 17 MiB value.
	big := strings.Repeat("x", 17<<20)
	err = db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "big", "name": big}}})
	requireCode(t, err, terror.InvalidArgument)
	require.Contains(t, err.Error(), "limit")

	// Many values, each small, adding up to more than the limit; the
	// first ops of the transaction do not stay behind.
	err = db.Write(func(tx *WriteTx) error {
		if err := tx.Update("Dog", "rex", Object{"name": "changed"}); err != nil {
			return err
		}
		chunk := strings.Repeat("y", 1<<20)
		for i := 0; i*len(chunk) <= crdt.MaxChangeset; i++ {
			if err := tx.Create("Dog", Object{"_id": "d" + string(rune('a'+i%26)) + strings.Repeat("z", i/26), "name": chunk}); err != nil {
				return err
			}
		}
		return nil
	})
	requireCode(t, err, terror.InvalidArgument)

	require.Equal(t, before, dump(t, db), "nothing of either transaction is written")
	st, err := db.SyncState()
	require.NoError(t, err)
	require.Equal(t, st0.LocalVersion, st.LocalVersion)

	// A transaction just under the limit commits.
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "large", "name": strings.Repeat("x", crdt.MaxChangeset-1024)}}}))
}
