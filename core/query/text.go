package query

import (
	"strings"
	"unicode/utf8"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// TEXT, Realm's full-text search: name TEXT 'computer dancing' matches a
// string holding both words; -word excludes a word and word* matches a
// prefix. Words are runs of letters and digits of ASCII and the Latin-1
// supplement (anything else separates them: full-text is two words),
// compared ignoring case and diacritics (café is cafe), as the Realm SDKs
// document their full-text index. Tether has no separate full-text index
// yet: TEXT reads any string property (a reading; Realm requires the
// property to have one).

type textTerm struct {
	word   string
	prefix bool
}

// textNode matches a string property against a TEXT query.
type textNode struct {
	prop    string
	include []textTerm
	exclude []textTerm
}

func (n *textNode) match(obj map[string]any, _ Linker) bool {
	s, ok := obj[n.prop].(string)
	if !ok {
		return false
	}
	words := textWords(s)
	for _, t := range n.include {
		if !hasWord(words, t) {
			return false
		}
	}
	for _, t := range n.exclude {
		if hasWord(words, t) {
			return false
		}
	}
	return true
}

func hasWord(words []string, t textTerm) bool {
	for _, w := range words {
		if w == t.word || t.prefix && strings.HasPrefix(w, t.word) {
			return true
		}
	}
	return false
}

// textWords splits s into folded words.
func textWords(s string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		f, ok := foldTextRune(r)
		if !ok {
			flush()
			continue
		}
		b.WriteString(f)
	}
	flush()
	return words
}

// latin1Base folds the letters of U+00C0..U+00FF to lower-case ASCII.
const latin1Base = "aaaaaaaceeeeiiii" + "dnooooo_ouuuuyts" + "aaaaaaaceeeeiiii" + "dnooooo_ouuuuyty"

// foldTextRune folds a word character; false for a separator.
func foldTextRune(r rune) (string, bool) {
	switch {
	case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		return string(r), true
	case r >= 'A' && r <= 'Z':
		return string(r + 'a' - 'A'), true
	case r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7:
		switch r {
		case 0xC6, 0xE6: // Æ æ
			return "ae", true
		case 0xDF: // ß
			return "ss", true
		case 0xDE, 0xFE: // Þ þ
			return "th", true
		}
		return latin1Base[r-0xC0 : r-0xC0+1], true
	}
	return "", false
}

// buildText builds prop TEXT 'query'.
func (p *parser) buildText(l operand, ci bool, r operand, opPos int) (node, error) {
	if ci {
		return nil, syntaxErr(opPos, "TEXT at position %d takes no modifier: it always ignores case and diacritics", opPos)
	}
	if !l.isProp || l.linked() || l.count || l.derive != nil || l.prop.List || l.prop.Dict || l.prop.Set || l.prop.Type != schema.String {
		return nil, terror.New(terror.WrongType, "TEXT at position %d needs a string property on its left, got %s", opPos, l.text)
	}
	q, ok := r.val.(string)
	if !ok || r.isProp || r.isList || r.arith != nil {
		return nil, terror.New(terror.WrongType, "TEXT at position %d needs a string on its right, got %s", opPos, r.text)
	}
	n := &textNode{prop: l.prop.Name}
	for _, field := range strings.Fields(q) {
		exclude := strings.HasPrefix(field, "-")
		field = strings.TrimPrefix(field, "-")
		prefix := strings.HasSuffix(field, "*")
		field = strings.TrimSuffix(field, "*")
		words := textWords(field)
		for k, w := range words {
			t := textTerm{word: w, prefix: prefix && k == len(words)-1}
			if exclude {
				n.exclude = append(n.exclude, t)
			} else {
				n.include = append(n.include, t)
			}
		}
	}
	if len(n.include) == 0 && len(n.exclude) == 0 {
		return nil, syntaxErr(r.pos, "TEXT at position %d has no word to search for in %q", opPos, truncate(q))
	}
	return n, nil
}

func truncate(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// TextWords returns the distinct folded words of s, as TEXT compares
// them: what a full-text index keeps for a value.
func TextWords(s string) []string {
	words := textWords(s)
	seen := make(map[string]struct{}, len(words))
	out := words[:0]
	for _, w := range words {
		if _, dup := seen[w]; !dup {
			seen[w] = struct{}{}
			out = append(out, w)
		}
	}
	return out
}

// TextTerm is a word a TEXT query requires: Word itself, or with Prefix
// any word that starts with it.
type TextTerm struct {
	Word   string
	Prefix bool
}

// TextPlan finds a conjunct of the filter that is prop TEXT '...' with at
// least one required word: the store may take the candidates from its
// full-text index of prop (the objects having every term). Candidates
// must still Match (excluded words, the other conjuncts).
func (p *Predicate) TextPlan() (prop string, terms []TextTerm, ok bool) {
	if p == nil || p.root == nil {
		return "", nil, false
	}
	conj := []node{p.root}
	if a, isAnd := p.root.(andNode); isAnd {
		conj = a
	}
	for _, c := range conj {
		if t, isText := c.(*textNode); isText && len(t.include) > 0 {
			terms = make([]TextTerm, len(t.include))
			for i, w := range t.include {
				terms[i] = TextTerm{Word: w.word, Prefix: w.prefix}
			}
			return t.prop, terms, true
		}
	}
	return "", nil, false
}
