package query

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A merged OR answers as its terms one by one would.
func TestMergedOrMatchesTermByTerm(t *testing.T) {
	c := testClass(t)
	rng := rand.New(rand.NewPCG(1, 2))
	props := []string{"age == %d", "name == 'n%d'", "weight == %d.5", "age == null", "nick == 'n%d'", "age > %d", "tags == 'n%d'"}
	for round := 0; round < 300; round++ {
		var terms []string
		for k := rng.IntN(12) + 1; k > 0; k-- {
			f := props[rng.IntN(len(props))]
			if strings.Contains(f, "%d") {
				f = fmt.Sprintf(f, rng.IntN(10))
			}
			terms = append(terms, f)
		}
		whole, err := Compile(strings.Join(terms, " OR "), c, nil)
		require.NoError(t, err)
		var parts []*Predicate
		for _, term := range terms {
			parts = append(parts, compile(t, term))
		}
		for i := 0; i < 20; i++ {
			o := map[string]any{"age": int64(rng.IntN(10)), "name": fmt.Sprintf("n%d", rng.IntN(10)),
				"weight": float64(rng.IntN(10)) + 0.5, "nick": nil, "tags": []any{fmt.Sprintf("n%d", rng.IntN(10))}}
			if rng.IntN(3) == 0 {
				o["age"] = nil
			}
			want := false
			for _, p := range parts {
				want = want || p.Match(o)
			}
			assert.Equal(t, want, whole.Match(o), "%v on %v", terms, o)
		}
	}
}

func TestLongOrOfEqualitiesIsOneSet(t *testing.T) {
	filter, args := longOr(50000, 1000)
	p, err := Compile(filter, testClass(t), args)
	require.NoError(t, err)
	in, ok := p.root.(*inNode)
	require.True(t, ok, "%T", p.root)
	assert.NotNil(t, in.hashed)
	r, ok := p.IndexRange(func(string) bool { return true })
	require.True(t, ok)
	assert.Equal(t, "age", r.Property)
}
