package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// ParseSort parses a sort specification such as "name ASC, age DESC" (the
// same syntax as inside SORT(...); ASC is the default, and ASCENDING and
// DESCENDING are accepted, in any case). An empty s gives no keys.
func ParseSort(s string, class *schema.Class) (keys []SortKey, err error) {
	if class == nil {
		return nil, terror.New(terror.InvalidArgument, "query: no class given")
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			keys, err = nil, terror.New(terror.Internal, "query: internal error parsing sort %q: %v", s, r)
		}
	}()
	p := newParser(s, class, nil)
	return p.parseSortKeys(tEOF, "',' or the end of the sort")
}

// Less reports whether object a sorts before object b by keys: the first
// key on which they differ decides. Values are ordered by value.Compare;
// null (or absent) comes first ascending and last descending, as in Realm.
// Values of kinds that have no order between them (only possible in data
// that does not fit the schema) are ordered by kind name, so that sorting
// stays deterministic.
func Less(keys []SortKey, a, b map[string]any) bool {
	for _, k := range keys {
		c := compareForSort(sortValue(a, k.Property), sortValue(b, k.Property))
		if c == 0 {
			continue
		}
		if k.Descending {
			return c > 0
		}
		return c < 0
	}
	return false
}

func compareForSort(x, y any) int {
	if c, ok := value.Compare(x, y); ok {
		return c
	}
	return strings.Compare(value.Kind(x), value.Kind(y))
}

// parseSortKeys reads "name [ASC|DESC], ..." up to (not including) a token
// of kind end. Shared by SORT(...) and ParseSort.
func (p *parser) parseSortKeys(end tokKind, sepWhat string) ([]SortKey, error) {
	var keys []SortKey
	for {
		t := p.cur()
		if t.kind != tIdent {
			return nil, p.expected("a property name")
		}
		if strings.Contains(t.text, ".") {
			k, err := p.parseSortPath(t)
			if err != nil {
				return nil, err
			}
			p.advance()
			if d := p.cur(); d.is("DESC") || d.is("DESCENDING") {
				k.Descending = true
				p.advance()
			} else if d.is("ASC") || d.is("ASCENDING") {
				p.advance()
			}
			keys = append(keys, k)
			switch p.cur().kind {
			case tComma:
				p.advance()
				continue
			case end:
				return keys, nil
			default:
				return nil, p.expected(sepWhat)
			}
		}
		prop := p.class.Property(t.text)
		if prop == nil {
			return nil, terror.New(terror.UnknownProperty, "class %s has no property %q to sort by (at position %d)", p.class.Name, t.text, t.pos)
		}
		if prop.List || prop.IsEmbedded() {
			return nil, terror.New(terror.WrongType, "cannot sort by %s.%s at position %d: it is a list or an embedded object (%s)", p.class.Name, t.text, t.pos, prop.TypeString())
		}
		p.advance()
		k := SortKey{Property: prop.Name}
		switch d := p.cur(); {
		case d.is("ASC"), d.is("ASCENDING"):
			p.advance()
		case d.is("DESC"), d.is("DESCENDING"):
			k.Descending = true
			p.advance()
		}
		keys = append(keys, k)
		switch p.cur().kind {
		case tComma:
			p.advance()
		case end:
			return keys, nil
		default:
			return nil, p.expected(sepWhat)
		}
	}
}
