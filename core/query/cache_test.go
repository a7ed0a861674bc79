package query

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheReturnsTheCompiledPredicate(t *testing.T) {
	c := testClass(t)
	cache := NewCache(8)
	p1, err := cache.CompileIn("age > $0", nil, c, []any{3})
	require.NoError(t, err)
	p2, err := cache.CompileIn("age > $0", nil, c, []any{int64(3)}) // the same value, another Go type
	require.NoError(t, err)
	assert.Same(t, p1, p2)
	p3, err := cache.CompileIn("age > $0", nil, c, []any{4})
	require.NoError(t, err)
	assert.NotSame(t, p1, p3)
	assert.False(t, p3.Match(map[string]any{"age": int64(4)}))
	p4, err := cache.CompileIn("age > $0", nil, c, []any{3.0}) // a double is another key
	require.NoError(t, err)
	assert.NotSame(t, p1, p4)
	p5, err := cache.CompileIn("age IN $0", nil, c, []any{[]int{1, 2}})
	require.NoError(t, err)
	p6, err := cache.CompileIn("age IN $0", nil, c, []any{[]any{1, 2}})
	require.NoError(t, err)
	assert.Same(t, p5, p6)
	p7, err := cache.CompileIn("born > $0", nil, c, []any{day})
	require.NoError(t, err)
	p8, err := cache.CompileIn("born > $0", nil, c, []any{day.Add(time.Nanosecond)})
	require.NoError(t, err)
	assert.NotSame(t, p7, p8)
	// errors are not cached, and arguments Compile refuses still fail
	_, err = cache.CompileIn("age >", nil, c, nil)
	assert.Error(t, err)
	_, err = cache.CompileIn("age > $0", nil, c, []any{struct{}{}})
	assert.Error(t, err)
	// another class (as after a schema change) is another key
	p9, err := cache.CompileIn("age > $0", nil, testClass(t), []any{3})
	require.NoError(t, err)
	assert.NotSame(t, p1, p9)
}

func TestCacheIsBounded(t *testing.T) {
	c := testClass(t)
	cache := NewCache(16)
	for i := 0; i < 1000; i++ {
		_, err := cache.CompileIn(fmt.Sprintf("age > %d", i), nil, c, nil)
		require.NoError(t, err)
		require.LessOrEqual(t, cache.Len(), 16)
	}
	// the most recently used survive
	p, _ := cache.CompileIn("age > 999", nil, c, nil)
	q, _ := cache.CompileIn("age > 999", nil, c, nil)
	assert.Same(t, p, q)
}

// longOr is the worst case: a 50,000-term OR over 1,000 arguments.
func longOr(terms, nargs int) (string, []any) {
	var b strings.Builder
	args := make([]any, nargs)
	for i := range args {
		args[i] = int64(i * 7)
	}
	for i := 0; i < terms; i++ {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "age == $%d", i%nargs)
	}
	return b.String(), args
}

// BenchmarkLongOrCompileAndRun compiles the 50,000-term OR with 1,000
// arguments and matches 10,000 objects against it (the issue asks for
// under a second; measured: see the report).
func BenchmarkLongOrCompileAndRun(b *testing.B) {
	c := testClass(b)
	filter, args := longOr(50000, 1000)
	objs := make([]map[string]any, 10000)
	for i := range objs {
		objs[i] = map[string]any{"age": int64(i)}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		p, err := Compile(filter, c, args)
		if err != nil {
			b.Fatal(err)
		}
		hits := 0
		for _, o := range objs {
			if p.Match(o) {
				hits++
			}
		}
		if hits != 1000 {
			b.Fatalf("%d hits", hits)
		}
	}
}

// BenchmarkCachedCompile is the same query through a Cache: what a
// re-render costs.
func BenchmarkCachedCompile(b *testing.B) {
	c := testClass(b)
	filter, args := longOr(50000, 1000)
	cache := NewCache(4)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := cache.CompileIn(filter, nil, c, args); err != nil {
			b.Fatal(err)
		}
	}
}
