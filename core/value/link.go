package value

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Link is a reference to an object held in a mixed value: its class and
// primary key (a string, int64, ObjectID or UUID). It stays a link when
// the object is absent: readers resolve it against the objects they hold.
type Link struct {
	Class string
	Key   any
}

// extLink is the msgpack ext type of a Link: the class as a msgpack
// string, then the key as a msgpack value.
const extLink = 4

// appendLink encodes a link as msgpack ext type 4.
func appendLink(b []byte, l Link) []byte {
	payload := Append(AppendString(nil, l.Class), l.Key)
	n := len(payload)
	switch {
	case n <= 0xff:
		b = append(b, 0xc7, byte(n), extLink)
	case n <= 0xffff:
		b = append(b, 0xc8, byte(n>>8), byte(n), extLink)
	default:
		b = append(b, 0xc9, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), extLink)
	}
	return append(b, payload...)
}

// decodeLink reads a link's ext payload.
func decodeLink(p []byte) (Link, error) {
	cls, n, err := ReadStringBytes(p)
	if err != nil {
		return Link{}, malformed("link class: %v", err)
	}
	key, m, err := Decode(p[n:])
	if err != nil {
		return Link{}, malformed("link key: %v", err)
	}
	if n+m != len(p) {
		return Link{}, malformed("link of %d bytes holds %d", len(p), n+m)
	}
	if !IsLinkKey(key) {
		return Link{}, malformed("link key of kind %s", Kind(key))
	}
	return Link{Class: string(cls), Key: key}, nil
}

// IsLinkKey reports whether v can be a primary key a link names.
func IsLinkKey(v any) bool {
	switch v.(type) {
	case string, int64, ObjectID, UUID:
		return true
	}
	return false
}

// linkFromJSON reads the body of {"$link": {"class": "User", "key": "u1"}}.
func linkFromJSON(raw any) (any, error) {
	m, ok := raw.(map[string]any)
	if !ok || len(m) != 2 {
		return nil, fmt.Errorf(`$link wants {"class": "User", "key": <primary key>}`)
	}
	cls, ok := m["class"].(string)
	if !ok || cls == "" {
		return nil, fmt.Errorf(`$link wants a "class" string`)
	}
	kj, ok := m["key"]
	if !ok {
		return nil, fmt.Errorf(`$link wants a "key"`)
	}
	key, err := FromJSON(kj)
	if err != nil {
		return nil, fmt.Errorf("$link key: %v", err)
	}
	if !IsLinkKey(key) {
		return nil, fmt.Errorf("$link key must be a string, int, objectId or uuid, got %s", Kind(key))
	}
	return Link{Class: cls, Key: key}, nil
}

// linkToJSON is the Extended JSON of a link.
func linkToJSON(l Link) any {
	return map[string]any{"$link": map[string]any{"class": l.Class, "key": ToJSON(l.Key)}}
}

// AppendLinkJSON appends a link's Extended JSON.
func AppendLinkJSON(b []byte, l Link, appendValue func([]byte, any) []byte) []byte {
	cls, _ := json.Marshal(l.Class)
	b = append(b, `{"$link":{"class":`...)
	b = append(b, cls...)
	b = append(b, `,"key":`...)
	b = appendValue(b, l.Key)
	return append(b, "}}"...)
}

// compareLinks orders links by class, then key.
func compareLinks(x, y Link) (int, bool) {
	if c := strings.Compare(x.Class, y.Class); c != 0 {
		return c, true
	}
	return Compare(x.Key, y.Key)
}
