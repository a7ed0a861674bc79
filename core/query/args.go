package query

import (
	"math"
	"time"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Arguments ($0, $1...) come from Go callers and the bindings with
// whatever numeric types they had at hand; they are converted here to the
// value kinds of core/value before type checking, and anything else is an
// InvalidArgument error.

// normalizeArg converts a $N argument to a value kind (int to int64,
// float32 to float64, typed slices to []any) or rejects it. allowList is
// false inside a list: lists do not nest.
func normalizeArg(v any, n int, allowList bool) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float32, float64, string, []byte, value.ObjectID, value.UUID, value.Decimal128:
		return x, nil
	case time.Time:
		return x.Round(0).UTC(), nil // drop the monotonic reading: compare wall times
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return nil, terror.New(terror.InvalidArgument, "argument $%d (%d) does not fit in an int64", n, x)
		}
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, terror.New(terror.InvalidArgument, "argument $%d (%d) does not fit in an int64", n, x)
		}
		return int64(x), nil
	}
	if !allowList {
		if _, ok := asList(v); ok {
			return nil, terror.New(terror.InvalidArgument, "argument $%d holds a list inside a list", n)
		}
		return nil, terror.New(terror.InvalidArgument, "argument $%d holds a value of unsupported Go type %T", n, v)
	}
	list, ok := asList(v)
	if !ok {
		return nil, terror.New(terror.InvalidArgument, "argument $%d has unsupported Go type %T", n, v)
	}
	out := make([]any, len(list))
	for k, e := range list {
		ne, err := normalizeArg(e, n, false)
		if err != nil {
			return nil, err
		}
		out[k] = ne
	}
	return out, nil
}

// asList accepts []any and the typed slices a Go caller naturally has.
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		return toAny(x), true
	case []int64:
		return toAny(x), true
	case []int:
		return toAny(x), true
	case []float64:
		return toAny(x), true
	}
	return nil, false
}

func toAny[T any](s []T) []any {
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}
