package value

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal arithmetic, for queries (2 * price > $0 on a decimal128
// property): exact on the rationals the operands stand for, then rounded
// to decimal128's 34 significant digits, as IEEE 754-2008 decimal
// arithmetic (and so realm-core's Decimal128 operators) rounds.

// DecimalFromDouble converts a double to a decimal the way realm-core's
// Decimal128(double) does by default: rounded to 15 significant digits, so
// 0.1 is 0.1 and 0.1 + 0.2 computed in doubles is 0.3. A float (32 bits)
// is rounded to 7.
func DecimalFromDouble(f float64, digits int) Decimal128 {
	switch {
	case math.IsNaN(f):
		d, _ := ParseDecimal128("NaN")
		return d
	case math.IsInf(f, 1):
		d, _ := ParseDecimal128("Infinity")
		return d
	case math.IsInf(f, -1):
		d, _ := ParseDecimal128("-Infinity")
		return d
	}
	d, err := ParseDecimal128(trimMantissa(strconv.FormatFloat(f, 'e', digits-1, 64)))
	if err != nil {
		return Decimal128{}
	}
	return d
}

// DecimalArith applies op (+, -, * or /) to two decimals (an overflow
// gives ±Infinity, as IEEE 754 says).
func DecimalArith(op byte, a, b Decimal128) Decimal128 {
	sa, sb := a.class(), b.class()
	zero := sb == finite && b.rat().Sign() == 0
	if sa != finite || sb != finite || op == '/' && zero {
		// Infinities, NaN and division by zero follow IEEE 754, as doubles do.
		return DecimalFromDouble(arithF(op, a.approx(), b.approx()), 15)
	}
	x, y := a.rat(), b.rat()
	var r big.Rat
	switch op {
	case '+':
		r.Add(x, y)
	case '-':
		r.Sub(x, y)
	case '*':
		r.Mul(x, y)
	default:
		r.Quo(x, y)
	}
	return decimalFromRat(&r)
}

func (d Decimal128) approx() float64 {
	switch d.class() {
	case nan:
		return math.NaN()
	case posInf:
		return math.Inf(1)
	case negInf:
		return math.Inf(-1)
	}
	f, _ := d.rat().Float64()
	return f
}

func arithF(op byte, x, y float64) float64 {
	switch op {
	case '+':
		return x + y
	case '-':
		return x - y
	case '*':
		return x * y
	}
	return x / y
}

// decimalFromRat rounds r to 34 significant digits (to nearest; a value
// beyond the exponent range becomes ±Infinity, one below it 0).
func decimalFromRat(r *big.Rat) Decimal128 {
	if r.Sign() == 0 {
		return DecimalFromInt(0)
	}
	// 400 bits hold ~120 decimal digits: rounding that to 34 is exact
	// except on a tie 86 digits down, which decimal operands of 34 digits
	// cannot produce for + - *.
	f := new(big.Float).SetPrec(400).SetRat(r)
	d, err := ParseDecimal128(trimMantissa(f.Text('e', 33)))
	if err != nil {
		if r.Sign() > 0 {
			d, _ = ParseDecimal128("Infinity")
		} else {
			d, _ = ParseDecimal128("-Infinity")
		}
		if new(big.Rat).Abs(r).Cmp(big.NewRat(1, 1)) < 0 {
			d = DecimalFromInt(0)
		}
	}
	return d
}

// trimMantissa drops trailing zeros of a mantissa in e notation
// ("3.000e-01" is "3e-01"), so results keep short encodings.
func trimMantissa(s string) string {
	m, e, ok := strings.Cut(s, "e")
	if !ok || !strings.Contains(m, ".") {
		return s
	}
	m = strings.TrimRight(strings.TrimRight(m, "0"), ".")
	return m + "E" + e
}
