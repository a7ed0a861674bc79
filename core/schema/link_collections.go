package schema

import (
	"strings"

	"github.com/tethersync/tether/core/terror"
)

// Dictionaries and sets of links ("User{}", "User<>", and the object forms
// {"type": "dictionary"|"set", "objectType": "User"}), as in Realm JS.
// Their values are links stored as the targets' primary keys, like a list
// of links: a target that is deleted or not here reads as null in a
// dictionary (the key stays, as in realm-core) and is left out of a set,
// and the link resolves again when the object comes back. Realm's rules on
// null: a dictionary of links always holds null ("User{}" is "User?{}"),
// a set of links never does ("User?<>" is refused).

// IsLinkDict reports whether p is a dictionary of links.
func (p *Property) IsLinkDict() bool { return p.Link != "" && p.Dict }

// IsLinkSet reports whether p is a set of links.
func (p *Property) IsLinkSet() bool { return p.Link != "" && p.Set }

// HoldsManyLinks reports whether p is a list, dictionary or set of links:
// a property whose backlinks the store keeps in its own index, one entry
// per (source, target).
func (p *Property) HoldsManyLinks() bool { return p.Link != "" && (p.List || p.Dict || p.Set) }

// linkCollection turns the to-one link property p (parsed from the element
// type of s) into a dictionary or set of links.
func linkCollection(s string, p Property, dict bool) (Property, error) {
	if dict {
		p.Dict, p.Optional = true, true
	} else {
		if strings.HasSuffix(s, "?<>") {
			return Property{}, terror.New(terror.InvalidArgument,
				"property type %q: a set of links cannot hold null (as in Realm); write %s<>", s, p.Link)
		}
		p.Set, p.Optional = true, false
	}
	p.Indexed = false // its backlinks live in the store's link index, not a property index
	return p, nil
}
