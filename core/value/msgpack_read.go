package value

// Readers for the scalar kinds a wire message or a file header holds
// besides those of msgpack.go: every one checks the bytes that remain,
// none allocates.

// ReadBool reads a boolean.
func ReadBool(b []byte) (bool, int, error) {
	it, err := readHeader(b)
	if err != nil {
		return false, 0, err
	}
	if it.kind != kBool {
		return false, 0, malformed("expected a boolean")
	}
	return it.i == 1, it.hdr, nil
}

// ReadBinBytes reads binary data (or nil, read as an empty slice) without
// copying it.
func ReadBinBytes(b []byte) ([]byte, int, error) {
	it, err := readHeader(b)
	if err != nil {
		return nil, 0, err
	}
	switch it.kind {
	case kNil:
		return nil, it.hdr, nil
	case kBin:
		if err := need(b, it.hdr, it.n); err != nil {
			return nil, 0, err
		}
		return b[it.hdr : it.hdr+it.n], it.hdr + it.n, nil
	}
	return nil, 0, malformed("expected binary data")
}

// IsNil reports whether the item at the start of b is nil.
func IsNil(b []byte) bool { return len(b) > 0 && b[0] == 0xc0 }
