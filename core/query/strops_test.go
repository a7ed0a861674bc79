package query

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLikeMatch(t *testing.T) {
	tests := []struct {
		s, pattern string
		ci, want   bool
	}{
		{"", "", false, true},
		{"", "*", false, true},
		{"", "?", false, false},
		{"abc", "abc", false, true},
		{"abc", "a?c", false, true},
		{"abc", "a*", false, true},
		{"abc", "*c", false, true},
		{"abc", "*b*", false, true},
		{"abc", "*d*", false, false},
		{"abc", "ab", false, false},
		{"ab", "abc", false, false},
		{"abc", "ABC", false, false},
		{"abc", "ABC", true, true},
		{"aXbXc", "a*b*c", false, true},
		{"aaaab", "*a*ab", false, true},
		{"mississippi", "m*iss*ppi", false, true},
		{"mississippi", "m*iss*ppx", false, false},
		{"héllo", "h?llo", false, true},
		{"HÉLLO", "h?llo", true, true},
		{"HÉLLO", "hé*", true, true},
		{"\xff", "?", false, true},
		{"\xff", "\xfe", false, false},
		{"a*b", "a*b", false, true},
		{strings.Repeat("a", 1000), strings.Repeat("*a", 50) + "b", false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, likeMatch(tt.s, tt.pattern, tt.ci), "%q LIKE %q (ci %v)", tt.s, tt.pattern, tt.ci)
	}
}

func TestFoldHelpers(t *testing.T) {
	assert.True(t, equalFold("Straße", "STRAßE"))
	assert.False(t, equalFold("abc", "abcd"))
	assert.True(t, hasPrefixFold("Σίσυφος", "σΊ"))
	assert.False(t, hasPrefixFold("ab", "abc"))
	assert.True(t, hasSuffixFold("ΣίσυφοΣ", "οσ"))
	assert.True(t, hasSuffixFold("ΣίσυφοΣ", "ος")) // final sigma folds with sigma
	assert.False(t, hasSuffixFold("b", "ab"))
	assert.True(t, containsFold("Hello World", "O W"))
	assert.True(t, containsFold("x", ""))
	assert.False(t, containsFold("", "x"))
	assert.True(t, containsFold("ǅ", "ǆ")) // title case
	assert.Equal(t, "straße σ k", foldString("STRAßE Σ \u212A"))
	s := "already lower"
	assert.Equal(t, s, foldString(s))
}

// The allocation-free fold helpers must agree with folding both strings
// first and comparing them case-sensitively.
func TestFoldHelpersAgreeWithFoldString(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "A", "b", "ß", "σ", "Σ", "ς", "\u212A", "k", "K", "*", "?", "\xff", "é", "É", "İ", "i"}
	rs := func() string {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 20000 {
		s, u := rs(), rs()
		fs, fu := foldString(s), foldString(u)
		if equalFold(s, u) != (fs == fu) || hasPrefixFold(s, u) != strings.HasPrefix(fs, fu) ||
			hasSuffixFold(s, u) != strings.HasSuffix(fs, fu) || containsFold(s, u) != strings.Contains(fs, fu) ||
			likeMatch(s, u, true) != likeMatch(fs, fu, false) {
			t.Fatalf("fold helpers disagree on %q, %q", s, u)
		}
	}
}
