package boundary

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

const cfg = `{"inMemory":true,"schema":[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","age":"int?"}},
  {"name":"N","primaryKey":"_id","properties":{"_id":"int"}}]}`

func TestBoundaryRoundTrip(t *testing.T) {
	h, err := Open([]byte(cfg))
	require.NoError(t, err)
	defer Close(h)
	require.NoError(t, Write(h, []byte(`[{"create":"Dog","value":{"_id":"a\"b","age":3}},{"create":"N","value":{"_id":-7}}]`)))
	got, err := Get(h, "Dog", []byte(`"a\"b"`))
	require.NoError(t, err)
	require.JSONEq(t, `{"_id":"a\"b","age":3}`, string(got))
	got, err = Get(h, "N", []byte(`-7`))
	require.NoError(t, err)
	require.JSONEq(t, `{"_id":-7}`, string(got))
	_, err = Get(h, "Dog", []byte(`"nope"`))
	require.Equal(t, terror.NotFound, terror.CodeOf(err))
	res, err := Query(h, []byte(`{"class":"Dog","filter":"age > $0","args":[1]}`))
	require.NoError(t, err)
	require.JSONEq(t, `[{"_id":"a\"b","age":3}]`, string(res))
	n, err := Count(h, []byte(`{"class":"Dog"}`))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

func TestBoundaryErrors(t *testing.T) {
	h, err := Open([]byte(cfg))
	require.NoError(t, err)
	for in, code := range map[string]terror.Code{
		`[{"create":"Dog"}]`:                               terror.InvalidArgument,
		`[{"create":"Dog","update":"Dog","value":{}}]`:     terror.InvalidArgument,
		`[{"increment":"Dog","key":"x"}]`:                  terror.InvalidArgument,
		`[{"create":"Dog","value":{"_id":{"$oid":"zz"}}}]`: terror.InvalidArgument,
		`[{"create":"Dog","value":{"_id":1}}]`:             terror.WrongType,
		`not json`:                                         terror.InvalidArgument,
		`[] trailing`:                                      terror.InvalidArgument,
	} {
		require.Equal(t, code, terror.CodeOf(Write(h, []byte(in))), in)
	}
	_, err = Open([]byte(`{"inMemory":true,"durability":"sometimes"}`))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))

	id, err := AddListener(h, []byte(`{"class":"Dog"}`), func([]byte) {})
	require.NoError(t, err)
	require.NoError(t, Close(h))
	require.Equal(t, terror.Closed, terror.CodeOf(Close(h)))
	require.Equal(t, terror.NotFound, terror.CodeOf(RemoveListener(id)), "closing a database drops its listeners")
	require.Equal(t, terror.Closed, terror.CodeOf(Write(h, []byte(`[]`))))
}

func TestWaitForListenersBoundary(t *testing.T) {
	h, err := Open([]byte(cfg))
	require.NoError(t, err)
	var inner []bool
	_, err = AddListener(h, []byte(`{"class":"Dog"}`), func([]byte) {
		done, err := WaitForListeners(h, 10)
		require.NoError(t, err)
		inner = append(inner, done)
	})
	require.NoError(t, err)
	require.NoError(t, Write(h, []byte(`[{"create":"Dog","value":{"_id":"a"}}]`)))
	require.Equal(t, []bool{false}, inner, "inside a listener its own delivery is pending")
	done, err := WaitForListeners(h, 0)
	require.NoError(t, err)
	require.True(t, done)
	_, err = WaitForListeners(h, -1)
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	require.NoError(t, Close(h))
	_, err = WaitForListeners(h, 0)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
	_, err = SessionWaitForListeners(987654, 0)
	require.Equal(t, terror.Closed, terror.CodeOf(err), "an unknown session handle")
}

func TestMillisSaturates(t *testing.T) {
	require.Equal(t, 1500*time.Millisecond, millis(1500))
	require.Equal(t, time.Duration(math.MaxInt64), millis(math.MaxInt64), "wait forever must not wrap negative")
	require.Equal(t, time.Duration(math.MinInt64), millis(math.MinInt64))
	d, err := listenerTimeout(math.MaxInt64)
	require.NoError(t, err)
	require.Greater(t, d, time.Duration(0))
}
