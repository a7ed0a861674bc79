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
