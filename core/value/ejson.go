package value

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FromJSON converts a value decoded by encoding/json (with UseNumber) from
// MongoDB Extended JSON into a Tether value: {"$date": …}, {"$binary": …},
// {"$oid": …}, {"$uuid": …}, {"$numberDecimal": …}; integers become int64,
// numbers with a fraction or exponent float64 (a float property narrows
// them to float32 when it coerces them).
func FromJSON(j any) (any, error) {
	switch x := j.(type) {
	case nil, bool, string, int64:
		return x, nil
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, nil
			}
			return nil, fmt.Errorf("integer %s does not fit in 64 bits", s)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %s", s)
		}
		return f, nil
	case float64: // decoded without UseNumber
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
		return x, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := FromJSON(e)
			if err != nil {
				return nil, err
			}
			if _, isList := v.([]any); isList {
				return nil, fmt.Errorf("lists of lists are not supported")
			}
			out[i] = v
		}
		return out, nil
	case map[string]any:
		if !isExtended(x) {
			return objectFromJSON(x)
		}
		return fromExtended(x)
	}
	return nil, fmt.Errorf("unsupported JSON value %T", j)
}

func fromExtended(m map[string]any) (any, error) {
	if len(m) != 1 {
		return nil, fmt.Errorf("embedded objects are not values; expected one of $date, $binary, $oid, $uuid, $numberDecimal, $numberDouble, $numberLong")
	}
	for k, raw := range m {
		switch k {
		case "$date":
			return parseDate(raw)
		case "$binary":
			s, ok := raw.(string)
			if !ok { // canonical form {"base64": "...", "subType": "00"}
				if sub, isMap := raw.(map[string]any); isMap {
					s, ok = sub["base64"].(string)
				}
			}
			if !ok {
				return nil, fmt.Errorf("$binary wants a base64 string")
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("$binary: %v", err)
			}
			return b, nil
		case "$oid":
			s, _ := raw.(string)
			return ParseObjectID(s)
		case "$uuid":
			s, _ := raw.(string)
			return ParseUUID(s)
		case "$numberDouble":
			s, _ := raw.(string)
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("$numberDouble: bad number %q", s)
			}
			return f, nil
		case "$numberDecimal":
			s, ok := raw.(string)
			if !ok {
				return nil, fmt.Errorf("$numberDecimal wants a string such as \"12.50\"")
			}
			return ParseDecimal128(s)
		case "$link":
			return linkFromJSON(raw)
		case "$numberLong":
			s, _ := raw.(string)
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("$numberLong: bad integer %q", s)
			}
			return i, nil
		}
		return nil, fmt.Errorf("unknown extended JSON key %q", k)
	}
	return nil, nil
}

func parseDate(raw any) (any, error) {
	switch x := raw.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, fmt.Errorf("$date: %v", err)
		}
		return t.UTC(), nil
	case json.Number:
		ms, err := x.Int64()
		if err != nil {
			return nil, fmt.Errorf("$date: bad milliseconds %s", x)
		}
		return time.UnixMilli(ms).UTC(), nil
	case float64:
		return time.UnixMilli(int64(x)).UTC(), nil
	case int64:
		return time.UnixMilli(x).UTC(), nil
	case map[string]any: // {"$numberLong": "…"}
		v, err := fromExtended(x)
		if err != nil {
			return nil, err
		}
		if ms, ok := v.(int64); ok {
			return time.UnixMilli(ms).UTC(), nil
		}
	}
	return nil, fmt.Errorf("$date wants an RFC 3339 string or milliseconds")
}

// ToJSON converts a Tether value into a JSON-encodable value in Extended
// JSON (the inverse of FromJSON). Doubles that are whole numbers keep a
// fraction so that they read back as doubles.
func ToJSON(v any) any {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return map[string]any{"$numberDouble": "NaN"}
		case math.IsInf(x, 1):
			return map[string]any{"$numberDouble": "Infinity"}
		case math.IsInf(x, -1):
			return map[string]any{"$numberDouble": "-Infinity"}
		}
		return jsonDouble(x)
	case float32:
		return jsonFloat(x)
	case Decimal128:
		return map[string]any{"$numberDecimal": x.String()}
	case time.Time:
		return map[string]any{"$date": x.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	case []byte:
		return map[string]any{"$binary": base64.StdEncoding.EncodeToString(x)}
	case ObjectID:
		return map[string]any{"$oid": x.String()}
	case UUID:
		return map[string]any{"$uuid": x.String()}
	case Link:
		return linkToJSON(x)
	case Object:
		return objectToJSON(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ToJSON(e)
		}
		return out
	}
	return v
}

// jsonDouble marshals a float so that whole values keep ".0".
type jsonDouble float64

func (d jsonDouble) MarshalJSON() ([]byte, error) {
	b := strconv.AppendFloat(nil, float64(d), 'g', -1, 64)
	if !bytes.ContainsAny(b, ".eE") {
		b = append(b, ".0"...)
	}
	return b, nil
}

// jsonFloat marshals a float32 in its shortest spelling ("0.1", not the
// double 0.10000000149011612), so it reads back as the same float.
type jsonFloat float32

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`{"$numberDouble":"NaN"}`), nil
	case math.IsInf(x, 1):
		return []byte(`{"$numberDouble":"Infinity"}`), nil
	case math.IsInf(x, -1):
		return []byte(`{"$numberDouble":"-Infinity"}`), nil
	}
	b := strconv.AppendFloat(nil, x, 'g', -1, 32)
	if !bytes.ContainsAny(b, ".eE") {
		b = append(b, ".0"...)
	}
	return b, nil
}

// DecodeJSON parses JSON text (one value) into a Tether value.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var j any
	if err := dec.Decode(&j); err != nil {
		return nil, err
	}
	return FromJSON(j)
}
