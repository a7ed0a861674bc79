package jsonread

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReaderAgreesWithEncodingJSON: the boundary's JSON reader accepts and
// rejects what encoding/json does, and reads the same values.
func TestReaderAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"a": [1, -2, 3.5, 1e3, -0, 0.0, "x\"y\\z\u00e9\ud83d\ude00\n", true, false, null, {}, []]}`,
		`"\u0041"`, `"é"`, `[ ]`, ` 12 `, `-9223372036854775808`, `{"$date": 5}`,
		`01`, `1.`, `-`, `"abc`, `[1,]`, `{"a" 1}`, `{"a":1,}`, `tru`, `"\x"`, "\"a\tb\"", `[1 2]`, `{1:2}`, `1 2`,
	} {
		var want any
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		dec.UseNumber()
		errWant := dec.Decode(&want)
		if errWant == nil && dec.More() {
			errWant = json.Unmarshal([]byte(in), &want)
		}
		r := New([]byte(in))
		got, errGot := r.Value()
		if errGot == nil {
			errGot = r.End()
		}
		require.Equal(t, errWant == nil, errGot == nil, "%s: encoding/json %v, reader %v", in, errWant, errGot)
		if errWant == nil {
			require.Equal(t, normalize(want), got, in)
		}
	}
}

// normalize turns encoding/json's json.Number into int64 or float64.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && !bytes.ContainsAny([]byte(x), ".eE") {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(`[{"create":"Dog","value":{"_id":"1","age":3,"tags":["a"],"d":{"$date":"2026-01-02T03:04:05Z"}}}]`))
	f.Add([]byte(`"\ud83d\ude00"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New(b).Value()
	})
}
