package schema

import (
	"math"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// coerceFloat narrows a number to float32, as Realm stores a float: a
// double becomes the nearest float (0.1 becomes 0.1f), an int the nearest
// float too; a finite double beyond float32's range is WrongType rather
// than a silent infinity.
func coerceFloat(c *Class, p *Property, v any) (any, error) {
	var f float64
	switch x := v.(type) {
	case float32:
		return x, nil
	case float64:
		f = x
	case int64:
		f = float64(x)
	default:
		return nil, c.wrongType(p, v)
	}
	if !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) > math.MaxFloat32 {
		return nil, terror.New(terror.WrongType, "%s.%s is %s, and %g is beyond a 32-bit float's range", c.Name, p.Name, p.TypeString(), f)
	}
	return float32(f), nil
}

// coerceDecimal takes a decimal128 as it is, an int exactly, and a double
// by its shortest spelling (0.1 is 0.1); a number that needs more than 34
// digits is WrongType.
func coerceDecimal(c *Class, p *Property, v any) (any, error) {
	switch x := v.(type) {
	case value.Decimal128:
		return x, nil
	case int64:
		return value.DecimalFromInt(x), nil
	case float32:
		v = float64(x)
	}
	f, ok := v.(float64)
	if !ok {
		return nil, c.wrongType(p, v)
	}
	d, err := value.DecimalFromFloat(f)
	if err != nil {
		return nil, terror.New(terror.WrongType, "%s.%s is %s: %v", c.Name, p.Name, p.TypeString(), err)
	}
	return d, nil
}
