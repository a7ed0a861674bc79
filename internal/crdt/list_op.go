package crdt

import "fmt"

// ListOp is the changeset op that records edits of one list property.
func ListOp(class string, key any, property string, edits []Edit) ChangeOp {
	return ChangeOp{Kind: OpList, Class: class, Key: key, Fields: []Field{{Name: property, Value: EncodeEdits(edits)}}}
}

// ListEdits is a list op's property and edits.
func ListEdits(op *ChangeOp) (property string, edits []Edit, err error) {
	if op.Kind != OpList || len(op.Fields) != 1 {
		return "", nil, fmt.Errorf("a list op has one field, not %d", len(op.Fields))
	}
	b, ok := op.Fields[0].Value.([]byte)
	if !ok {
		return "", nil, fmt.Errorf("a list op's edits are bytes, not %T", op.Fields[0].Value)
	}
	edits, err = DecodeEdits(b)
	return op.Fields[0].Name, edits, err
}

// checkCollectionOp refuses a list or dictionary op whose edits do not
// decode (other kinds pass).
func checkCollectionOp(op *ChangeOp) error {
	var err error
	switch op.Kind {
	case OpList:
		_, _, err = ListEdits(op)
	case OpDict:
		_, _, err = DictEdits(op)
	case OpSet:
		_, _, err = SetEdits(op)
	}
	return err
}
