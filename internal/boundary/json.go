package boundary

// The JSON forms that cross the boundary: ops, queries, objects and change
// events, with values in MongoDB Extended JSON, exactly as the conformance
// scenarios write them (SPEC.md).

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/ops"
)

func decodeJSON(what string, data []byte, into any) error {
	if err := checkJSONText(what, data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return terror.Wrap(terror.InvalidArgument, err, "%s is not valid JSON", what)
	}
	if dec.More() {
		return terror.New(terror.InvalidArgument, "%s has trailing data after the JSON value", what)
	}
	return nil
}

// OpJSON is one write op as SPEC.md writes it: exactly one of the five
// verbs names the class.
type OpJSON struct {
	Create    *string        `json:"create,omitempty"`
	Upsert    *string        `json:"upsert,omitempty"`
	Update    *string        `json:"update,omitempty"`
	Delete    *string        `json:"delete,omitempty"`
	Increment *string        `json:"increment,omitempty"`
	Value     map[string]any `json:"value,omitempty"`
	Key       any            `json:"key,omitempty"`
	Set       map[string]any `json:"set,omitempty"`
	Field     string         `json:"field,omitempty"`
	By        any            `json:"by,omitempty"`
}

// ParseOps parses a JSON array of ops (the rules are internal/ops', shared
// with the server's admin writes).
func ParseOps(data []byte) ([]store.Op, error) { return ops.Parse(data) }

// ToOp converts a decoded (UseNumber) op into a store op.
func (oj *OpJSON) ToOp() (store.Op, error) {
	var op store.Op
	n := 0
	for _, v := range [...]struct {
		kind  store.OpKind
		class *string
	}{{store.OpCreate, oj.Create}, {store.OpUpsert, oj.Upsert}, {store.OpUpdate, oj.Update}, {store.OpDelete, oj.Delete}, {store.OpIncrement, oj.Increment}} {
		if v.class != nil {
			op.Kind, op.Class = v.kind, *v.class
			n++
		}
	}
	if n != 1 {
		return op, terror.New(terror.InvalidArgument, "an op needs exactly one of create, upsert, update, delete, increment")
	}
	var err error
	if op.Value, err = ObjectFromJSON(oj.Value); err != nil {
		return op, err
	}
	if op.Set, err = ObjectFromJSON(oj.Set); err != nil {
		return op, err
	}
	if op.Key, err = ValueFromJSON(oj.Key); err != nil {
		return op, err
	}
	if op.By, err = ValueFromJSON(oj.By); err != nil {
		return op, err
	}
	op.Field = oj.Field
	return op, ops.Check(op)
}

// parseKey reads a primary key given as JSON. Strings without escapes and
// plain integers, the common keys, skip the JSON decoder.
func parseKey(data []byte) (any, error) {
	if n := len(data); n >= 2 && data[0] == '"' && data[n-1] == '"' {
		inner := data[1 : n-1]
		if bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 && utf8.Valid(inner) && !hasControl(inner) {
			return string(inner), nil
		}
	} else if i, err := strconv.ParseInt(string(data), 10, 64); err == nil {
		return i, nil
	}
	var kj any
	if err := decodeJSON("the key", data, &kj); err != nil {
		return nil, err
	}
	return ValueFromJSON(kj)
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// ValueFromJSON converts one decoded JSON value (Extended JSON).
func ValueFromJSON(j any) (any, error) {
	v, err := value.FromJSON(j)
	if err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "bad value")
	}
	return v, nil
}

// ObjectFromJSON converts a decoded JSON object's values.
func ObjectFromJSON(m map[string]any) (store.Object, error) {
	if m == nil {
		return nil, nil
	}
	out := make(store.Object, len(m))
	for k, j := range m {
		v, err := value.FromJSON(j)
		if err != nil {
			return nil, terror.Wrap(terror.InvalidArgument, err, "property %q", k)
		}
		out[k] = v
	}
	return out, nil
}

// ObjectToJSON renders an object with Extended JSON values.
func ObjectToJSON(o store.Object) map[string]any {
	out := make(map[string]any, len(o))
	for k, v := range o {
		out[k] = value.ToJSON(v)
	}
	return out
}

// QueryJSON is a query as the boundary and the scenarios write it.
type QueryJSON struct {
	Class  string `json:"class"`
	Filter string `json:"filter,omitempty"`
	Args   []any  `json:"args,omitempty"`
	// And: further filters the objects must match too (Realm's chained
	// filtered calls), each numbering its own arguments from $0;
	// query.And composes them.
	And   []FilterJSON `json:"and,omitempty"`
	Sort  string       `json:"sort,omitempty"`
	Limit int          `json:"limit,omitempty"`
}

// FilterJSON is one filter of QueryJSON.And.
type FilterJSON struct {
	Filter string `json:"filter"`
	Args   []any  `json:"args,omitempty"`
}

// ParseQuery parses a query object.
func ParseQuery(data []byte) (store.Query, error) {
	var qj QueryJSON
	if err := decodeJSON("the query", data, &qj); err != nil {
		return store.Query{}, err
	}
	return qj.ToQuery()
}

// ToQuery converts a decoded query.
func (qj *QueryJSON) ToQuery() (store.Query, error) {
	q := store.Query{Class: qj.Class, Filter: qj.Filter, Sort: qj.Sort, Limit: qj.Limit}
	args, err := queryArgs(qj.Args, "query argument")
	if err != nil {
		return q, err
	}
	q.Args = args
	if len(qj.And) == 0 {
		return q, nil
	}
	filters := []query.Filter{{Text: qj.Filter, Args: args}}
	for i, f := range qj.And {
		args, err := queryArgs(f.Args, "and["+strconv.Itoa(i)+"]: argument")
		if err != nil {
			return q, err
		}
		filters = append(filters, query.Filter{Text: f.Filter, Args: args})
	}
	f, err := query.And(filters...)
	q.Filter, q.Args = f.Text, f.Args
	return q, err
}

// queryArgs converts $N arguments from Extended JSON.
func queryArgs(in []any, what string) ([]any, error) {
	var out []any
	for i, a := range in {
		v, err := value.FromJSON(a)
		if err != nil {
			return nil, terror.Wrap(terror.InvalidArgument, err, "%s $%d", what, i)
		}
		out = append(out, v)
	}
	return out, nil
}

// ChangeJSON is a change event.
type ChangeJSON struct {
	Class    string `json:"class"`
	Inserted []any  `json:"inserted"`
	Modified []any  `json:"modified"`
	Deleted  []any  `json:"deleted"`
}

// ChangeToJSON renders a change event.
func ChangeToJSON(c store.Change) ChangeJSON {
	conv := func(keys []any) []any {
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = value.ToJSON(k)
		}
		return out
	}
	return ChangeJSON{Class: c.Class, Inserted: conv(c.Inserted), Modified: conv(c.Modified), Deleted: conv(c.Deleted)}
}

// ResultsChangeJSON is a change event of a results listener
// (AddResultsListener): the keys of ChangeJSON, and positions in the
// ordered results, named as Realm's collection change sets name them.
type ResultsChangeJSON struct {
	ChangeJSON
	Deletions        []int `json:"deletions"`
	Insertions       []int `json:"insertions"`
	OldModifications []int `json:"oldModifications"`
	NewModifications []int `json:"newModifications"`
}

// ResultsChangeToJSON renders a results listener's change event.
func ResultsChangeToJSON(c store.Change) ResultsChangeJSON {
	orEmpty := func(p []int) []int {
		if p == nil {
			return []int{}
		}
		return p
	}
	return ResultsChangeJSON{ChangeJSON: ChangeToJSON(c), Deletions: orEmpty(c.Deletions), Insertions: orEmpty(c.Insertions),
		OldModifications: orEmpty(c.OldModifications), NewModifications: orEmpty(c.NewModifications)}
}

// ErrorJSON is an error as it crosses the boundary.
type ErrorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorToJSON renders any error with its conformance code.
func ErrorToJSON(err error) ErrorJSON {
	msg := err.Error()
	if te, ok := err.(*terror.Error); ok {
		msg = te.Message
	}
	return ErrorJSON{Code: string(terror.CodeOf(err)), Message: msg}
}
