package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// *ext* Generated object keys (a class without a primaryKey, local
// databases only): the core makes each object's key and the object reads
// it back as its "_objectKey". An `objects` expectation with "keysAs":
// [NAME, ...] remembers, once it holds, the _objectKey of each object it
// returned under the NAME at the same position; a later step's write ops
// and query args may then say {"$objectKey": NAME} wherever a key or
// value goes, and the runner puts the remembered value there before the
// driver sees it. Drivers need nothing: they get plain Extended JSON.

const objectKeyField = "_objectKey"

// rememberKeys records the keys an expectation's objects read back.
func (r *run) rememberKeys(st *Step, got []map[string]any) error {
	if !st.Has("keysAs") {
		return nil
	}
	var names []string
	if err := json.Unmarshal(st.Raw("keysAs"), &names); err != nil {
		return fatalf("keysAs must be a list of names: %v", err)
	}
	if len(names) > len(got) {
		return fmt.Errorf("keysAs names %d objects, the query returned %d", len(names), len(got))
	}
	for i, n := range names {
		k, ok := got[i][objectKeyField]
		if !ok || k == nil {
			return fmt.Errorf("keysAs: object %d has no %s: %v", i, objectKeyField, got[i])
		}
		if r.keys == nil {
			r.keys = map[string]any{}
		}
		r.keys[n] = k
	}
	return nil
}

// substKeys replaces every {"$objectKey": NAME} in raw by the key
// remembered under NAME; raw without one comes back as it is.
func (r *run) substKeys(raw json.RawMessage) (json.RawMessage, error) {
	if !bytes.Contains(raw, []byte(`"$objectKey"`)) {
		return raw, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	v, err := r.substKey(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func (r *run) substKey(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if n, ok := x["$objectKey"].(string); ok && len(x) == 1 {
			k, ok := r.keys[n]
			if !ok {
				return nil, fatalf("{\"$objectKey\": %q}: no earlier objects expectation remembered that name (keysAs)", n)
			}
			return k, nil
		}
		for key, e := range x {
			s, err := r.substKey(e)
			if err != nil {
				return nil, err
			}
			x[key] = s
		}
	case []any:
		for i, e := range x {
			s, err := r.substKey(e)
			if err != nil {
				return nil, err
			}
			x[i] = s
		}
	}
	return v, nil
}

// queryWithKeys is query(st) with remembered keys in its args.
func (r *run) queryWithKeys(st *Step) (map[string]any, error) {
	q := query(st)
	if st.Has("args") {
		a, err := r.substKeys(st.Raw("args"))
		if err != nil {
			return nil, err
		}
		q["args"] = a
	}
	return q, nil
}
