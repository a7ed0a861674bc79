package crdt

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// checkDictEdits checks a dictionary op of someone else's changeset
// against c: one dictionary property, edits that decode, every key one
// Realm takes and every value of the element type. It returns the op
// with those values in canonical form.
func checkDictEdits(c *schema.Class, op *ChangeOp, out ChangeOp) (ChangeOp, error) {
	name, edits, err := DictEdits(op)
	if err != nil {
		return out, terror.New(terror.InvalidArgument, "dictionary op of %s: %v", c.Name, err)
	}
	p, err := c.MustProperty(name)
	if err != nil {
		return out, err
	}
	if !p.Dict {
		return out, terror.New(terror.WrongType, "dictionary op of %s.%s, which is %s, not a dictionary", c.Name, name, p.TypeString())
	}
	for i := range edits {
		if edits[i].Kind == DictDelete {
			if err := value.CheckDictKey(edits[i].Key); err != nil {
				return out, terror.New(terror.InvalidArgument, "%s.%s: %v", c.Name, name, err)
			}
			continue
		}
		v, err := c.CoerceDictEntry(p, edits[i].Key, edits[i].Value)
		if err != nil {
			return out, err
		}
		edits[i].Value = v
	}
	out.Fields = []Field{{Name: name, Value: EncodeDictEdits(edits)}}
	return out, nil
}
