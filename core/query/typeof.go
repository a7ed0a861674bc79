package query

import (
	"strings"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// prop.@type, as realm-core's TypeOfValue: the type of a mixed value
// ('null' for null), or of any other property its declared type (a null
// optional string is a 'string'). It is compared with ==, != or IN, with
// a type name, any case: null, int/integer/long, bool/boolean, string,
// binary/bindata, date/timestamp, float, double, decimal/decimal128,
// objectId, uuid, link/object, numeric (int, float, double or decimal)
// and mixed (any). On a list it tests the elements (ANY unless ALL or
// NONE). An unknown name is InvalidArgument, another operator WrongType.

type typeBits uint16

const (
	tyNull typeBits = 1 << iota
	tyInt
	tyBool
	tyString
	tyBinary
	tyDate
	tyFloat
	tyDouble
	tyDecimal
	tyLink
	tyOID
	tyUUID
	tyNumeric = tyInt | tyFloat | tyDouble | tyDecimal
	tyAny     = 1<<iota - 1
)

var typeNames = map[string]typeBits{
	"null": tyNull, "int": tyInt, "integer": tyInt, "long": tyInt, "bool": tyBool, "boolean": tyBool,
	"string": tyString, "binary": tyBinary, "bindata": tyBinary, "date": tyDate, "timestamp": tyDate,
	"float": tyFloat, "double": tyDouble, "decimal": tyDecimal, "decimal128": tyDecimal,
	"link": tyLink, "object": tyLink, "objectid": tyOID, "uuid": tyUUID, "numeric": tyNumeric, "mixed": tyAny,
}

func typeOfValue(v any) typeBits {
	switch v.(type) {
	case nil:
		return tyNull
	case int64:
		return tyInt
	case bool:
		return tyBool
	case string:
		return tyString
	case []byte:
		return tyBinary
	case time.Time:
		return tyDate
	case float32:
		return tyFloat
	case float64:
		return tyDouble
	case value.Decimal128:
		return tyDecimal
	case value.Link:
		return tyLink
	case value.ObjectID:
		return tyOID
	case value.UUID:
		return tyUUID
	}
	return 0
}

func typeOfSchema(p *schema.Property) typeBits {
	if p.IsLink() {
		return tyLink
	}
	switch p.Type {
	case schema.Int:
		return tyInt
	case schema.Bool:
		return tyBool
	case schema.String:
		return tyString
	case schema.Data:
		return tyBinary
	case schema.Date:
		return tyDate
	case schema.Float:
		return tyFloat
	case schema.Double:
		return tyDouble
	case schema.Decimal128:
		return tyDecimal
	case schema.ObjectID:
		return tyOID
	case schema.UUID:
		return tyUUID
	}
	return 0
}

// typeNode tests the type of a property (its elements, for a list).
type typeNode struct {
	prop  string
	fixed typeBits // the declared type; 0 for mixed
	list  bool
	quant quant
	want  typeBits
	neg   bool
}

func (n *typeNode) one(v any) bool {
	t := n.fixed
	if t == 0 {
		t = typeOfValue(v)
	}
	return (t&n.want != 0) != n.neg
}

func (n *typeNode) match(obj map[string]any, _ Linker) bool {
	if !n.list {
		return n.one(obj[n.prop])
	}
	l, _ := obj[n.prop].([]any)
	for _, e := range l {
		hit := n.one(e)
		switch {
		case n.quant == qAll && !hit:
			return false
		case n.quant == qNone && hit:
			return false
		case (n.quant == qAny || n.quant == qDefault) && hit:
			return true
		}
	}
	return n.quant == qAll || n.quant == qNone
}

// buildTypeOf builds a comparison of prop.@type with type names.
func (p *parser) buildTypeOf(l operand, op opKind, r operand, opPos int) (node, error) {
	if !l.typeOf {
		l, r, op = r, l, op.flip()
	}
	if r.isProp || r.typeOf || op != opEq && op != opNe && op != opIn {
		return nil, terror.New(terror.WrongType, "at position %d: @type is compared with ==, != or IN and a type name such as 'string'", opPos)
	}
	names := []any{r.val}
	if r.isList {
		names = r.list
	} else if op == opIn {
		return nil, terror.New(terror.WrongType, "at position %d: IN needs a list of type names", opPos)
	}
	var want typeBits
	for _, nm := range names {
		s, ok := nm.(string)
		bits, known := typeNames[strings.ToLower(s)]
		if !ok || !known {
			return nil, terror.New(terror.InvalidArgument, "unable to parse the type attribute %s at position %d: the names are null, int, bool, string, binary, date, float, double, decimal, objectId, uuid, link, object, numeric and mixed", describeConst(operand{val: nm}), r.pos)
		}
		want |= bits
	}
	n := &typeNode{prop: l.prop.Name, list: l.prop.List, quant: l.quant, want: want, neg: op == opNe}
	if l.prop.Type != schema.Mixed {
		n.fixed = typeOfSchema(l.prop)
	}
	return n, nil
}
