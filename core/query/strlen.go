package query

import "github.com/tethersync/tether/core/schema"

// The length of a string or binary: name.@size and name.@count, as in
// Realm, count its bytes (realm-core's StringData::size, UTF-8), and null
// has length 0. JavaScript's .length is not Realm's: name.length is a
// key path, refused with UnknownProperty.

// hasSize reports whether @size/@count apply to a single-valued property.
func hasSize(p *schema.Property) bool {
	return !p.List && (p.Type == schema.String || p.Type == schema.Data)
}
