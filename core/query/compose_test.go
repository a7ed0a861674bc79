package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestAnd(t *testing.T) {
	f, err := And(
		Filter{Text: `name == '$0 stays' AND age > $0`, Args: []any{int64(2)}},
		Filter{Text: `tags CONTAINS "$1" OR age < $1 SORT(age DESC) LIMIT($0)`, Args: []any{int64(0), int64(9)}},
	)
	// LIMIT takes an integer literal, so this one is a lexed $N in a
	// clause: renumbered like the rest.
	require.NoError(t, err)
	require.Equal(t, `(name == '$0 stays' AND age > $0) AND (tags CONTAINS "$1" OR age < $2) SORT(age DESC) LIMIT($1)`, f.Text)
	require.Equal(t, []any{int64(2), int64(0), int64(9)}, f.Args)

	f, err = And(Filter{Text: "  "}, Filter{Text: "age == $0", Args: []any{int64(1)}}, Filter{Text: "SORT(name ASC)"})
	require.NoError(t, err)
	require.Equal(t, "(age == $0) SORT(name ASC)", f.Text)

	// One filter is kept as it is (Compile checks it).
	f, err = And(Filter{Text: "a == $3"})
	require.NoError(t, err)
	require.Equal(t, "a == $3", f.Text)
}

func TestAndErrors(t *testing.T) {
	for name, c := range map[string]struct {
		filters []Filter
		code    terror.Code
	}{
		"another filter's argument": {[]Filter{{Text: "a == $0", Args: []any{1}}, {Text: "b == $1", Args: []any{2}}}, terror.InvalidArgument},
		"LIMIT before another":      {[]Filter{{Text: "a == 1 LIMIT(2)"}, {Text: "b == 2"}}, terror.InvalidArgument},
		"unterminated string":       {[]Filter{{Text: "a == 1"}, {Text: "b == 'x"}}, terror.QuerySyntax},
	} {
		_, err := And(c.filters...)
		require.Equal(t, c.code, terror.CodeOf(err), name)
	}
}
