package protocol

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// fill sets every exported field of v (recursively) to a value that is not
// its zero, so that a round trip proves the hand-written decoder reads
// every field the encoder writes: a field added to a message and not to
// decode.go fails here.
func fill(v reflect.Value, n *uint64) {
	*n++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{byte(*n), 0xff})
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(*n)
	default:
		panic("fill: add " + v.Kind().String())
	}
}

func TestDecodeReadsEveryField(t *testing.T) {
	var m Message
	n := uint64(0)
	fill(reflect.ValueOf(&m).Elem(), &n)
	b, err := Encode(&m)
	require.NoError(t, err)
	got, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, &m, got)
}
