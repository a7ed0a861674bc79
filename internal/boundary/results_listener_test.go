package boundary

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A results listener's events carry positions in the sorted results
// besides the keys, for every binding to hand to its list UIs.
func TestResultsListenerJSON(t *testing.T) {
	h, err := Open([]byte(cfg))
	require.NoError(t, err)
	defer Close(h)
	var got []string
	id, err := AddResultsListener(h, []byte(`{"class":"Dog","sort":"age DESC"}`), func(b []byte) { got = append(got, string(b)) })
	require.NoError(t, err)
	v0, err := DataVersion(h)
	require.NoError(t, err)
	require.NoError(t, Write(h, []byte(`[{"create":"Dog","value":{"_id":"a","age":3}},{"create":"Dog","value":{"_id":"b","age":5}}]`)))
	require.NoError(t, Write(h, []byte(`[{"update":"Dog","key":"a","set":{"age":9}},{"delete":"Dog","key":"b"}]`)))
	v1, err := DataVersion(h)
	require.NoError(t, err)
	require.NotEqual(t, v0, v1, "commits change the data version")
	require.Len(t, got, 2)
	require.JSONEq(t, `{"class":"Dog","inserted":["a","b"],"modified":[],"deleted":[],
		"deletions":[],"insertions":[0,1],"oldModifications":[],"newModifications":[]}`, got[0])
	require.JSONEq(t, `{"class":"Dog","inserted":[],"modified":["a"],"deleted":["b"],
		"deletions":[0],"insertions":[],"oldModifications":[1],"newModifications":[0]}`, got[1])
	require.NoError(t, RemoveListener(id))
}
