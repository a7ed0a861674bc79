package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Link paths through dictionaries and sets of links, as in Realm: a set
// of links is a to-many step like a list (members.name == 'x' is ANY of
// the members, ALL/NONE as over a list); a dictionary of links steps
// through one key's value (custom['lead'].name, custom.lead.name: to one
// object, an absent key or target an object of nulls) or through all its
// values (custom.@values.name: ANY/ALL/NONE). A dictionary alone
// (custom['lead'], custom.@count, @keys, @values) stays a dictionary
// operand (dict.go), compared by the targets' primary keys.

// linkDictPath reports whether a key path after dictionary of links prop
// goes on past its key or @values (custom.lead.name, custom.@values.name).
func linkDictPath(prop *schema.Property, rest string) bool {
	return prop.IsLinkDict() && strings.Contains(rest, ".")
}

// dictHop reads the step of a link path through dictionary of links prop
// at segs[i]: the key (segs[i+1], or the bracketed key) or @values. skip
// is how many segments past prop it used.
func (p *parser) dictHop(t *token, cls *schema.Class, prop *schema.Property, segs []string, i int) (hop, int, error) {
	target := p.schema.Class(prop.Link)
	if target == nil {
		return hop{}, 0, terror.New(terror.UnknownClass, "no class %q in the schema (in %s at position %d)", prop.Link, t.text, t.pos)
	}
	h := hop{prop: prop.Name, class: target.Name, fromPK: cls.PrimaryKey, byKey: true}
	if p.bracketKey != nil && i == 0 {
		h.dictKey = *p.bracketKey
		return h, 0, nil
	}
	next := segs[i+1]
	if i+2 >= len(segs) {
		return hop{}, 0, terror.New(terror.QuerySyntax, "%s at position %d ends at a link: compare the link itself, or a property after it", t.text, t.pos)
	}
	switch {
	case strings.EqualFold(next, "@values"):
		h.byKey, h.list = false, true
	case strings.HasPrefix(next, "@"):
		return hop{}, 0, terror.New(terror.UnknownProperty, "%s at position %d: only a key or @values of a dictionary of links leads on to its objects", t.text, t.pos)
	default:
		h.dictKey = next
	}
	return h, 1, nil
}

// linkDictKeyPath reads custom['lead'].name: dictPath has consumed the
// bracketed key and the token after it is the rest (".name", lexed by
// lexAfterKey).
func (p *parser) linkDictKeyPath(t *token, key string) (operand, error) {
	rest := p.cur()
	segs := append([]string{t.text}, strings.Split(rest.text[1:], ".")...)
	p.bracketKey = &key
	o, err := p.parseLinkPath(&token{kind: tIdent, pos: t.pos, end: rest.end, text: t.text + "['" + key + "']" + rest.text}, segs)
	p.bracketKey = nil
	if err == nil {
		p.advance()
	}
	return o, err
}

// lexAfterKey lexes the key path after a bracketed key ("custom['k'].name"):
// a '.' right after ']' followed by an identifier is one token ".name.x".
func lexAfterKey(src string, i int, before []token) (token, bool) {
	if len(before) == 0 || before[len(before)-1].kind != tRBracket || before[len(before)-1].end != i ||
		i+1 >= len(src) || !isIdentStart(src[i+1]) {
		return token{}, false
	}
	j := i + 1
	for j < len(src) && (isIdentChar(src[j]) || src[j] == '.' || src[j] == '@') {
		j++
	}
	return token{kind: tIdent, pos: i, end: j, text: src[i:j]}, true
}

// dictValues lists a dictionary's values (the objects of a dictionary of
// links; the order does not matter to ANY/ALL/NONE).
func dictValues(d value.Dict) []any {
	out := make([]any, 0, len(d))
	for _, v := range d {
		out = append(out, v)
	}
	return out
}
