package ops

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
)

// Every list op on a list with hidden (unresolved) elements does to the
// visible elements what it does to a plain list of them, and keeps the
// hidden ones.
func TestApplyVisibleActsOnVisibleElements(t *testing.T) {
	hidden := func(v any) bool { s, _ := v.(string); return len(s) > 0 && s[0] == 'h' }
	here := Resolver(func(_ string, k any) bool { return !hidden(k) })
	visible := func(vals []any) []any {
		out := []any{}
		for _, v := range vals {
			if !hidden(v) {
				out = append(out, v)
			}
		}
		return out
	}
	plain := func(vals []any, a ListArgs) []any {
		out := append([]any{}, vals...)
		switch a.Verb {
		case crdt.EditInsert:
			out = append(out[:a.Index], append([]any{a.Value}, out[a.Index:]...)...)
		case crdt.EditSet:
			out[a.Index] = a.Value
		case crdt.EditRemove:
			out = append(out[:a.Index], out[a.Index+1:]...)
		case crdt.EditMove:
			x := out[a.From]
			out = append(out[:a.From], out[a.From+1:]...)
			out = append(out[:a.To], append([]any{x}, out[a.To:]...)...)
		}
		return out
	}
	for _, stored := range [][]any{
		{"h1", "a", "b", "c"}, {"a", "h1", "b", "h2", "c"}, {"a", "b", "c", "h1"}, {"h1", "a", "h2", "h3", "b", "h4"},
	} {
		n := len(visible(stored))
		var args []ListArgs
		for i := 0; i <= n; i++ {
			args = append(args, NewListArgs(crdt.EditInsert, i, 0, 0, "new"))
		}
		for i := 0; i < n; i++ {
			args = append(args, NewListArgs(crdt.EditSet, i, 0, 0, "set"), NewListArgs(crdt.EditRemove, i, 0, 0, nil))
			for j := 0; j < n; j++ {
				args = append(args, NewListArgs(crdt.EditMove, 0, i, j, nil))
			}
		}
		for _, a := range args {
			name := fmt.Sprintf("%v %v %d %d %d", stored, a.Verb, a.Index, a.From, a.To)
			l := crdt.DerivedList(crdt.Stamp{HLC: 1}, stored)
			w := &crdt.ListWriter{L: l, St: crdt.Stamp{HLC: 2}}
			vis := visibleIndexes(l, "T", here)
			require.NotNil(t, vis, name)
			require.NoError(t, applyVisible(w, &a, vis, l.Len()), name)
			got := l.Values()
			require.Equal(t, plain(visible(stored), a), visible(got), name)
			var hid []any
			for _, v := range got {
				if hidden(v) {
					hid = append(hid, v)
				}
			}
			var want []any
			for _, v := range stored {
				if hidden(v) {
					want = append(want, v)
				}
			}
			require.Equal(t, want, hid, name)
		}
		a := NewListArgs(crdt.EditRemove, n, 0, 0, nil)
		l := crdt.DerivedList(crdt.Stamp{HLC: 1}, stored)
		require.Error(t, applyVisible(&crdt.ListWriter{L: l, St: crdt.Stamp{HLC: 2}}, &a, visibleIndexes(l, "T", here), l.Len()))
	}
}
