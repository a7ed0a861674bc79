package value

// Value reads one value of any kind this codec writes (Decode's rules:
// every length checked, nesting bounded).
func (r *Reader) Value() any { return step(r, Decode) }
