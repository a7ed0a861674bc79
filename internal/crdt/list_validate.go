package crdt

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// checkListEdits checks a list op of someone else's changeset against c: one
// list property, edits that decode, every inserted or set value of the
// element type. It returns the op with those values in canonical form.
func checkListEdits(c *schema.Class, op *ChangeOp, out ChangeOp) (ChangeOp, error) {
	name, edits, err := ListEdits(op)
	if err != nil {
		return out, terror.New(terror.InvalidArgument, "list op of %s: %v", c.Name, err)
	}
	p, err := c.MustProperty(name)
	if err != nil {
		return out, err
	}
	if !p.List {
		return out, terror.New(terror.WrongType, "list op of %s.%s, which is %s, not a list", c.Name, name, p.TypeString())
	}
	for i := range edits {
		if edits[i].Kind != EditInsert && edits[i].Kind != EditSet {
			continue
		}
		one, err := c.Coerce(p, []any{edits[i].Value})
		if err != nil {
			return out, err
		}
		edits[i].Value = one.([]any)[0]
	}
	out.Fields = []Field{{Name: name, Value: EncodeEdits(edits)}}
	return out, nil
}
