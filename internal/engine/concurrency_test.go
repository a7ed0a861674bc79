package engine

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrentReadersAndWriters runs writers and readers at once (under
// -race in make test): every read sees whole transactions only.
func TestConcurrentReadersAndWriters(t *testing.T) {
	db := openMem(t)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				// Each transaction creates two dogs with the same age, so a
				// reader that saw half a transaction would count an odd number.
				err := db.Apply([]Op{
					{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprintf("%d-%d-a", w, i), "name": "x", "age": int64(w)}},
					{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprintf("%d-%d-b", w, i), "name": "y", "age": int64(w)}},
				})
				require.NoError(t, err)
			}
		}(w)
	}
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				n, err := db.Count(Query{Class: "Dog", Filter: "age == $0", Args: []any{int64(i % 3)}})
				require.NoError(t, err)
				require.Equal(t, 0, n%2)
			}
		}()
	}
	wg.Wait()
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 600, n)
}
