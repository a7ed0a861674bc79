package value

// Decimal128 is an IEEE 754-2008 decimal128 in the binary integer decimal
// (BID) encoding that Realm and MongoDB store, so values round-trip bit for
// bit. Parsing and formatting are MongoDB's own (bson/primitive, a
// standard-library-only package); ordering is exact (Cmp), so 12.5 and
// 12.50 are equal while keeping their distinct encodings.

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"go.mongodb.org/mongo-driver/bson/primitive"
)

// Decimal128 holds the 128 bits: H the high 64 (sign, combination field,
// the top of the coefficient), L the low 64.
type Decimal128 struct{ H, L uint64 }

// ParseDecimal128 parses a decimal string ("12.50", "-1E+3", "NaN",
// "Infinity"); a value that does not fit 34 digits and the exponent range
// without rounding is an error.
func ParseDecimal128(s string) (Decimal128, error) {
	d, err := primitive.ParseDecimal128(s)
	if err != nil {
		return Decimal128{}, fmt.Errorf("%q is not a decimal128 (34 significant digits, exponent -6176..6111)", s)
	}
	h, l := d.GetBytes()
	return Decimal128{h, l}, nil
}

// String formats as IEEE 754's to-scientific-string ("12.50", "1.0E+5").
func (d Decimal128) String() string { return primitive.NewDecimal128(d.H, d.L).String() }

// DecimalFromInt is the exact decimal of an integer.
func DecimalFromInt(i int64) Decimal128 {
	d, _ := ParseDecimal128(strconv.FormatInt(i, 10))
	return d
}

// DecimalFromFloat is the decimal of a double's shortest round-trip
// spelling (0.1 becomes 0.1, not 0.1000000000000000055511151231257827),
// as Realm JS converts a number given for a decimal128 property.
func DecimalFromFloat(f float64) (Decimal128, error) {
	switch {
	case math.IsNaN(f):
		return ParseDecimal128("NaN")
	case math.IsInf(f, 1):
		return ParseDecimal128("Infinity")
	case math.IsInf(f, -1):
		return ParseDecimal128("-Infinity")
	}
	return ParseDecimal128(strconv.FormatFloat(f, 'g', -1, 64))
}

// special classifies a number for ordering: 0 finite, 1 NaN, 2 +Inf, 3 -Inf.
type special uint8

const (
	finite special = iota
	nan
	posInf
	negInf
)

func (d Decimal128) class() special {
	p := primitive.NewDecimal128(d.H, d.L)
	switch {
	case p.IsNaN():
		return nan
	case p.IsInf() > 0:
		return posInf
	case p.IsInf() < 0:
		return negInf
	}
	return finite
}

// rat is the exact value of a finite decimal.
func (d Decimal128) rat() *big.Rat {
	coef, exp, err := primitive.NewDecimal128(d.H, d.L).BigInt()
	if err != nil {
		return new(big.Rat)
	}
	r := new(big.Rat).SetInt(coef)
	if exp == 0 {
		return r
	}
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil)
	if exp > 0 {
		return r.Mul(r, new(big.Rat).SetInt(pow))
	}
	return r.Quo(r, new(big.Rat).SetInt(pow))
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// exactNumber is a numeric value as a class and, when finite, its exact
// rational value; ok is false for a value that is not a number.
func exactNumber(v any) (s special, r *big.Rat, ok bool) {
	var f float64
	switch x := v.(type) {
	case int64:
		return finite, new(big.Rat).SetInt64(x), true
	case float32:
		f = float64(x)
	case float64:
		f = x
	case Decimal128:
		if s = x.class(); s != finite {
			return s, nil, true
		}
		return finite, x.rat(), true
	default:
		return 0, nil, false
	}
	switch {
	case math.IsNaN(f):
		return nan, nil, true
	case math.IsInf(f, 1):
		return posInf, nil, true
	case math.IsInf(f, -1):
		return negInf, nil, true
	}
	return finite, new(big.Rat).SetFloat64(f), true
}

// rank orders the classes: NaN first (as cmpFloat), then -Inf, finite, +Inf.
var rank = [...]int{finite: 2, nan: 0, posInf: 3, negInf: 1}

// cmpExact compares two numbers by exact value; ok is false when one is
// not a number.
func cmpExact(a, b any) (int, bool) {
	sa, ra, okA := exactNumber(a)
	sb, rb, okB := exactNumber(b)
	if !okA || !okB {
		return 0, false
	}
	if sa != finite || sb != finite {
		return cmpOrdered(rank[sa], rank[sb]), true
	}
	return ra.Cmp(rb), true
}

// Cmp orders two decimals by value (NaN first): 12.5 equals 12.50.
func (d Decimal128) Cmp(e Decimal128) int {
	c, _ := cmpExact(d, e)
	return c
}
