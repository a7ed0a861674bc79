package engine

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Lists of links ("User[]"). The stored list holds every link written,
// its targets' primary keys, whether or not the target is here: a read
// skips the absent ones (realm-core's unresolved links), and they come
// back when their object does. Their backlinks cannot live in a buntdb
// index (one index entry per object, and a list has many targets), so the
// store keeps its own, inside the same transactions as the objects:
//
//	"l:" + origin class + ":" + property + ":" + len(target) + target + source
//	  -> how many times source's list holds target
//
// (target and source as encodePK; the length, 4 hex digits, keeps one
// target's sources together and in primary key order). Every write of an
// object goes through setObject/deleteObject, which move the entries by
// the list's difference; the entries are not written to the file: load
// and every schema install rebuild them from the objects.

const linkIndexPrefix = "l:"

// linkLists returns the properties of c that hold many links: lists,
// dictionaries and sets of links (link_collections.go), whose backlinks
// all live in this index.
func linkLists(c *schema.Class) []*schema.Property {
	var out []*schema.Property
	for _, p := range c.Properties {
		if p.HoldsManyLinks() {
			out = append(out, p)
		}
	}
	return out
}

// pkEncodable reports whether v can be a primary key (a downloaded list
// may hold anything: such an element links nowhere).
func pkEncodable(v any) bool {
	switch v.(type) {
	case string, int64, value.ObjectID, value.UUID:
		return true
	}
	return false
}

// linkTargetPrefix is where the entries of one target of class.prop start.
func linkTargetPrefix(class, prop string, target any) string {
	enc := appendPK(nil, target)
	b := make([]byte, 0, len(linkIndexPrefix)+len(class)+len(prop)+8+len(enc))
	b = append(append(append(append(append(b, linkIndexPrefix...), class...), ':'), prop...), ':')
	var n [2]byte
	n[0], n[1] = byte(len(enc)>>8), byte(len(enc))
	b = hex.AppendEncode(b, n[:])
	return string(append(b, enc...))
}

// linkCounts counts the targets of a stored list, set or dictionary value.
func linkCounts(v any) map[string]int {
	vals, _ := v.([]any)
	if d, ok := v.(value.Dict); ok {
		vals = dictLinks(d)
	}
	if len(vals) == 0 {
		return nil
	}
	out := make(map[string]int, len(vals))
	for _, t := range vals {
		if pkEncodable(t) && len(encodePK(t)) < 1<<16 {
			out[encodePK(t)]++
		}
	}
	return out
}

// setObject stores an object (buntdb's Set), keeping the link index.
func (e *engine) setObject(tx *buntdb.Tx, key, val string) (prev string, replaced bool, err error) {
	prev, replaced, err = tx.Set(key, val, nil)
	if err == nil && e.linkListClasses > 0 {
		err = e.reindexLinks(tx, key, prev, val)
	}
	if err == nil && e.textClasses > 0 {
		err = e.reindexText(tx, key, prev, val)
	}
	return prev, replaced, err
}

// deleteObject deletes an object (buntdb's Delete), keeping the link index.
func (e *engine) deleteObject(tx *buntdb.Tx, key string) (string, error) {
	prev, err := tx.Delete(key)
	if err == nil && e.linkListClasses > 0 {
		err = e.reindexLinks(tx, key, prev, "")
	}
	if err == nil && e.textClasses > 0 {
		err = e.reindexText(tx, key, prev, "")
	}
	return prev, err
}

// reindexLinks moves the link index entries of the object at key from
// its stored form before to after ("" for none).
func (e *engine) reindexLinks(tx *buntdb.Tx, key, before, after string) error {
	if e.linkIndexOff {
		return nil
	}
	class, ok := splitObjectKey(key)
	c := e.schema.Class(class) // nil-safe
	if !ok || c == nil {
		return nil
	}
	l := e.layout(c)
	if len(l.linkLists) == 0 {
		return nil
	}
	src := encodePK(pkFromKey(key))
	old, err := e.linkFields(l, before)
	if err != nil {
		return err
	}
	now, err := e.linkFields(l, after)
	if err != nil {
		return err
	}
	for _, p := range l.linkLists {
		a, b := linkCounts(old[p.Name]), linkCounts(now[p.Name])
		for t, n := range b {
			if a[t] != n {
				if err := setLinkEntry(tx, c.Name, p.Name, t, src, n); err != nil {
					return err
				}
			}
		}
		for t := range a {
			if b[t] == 0 {
				if err := setLinkEntry(tx, c.Name, p.Name, t, src, 0); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (e *engine) linkFields(l *classLayout, raw string) (map[string]any, error) {
	if raw == "" {
		return nil, nil
	}
	obj, err := toObject(l, raw)
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// setLinkEntry writes n as the count of source -> target (encoded keys),
// or deletes the entry for 0.
func setLinkEntry(tx *buntdb.Tx, class, prop, target, src string, n int) error {
	var n2 [2]byte
	n2[0], n2[1] = byte(len(target)>>8), byte(len(target))
	k := linkIndexPrefix + class + ":" + prop + ":" + hex.EncodeToString(n2[:]) + target + src
	if n <= 0 {
		if _, err := tx.Delete(k); err != nil && err != buntdb.ErrNotFound {
			return terror.Wrap(terror.IO, err, "delete %s", k)
		}
		return nil
	}
	if _, _, err := tx.Set(k, strconv.Itoa(n), nil); err != nil {
		return terror.Wrap(terror.IO, err, "write %s", k)
	}
	return nil
}

// rebuildLinkIndex drops every link index entry and derives them again
// from the stored objects (after load, and after a schema install).
func (e *engine) rebuildLinkIndex(tx *buntdb.Tx) error {
	if err := e.rebuildTextIndex(tx); err != nil { // fulltext.go: derived the same way
		return err
	}
	var stale []string
	tx.AscendGreaterOrEqual("", linkIndexPrefix, func(k, _ string) bool {
		if !strings.HasPrefix(k, linkIndexPrefix) {
			return false
		}
		stale = append(stale, k)
		return true
	})
	for _, k := range stale {
		if _, err := tx.Delete(k); err != nil {
			return terror.Wrap(terror.IO, err, "delete %s", k)
		}
	}
	e.linkListClasses = 0
	if e.schema == nil {
		return nil
	}
	for _, c := range e.schema.Classes {
		l := e.layout(c)
		if len(l.linkLists) == 0 {
			continue
		}
		e.linkListClasses++
		prefix := classPrefix(c.Name)
		var keys, vals []string
		tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			keys, vals = append(keys, k), append(vals, v)
			return true
		})
		for i := range keys {
			if err := e.reindexLinks(tx, keys[i], "", vals[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// linkSources calls fn with the source's primary key and how many times
// its list class.prop holds target, in primary key order, until fn
// returns false.
func (l linker) linkSources(class, prop string, target any, fn func(src any, n int) bool) {
	l.linkSourcesEncoded(class, prop, target, func(enc string, n int) bool {
		src, ok := pkFromEncoded(enc)
		return !ok || fn(src, n)
	})
}

// linkSourcesEncoded is linkSources with each source's key as encodePK
// gives it (what an object key ends with: no decoding).
func (l linker) linkSourcesEncoded(class, prop string, target any, fn func(enc string, n int) bool) {
	if !pkEncodable(target) || len(encodePK(target)) >= 1<<16 {
		return // no entry has such a target (linkCounts leaves them out)
	}
	prefix := linkTargetPrefix(class, prop, target)
	l.tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || len(k) == len(prefix) {
			return true
		}
		return fn(k[len(prefix):], n)
	})
}

// pkFromEncoded decodes encodePK's form.
func pkFromEncoded(enc string) (any, bool) {
	if enc == "" {
		return nil, false
	}
	return pkFromKey("o:x:" + enc), true
}

// resolveList is a stored list of links as it reads: the elements whose
// target is here (the list is copied only when one is not).
func (l linker) resolveList(class string, v any) any {
	vals, ok := v.([]any)
	if !ok {
		return v
	}
	var out []any
	for i, t := range vals {
		here := pkEncodable(t) && l.exists(class, t)
		if !here && out == nil {
			out = append(make([]any, 0, len(vals)), vals[:i]...)
		} else if here && out != nil {
			out = append(out, t)
		}
	}
	if out != nil {
		return out
	}
	return v
}
