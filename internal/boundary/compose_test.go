package boundary

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// A query's "and" filters are composed by core/query for every binding:
// each numbers its own arguments from $0, and a "$0" inside a string
// stays text.
func TestQueryAnd(t *testing.T) {
	h, err := Open([]byte(`{"inMemory":true,"schema":[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int"}}]}`))
	require.NoError(t, err)
	defer Close(h)
	require.NoError(t, Write(h, []byte(`[{"create":"Dog","value":{"_id":"1","name":"$0","age":3}},
		{"create":"Dog","value":{"_id":"2","name":"Rex","age":5}},{"create":"Dog","value":{"_id":"3","name":"$0","age":9}}]`)))
	got, err := Query(h, []byte(`{"class":"Dog","filter":"age > $0","args":[2],"and":[{"filter":"name == '$0' AND age < $0","args":[6]}]}`))
	require.NoError(t, err)
	require.JSONEq(t, `[{"_id":"1","name":"$0","age":3}]`, string(got))
	n, err := Count(h, []byte(`{"class":"Dog","and":[{"filter":"age > $0","args":[4]},{"filter":"SORT(age DESC)"}]}`))
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	_, err = Query(h, []byte(`{"class":"Dog","filter":"age > $0","args":[2],"and":[{"filter":"age < $1","args":[6]}]}`))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	_, err = Query(h, []byte(`{"class":"Dog","and":[{"filter":"age <","args":[6]},{"filter":"age < 1"}]}`))
	require.Equal(t, terror.QuerySyntax, terror.CodeOf(err))
}
