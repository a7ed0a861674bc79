package query

import "github.com/tethersync/tether/core/value"

// Decimal128 in arithmetic, as realm-core's Mixed arithmetic has it: when
// either operand is a decimal the other is converted (an int exactly, a
// double rounded to 15 significant digits and a float to 7, as
// realm-core's Decimal128(double) constructor does) and the result is a
// decimal, computed exactly and rounded to 34 digits. A decimal result is
// compared with a double the same way, so price * 3 == 0.3 holds for a
// price of 0.1 as it does in Realm (in doubles it would not).

// toDecimal converts a number for decimal arithmetic.
func toDecimal(v any) (value.Decimal128, bool) {
	switch x := v.(type) {
	case value.Decimal128:
		return x, true
	case int64:
		return value.DecimalFromInt(x), true
	case float64:
		return value.DecimalFromDouble(x, 15), true
	case float32:
		return value.DecimalFromDouble(float64(x), 7), true
	}
	return value.Decimal128{}, false
}

// decimalArith computes a op b when either is a decimal.
func decimalArith(op byte, a, b any) (any, bool) {
	_, da := a.(value.Decimal128)
	_, db := b.(value.Decimal128)
	if !da && !db {
		return nil, false
	}
	x, ok1 := toDecimal(a)
	y, ok2 := toDecimal(b)
	if !ok1 || !ok2 {
		return nil, true // null, or not a number (in a mixed): null
	}
	return value.DecimalArith(op, x, y), true
}

// decimalPair converts a double or float compared with a decimal.
func decimalPair(a, b any) (any, any) {
	_, da := a.(value.Decimal128)
	_, db := b.(value.Decimal128)
	switch {
	case da && !db:
		if y, ok := toDecimal(b); ok {
			return a, y
		}
	case db && !da:
		if x, ok := toDecimal(a); ok {
			return x, b
		}
	}
	return a, b
}

// literalDecimal is the exact decimal of the number literal at pos (v is
// its value), or nil: realm-core reads a literal compared with a decimal
// from its text, so 3.3333333333333334 keeps its 17 digits there.
func (p *parser) literalDecimal(v any, pos int) *value.Decimal128 {
	if _, ok := v.(float64); !ok {
		return nil
	}
	text, ok := p.floatLiteral(pos)
	if !ok {
		return nil
	}
	d, err := value.ParseDecimal128(text)
	if err != nil {
		return nil
	}
	return &d
}
