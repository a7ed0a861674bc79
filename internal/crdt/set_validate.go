package crdt

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// checkSetEdits checks a set op of someone else's changeset against c:
// one set property, edits that decode, every added value of the element
// type. It returns the op with those values in canonical form.
func checkSetEdits(c *schema.Class, op *ChangeOp, out ChangeOp) (ChangeOp, error) {
	name, edits, err := SetEdits(op)
	if err != nil {
		return out, terror.New(terror.InvalidArgument, "set op of %s: %v", c.Name, err)
	}
	p, err := c.MustProperty(name)
	if err != nil {
		return out, err
	}
	if !p.Set {
		return out, terror.New(terror.WrongType, "set op of %s.%s, which is %s, not a set", c.Name, name, p.TypeString())
	}
	for i := range edits {
		if edits[i].Kind != SetAdd {
			continue
		}
		v, err := c.CoerceElem(p, edits[i].Value)
		if err != nil {
			return out, err
		}
		edits[i].Value = v
	}
	out.Fields = []Field{{Name: name, Value: EncodeSetEdits(edits)}}
	return out, nil
}
