package value

import (
	"fmt"
	"sort"
	"strings"
)

// Dict is a dictionary value (a Realm dictionary property, "T{}"): string
// keys, each holding one scalar value. It is the same map as an embedded
// object's (Object: a msgpack map with its keys in byte order, so equal
// values encode alike on every replica, read as a JSON object): the
// bytes and JSON cannot tell the two apart, the schema does, and its
// coercion refuses a dictionary value that is not a scalar of its type.
type Dict = Object

// Keys are d's keys in byte order.
func (d Dict) Keys() []string {
	ks := make([]string, 0, len(d))
	for k := range d {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// CheckDictKey refuses a key Realm refuses: empty, starting with '$'
// (Extended JSON's marker) or holding '.' (a query's path separator).
func CheckDictKey(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("a dictionary key cannot be empty")
	case strings.HasPrefix(k, "$"):
		return fmt.Errorf("dictionary key %q starts with '$'", k)
	case strings.Contains(k, "."):
		return fmt.Errorf("dictionary key %q contains '.'", k)
	}
	return nil
}
