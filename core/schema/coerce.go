package schema

import (
	"math"
	"time"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Coerce checks that v fits the property and returns it in its canonical Go
// form (an int written to a double property becomes a float64; a whole
// double written to an int property becomes an int64). Anything else that
// does not fit is a WrongType error naming the class, property and types.
func (c *Class) Coerce(p *Property, v any) (any, error) {
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
		}
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

// Zero is the value a required property gets when an object is created
// without it (as Realm's SDKs do for required fields without a default).
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
	}
	return nil
}
