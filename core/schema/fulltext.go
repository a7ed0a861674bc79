package schema

import "github.com/tethersync/tether/core/terror"

// Full-text indexes, Realm's indexed: "full-text" (realm-js) or
// @FullText (realm-kotlin), spelled as a class's list beside "indexed":
//
//	{"name": "Book", "primaryKey": "_id", "properties": {...}, "fullText": ["title"]}
//
// Only a single string property can have one (Realm's rule); the store
// keeps the words of its values (internal/engine/fulltext.go) and the
// query planner answers TEXT from them. A property may be both indexed
// and full-text indexed.

func applyFullText(c *Class, cj ClassJSON) error {
	for _, name := range cj.FullText {
		p := c.byName[name]
		if p == nil {
			return terror.New(terror.InvalidArgument, "full-text indexed property %q is not a property of class %q", name, cj.Name)
		}
		if p.Type != String || p.List || p.Dict || p.Set {
			return terror.New(terror.InvalidArgument, "%s.%s of type %s cannot have a full-text index: only a string property can", cj.Name, name, p.TypeString())
		}
		p.FullText = true
	}
	return nil
}
