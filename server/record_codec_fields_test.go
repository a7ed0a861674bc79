package server

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// fill sets every exported field of v (recursively) to a value that is
// not its zero, so that a round trip proves the hand-written decoder
// reads every field the msgpack encoder writes: a field added to a stored
// type and not to record_codec.go fails here (ClientInfo.Owner did).
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
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
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

func filled[T any]() T {
	var x T
	n := uint64(0)
	fill(reflect.ValueOf(&x).Elem(), &n)
	return x
}

func TestRecordCodecReadsEveryField(t *testing.T) {
	for _, r := range []Record{
		{History: new(filled[HistoryRecord]())},
		{Meta: new(filled[Meta]())},
		{Client: new(filled[ClientInfo]())},
	} {
		got, err := decodeRecord(mustMarshal(r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	}
	h := filled[snapHeader]()
	gh, err := decodeSnapHeader(mustMarshal(h))
	require.NoError(t, err)
	require.Equal(t, h, gh)
	b := filled[snapBatch]()
	gb, err := decodeSnapBatch(mustMarshal(b))
	require.NoError(t, err)
	require.Equal(t, b, gb)
}
