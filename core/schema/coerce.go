package schema

import (
	"math"
	"strings"
	"time"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Coerce checks that v fits the property and returns it in its canonical Go
// form (an int written to a double property becomes a float64; a whole
// double written to an int property becomes an int64). Anything else that
// does not fit is a WrongType error naming the class, property and types.
func (c *Class) Coerce(p *Property, v any) (any, error) {
	if p.Embedded != nil {
		return c.coerceEmbedded(p, v)
	}
	if p.List {
		if v == nil {
			return []any{}, nil
		}
		list, ok := v.([]any)
		if !ok {
			return nil, c.wrongType(p, v)
		}
		out := make([]any, len(list))
		for i, e := range list {
			ce, err := c.coerceScalar(p, e)
			if err != nil {
				return nil, err
			}
			out[i] = ce
		}
		return out, nil
	}
	return c.coerceScalar(p, v)
}

func (c *Class) coerceScalar(p *Property, v any) (any, error) {
	if _, isObj := v.(value.Object); isObj { // only an embedding property holds one (coerceEmbedded)
		return nil, terror.New(terror.InvalidArgument, "%s.%s is %s: a JSON object is an embedded object, which only a property of an embedded class holds", c.Name, p.Name, p.TypeString())
	}
	if v == nil {
		if p.Optional {
			return nil, nil
		}
		return nil, terror.New(terror.WrongType, "%s.%s is a required %s and cannot be null", c.Name, p.Name, p.TypeString())
	}
	switch p.Type {
	case String:
		if _, ok := v.(string); ok {
			return v, nil
		}
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
				return int64(x), nil
			}
		}
	case Double:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case float32:
			return float64(x), nil
		}
	case Float:
		return coerceFloat(c, p, v)
	case Decimal128:
		return coerceDecimal(c, p, v)
	case Mixed:
		if value.Kind(v) == "list" || strings.HasPrefix(value.Kind(v), "unsupported") {
			return nil, terror.New(terror.WrongType, "%s.%s is mixed, which holds one scalar value, got %s", c.Name, p.Name, value.Kind(v))
		}
		return v, nil
	case Bool:
		if _, ok := v.(bool); ok {
			return v, nil
		}
	case Date:
		if t, ok := v.(time.Time); ok {
			return t.UTC(), nil
		}
	case Data:
		if _, ok := v.([]byte); ok {
			return v, nil
		}
	case ObjectID:
		if _, ok := v.(value.ObjectID); ok {
			return v, nil
		}
	case UUID:
		if _, ok := v.(value.UUID); ok {
			return v, nil
		}
	}
	return nil, c.wrongType(p, v)
}

func (c *Class) wrongType(p *Property, v any) error {
	return terror.New(terror.WrongType, "%s.%s is %s, got %s", c.Name, p.Name, p.TypeString(), value.Kind(v))
}

// Initial is what a new object holds for p when a create leaves it out
// (SPEC.md, Realm JS's rule): its declared default, else an empty list for
// a list and null for an optional property. ok is false for a required
// property without a default: such a create fails with InvalidArgument.
func (p *Property) Initial() (v any, ok bool) {
	switch {
	case p.HasDefault:
		return p.Default, true
	case p.List:
		return []any{}, true
	case p.Optional:
		return nil, true
	}
	return nil, false
}

// Fill is the value a stored object is given for p when it lacks one (a
// remote create, an object migrated to a schema that added p): Initial's
// value, else (a required property without a default) its zero value.
func (p *Property) Fill() any {
	if v, ok := p.Initial(); ok {
		return v
	}
	return p.Zero()
}

// Fills reports whether new objects are given a value for p (Fill) when
// a create or an upsert that creates leaves it out.
func (p *Property) Fills() bool { return !p.Optional || p.List || p.HasDefault }

// Zero is the zero value of p's type (an empty list for a list, null for
// an optional property).
func (p *Property) Zero() any {
	if p.List {
		return []any{}
	}
	if p.Optional {
		return nil
	}
	switch p.Type {
	case String:
		return ""
	case Int:
		return int64(0)
	case Double:
		return float64(0)
	case Bool:
		return false
	case Date:
		return time.Unix(0, 0).UTC()
	case Data:
		return []byte{}
	case ObjectID:
		return value.ObjectID{}
	case UUID:
		return value.UUID{}
	case Float:
		return float32(0)
	case Decimal128:
		return value.DecimalFromInt(0)
	}
	return nil
}
