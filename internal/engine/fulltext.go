package engine

import (
	"sort"
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Full-text indexes (schema "fullText"): the words of every value of a
// full-text indexed string property, folded as TEXT compares them
// (query.TextWords: case and Latin-1 diacritics ignored), one entry per
// word and object:
//
//	"w:" + class + ":" + property + ":" + word + "\x00" + encoded primary key -> ""
//
// Words are ASCII letters and digits after folding, so the NUL ends the
// word, and a word's objects sit together in primary key order; a
// prefix term (quick*) is one range of keys. Like the link index, the
// entries move with every setObject/deleteObject, inside the same
// transaction, and are not written to the file: load and every schema
// install rebuild them. TEXT on such a property takes its candidates
// from here (scanText): the objects having every required word; the
// predicate still matches each, for excluded words and other conjuncts.

const textIndexPrefix = "w:"

// textProps returns the full-text indexed properties of c.
func textProps(c *schema.Class) []*schema.Property {
	var out []*schema.Property
	for _, p := range c.Properties {
		if p.FullText {
			out = append(out, p)
		}
	}
	return out
}

func textEntry(class, prop, word, src string) string {
	return textIndexPrefix + class + ":" + prop + ":" + word + "\x00" + src
}

// textWordsOf returns the words of obj's value of prop.
func textWordsOf(obj map[string]any, prop string) []string {
	s, _ := obj[prop].(string)
	if s == "" {
		return nil
	}
	return query.TextWords(s)
}

// reindexText moves the full-text entries of the object at key from its
// stored form before to after ("" for none).
func (e *engine) reindexText(tx *buntdb.Tx, key, before, after string) error {
	if e.linkIndexOff {
		return nil // load rebuilds every index once at its end
	}
	class, ok := splitObjectKey(key)
	c := e.schema.Class(class) // nil-safe
	if !ok || c == nil {
		return nil
	}
	props := textProps(c)
	if len(props) == 0 {
		return nil
	}
	l := e.layout(c)
	old, err := e.linkFields(l, before)
	if err != nil {
		return err
	}
	now, err := e.linkFields(l, after)
	if err != nil {
		return err
	}
	src := key[len(classPrefix(class)):]
	for _, p := range props {
		was := map[string]bool{}
		for _, w := range textWordsOf(old, p.Name) {
			was[w] = true
		}
		for _, w := range textWordsOf(now, p.Name) {
			if was[w] {
				delete(was, w)
				continue
			}
			k := textEntry(c.Name, p.Name, w, src)
			if _, _, err := tx.Set(k, "", nil); err != nil {
				return terror.Wrap(terror.IO, err, "write %s", k)
			}
		}
		for w := range was {
			k := textEntry(c.Name, p.Name, w, src)
			if _, err := tx.Delete(k); err != nil && err != buntdb.ErrNotFound {
				return terror.Wrap(terror.IO, err, "delete %s", k)
			}
		}
	}
	return nil
}

// rebuildTextIndex drops every full-text entry and derives them again
// from the stored objects.
func (e *engine) rebuildTextIndex(tx *buntdb.Tx) error {
	var stale []string
	tx.AscendGreaterOrEqual("", textIndexPrefix, func(k, _ string) bool {
		if !strings.HasPrefix(k, textIndexPrefix) {
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
	e.textClasses = 0
	if e.schema == nil {
		return nil
	}
	for _, c := range e.schema.Classes {
		if len(textProps(c)) == 0 {
			continue
		}
		e.textClasses++
		prefix := classPrefix(c.Name)
		var keys, vals []string
		tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			keys, vals = append(keys, k), append(vals, v)
			return true
		})
		for i, k := range keys {
			if err := e.reindexText(tx, k, "", vals[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanText visits the candidates of a TEXT conjunct on a full-text
// indexed property, in primary key order, and reports whether it could.
func (cq *compiled) scanText(tx *buntdb.Tx, e *engine, visit func(k, v string) bool) bool {
	if cq.pred == nil || e.textClasses == 0 {
		return false
	}
	prop, terms, ok := cq.pred.TextPlan()
	if !ok {
		return false
	}
	if p := cq.class.Property(prop); p == nil || !p.FullText {
		return false
	}
	var cands map[string]bool
	for _, t := range terms {
		base := textIndexPrefix + cq.class.Name + ":" + prop + ":" + t.Word
		start := base
		if !t.Prefix {
			start += "\x00"
		}
		next := map[string]bool{}
		tx.AscendGreaterOrEqual("", start, func(k, _ string) bool {
			if !strings.HasPrefix(k, start) {
				return false
			}
			end := strings.IndexByte(k[len(base):], 0)
			if end < 0 {
				return true
			}
			src := k[len(base)+end+1:]
			if cands == nil || cands[src] {
				next[src] = true
			}
			return true
		})
		cands = next
		if len(cands) == 0 {
			return true
		}
	}
	srcs := make([]string, 0, len(cands))
	for s := range cands {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	prefix := classPrefix(cq.class.Name)
	for _, s := range srcs {
		k := prefix + s
		v, err := tx.Get(k)
		if err != nil {
			continue // an entry of an object that is gone: nothing to visit
		}
		if !visit(k, v) {
			break
		}
	}
	return true
}
