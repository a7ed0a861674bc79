package ops

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

const stepSchema = `[{"name":"Step","embedded":true,"properties":{"name":"string","done":"bool"}},
 {"name":"Job","primaryKey":"_id","properties":{"_id":"string","steps":"Step[]"}}]`

func step(name string, done bool) value.Object { return value.Object{"name": name, "done": done} }

// makeOps resolves and expands app ops against o as their writer sees it.
func makeOps(t *testing.T, s *schema.Schema, o *crdt.Object, st crdt.Stamp, js string) ([]crdt.ChangeOp, error) {
	t.Helper()
	parsed, err := Parse([]byte(js))
	require.NoError(t, err)
	c := s.Class("Job")
	var out []crdt.ChangeOp
	var seq uint32
	for _, op := range parsed {
		cop, err := Resolve(s, op)
		if err != nil {
			return nil, err
		}
		cp := *o
		cp.Fields = map[string]any{}
		for k, v := range o.Fields {
			cp.Fields[k] = v
		}
		cp.Lists = crdt.CloneLists(o.Lists)
		got, err := Expand(op, cop, c, &cp, st, &seq)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func applyAll(o *crdt.Object, ops []crdt.ChangeOp, st crdt.Stamp) {
	for i := range ops {
		crdt.Apply(o, &ops[i], st, nil)
	}
}

func newJob(t *testing.T, st crdt.Stamp) *crdt.Object {
	o := &crdt.Object{}
	crdt.Apply(o, &crdt.ChangeOp{Kind: crdt.OpCreate, Class: "Job", Key: "j",
		Fields: []crdt.Field{{Name: "_id", Value: "j"}, {Name: "steps", Value: []any{step("a", false), step("b", false), step("c", false)}}}}, st, nil)
	return o
}

// "steps[1].done" is resolved to element b's id when the op is made: a
// concurrent insert at the front (which moves b to index 2) does not
// redirect it, whichever order the replicas apply the two in.
func TestElemPathSurvivesConcurrentInsert(t *testing.T) {
	s, err := schema.FromJSON([]byte(stepSchema))
	require.NoError(t, err)
	s0, sa, sb := crdt.Stamp{HLC: 1, Client: 9}, crdt.Stamp{HLC: 5, Client: 1}, crdt.Stamp{HLC: 6, Client: 2}
	a, b := newJob(t, s0), newJob(t, s0)

	opA, err := makeOps(t, s, a, sa, `[{"update": "Job", "key": "j", "set": {"steps[1].done": true}}]`)
	require.NoError(t, err)
	require.Len(t, opA, 1)
	require.Regexp(t, `^steps\[#\d+:\d+:\d+\]\.done$`, opA[0].Fields[0].Name, "the op records the element's id, not the index")
	opB, err := makeOps(t, s, b, sb, `[{"listInsert": "Job", "key": "j", "field": "steps", "index": 0, "value": {"name": "new", "done": false}}]`)
	require.NoError(t, err)

	applyAll(a, opA, sa)
	applyAll(a, opB, sb)
	applyAll(b, opB, sb)
	applyAll(b, opA, sa)
	want := []any{step("new", false), step("a", false), step("b", true), step("c", false)}
	require.Equal(t, want, a.Fields["steps"])
	require.Equal(t, want, b.Fields["steps"])

	// The stamps survive the object's encoding.
	order := []string{"_id", "steps"}
	dec, err := crdt.DecodeObjectState(crdt.EncodeObjectState(a, order), order)
	require.NoError(t, err)
	require.Equal(t, want, dec.Fields["steps"])
	require.Equal(t, a.Stamps, dec.Stamps)
}

// A set of the element and a path edit inside it: the later stamp wins,
// in either order; a removed element takes no path edit.
func TestElemPathAgainstSetAndRemove(t *testing.T) {
	s, err := schema.FromJSON([]byte(stepSchema))
	require.NoError(t, err)
	s0 := crdt.Stamp{HLC: 1, Client: 9}
	for _, pathLater := range []bool{false, true} {
		sp, ss := crdt.Stamp{HLC: 5, Client: 1}, crdt.Stamp{HLC: 6, Client: 2}
		if pathLater {
			sp, ss = ss, sp
		}
		a, b := newJob(t, s0), newJob(t, s0)
		opP, err := makeOps(t, s, a, sp, `[{"update": "Job", "key": "j", "set": {"steps[0].done": true}}]`)
		require.NoError(t, err)
		opS, err := makeOps(t, s, b, ss, `[{"listSet": "Job", "key": "j", "field": "steps", "index": 0, "value": {"name": "A", "done": false}}]`)
		require.NoError(t, err)
		applyAll(a, opP, sp)
		applyAll(a, opS, ss)
		applyAll(b, opS, ss)
		applyAll(b, opP, sp)
		want := step("A", pathLater)
		require.Equal(t, want, a.Fields["steps"].([]any)[0], "path later: %v", pathLater)
		require.Equal(t, a.Fields["steps"], b.Fields["steps"])
	}

	a, b := newJob(t, s0), newJob(t, s0)
	sp, sr := crdt.Stamp{HLC: 7, Client: 1}, crdt.Stamp{HLC: 5, Client: 2}
	opP, err := makeOps(t, s, a, sp, `[{"update": "Job", "key": "j", "set": {"steps[0].done": true}}]`)
	require.NoError(t, err)
	opR, err := makeOps(t, s, b, sr, `[{"listRemove": "Job", "key": "j", "field": "steps", "index": 0}]`)
	require.NoError(t, err)
	applyAll(a, opP, sp)
	applyAll(a, opR, sr)
	applyAll(b, opR, sr)
	applyAll(b, opP, sp)
	want := []any{step("b", false), step("c", false)}
	require.Equal(t, want, a.Fields["steps"])
	require.Equal(t, want, b.Fields["steps"])
}

func TestElemPathErrors(t *testing.T) {
	s, err := schema.FromJSON([]byte(stepSchema))
	require.NoError(t, err)
	o := newJob(t, crdt.Stamp{HLC: 1, Client: 9})
	for js, code := range map[string]terror.Code{
		`[{"update": "Job", "key": "j", "set": {"steps[3].done": true}}]`:                   terror.InvalidArgument,
		`[{"update": "Job", "key": "j", "set": {"steps[-1].done": true}}]`:                  terror.InvalidArgument,
		`[{"update": "Job", "key": "j", "set": {"steps[01].done": true}}]`:                  terror.InvalidArgument,
		`[{"update": "Job", "key": "j", "set": {"steps[0]": {"name": "x", "done": true}}}]`: terror.InvalidArgument,
		`[{"update": "Job", "key": "j", "set": {"steps[0].nope": 1}}]`:                      terror.UnknownProperty,
		`[{"update": "Job", "key": "j", "set": {"steps[0].done": "yes"}}]`:                  terror.WrongType,
		`[{"update": "Job", "key": "j", "set": {"_id[0].done": true}}]`:                     terror.InvalidArgument,
		`[{"update": "Job", "key": "j", "set": {"steps[0].done": true, "steps": []}}]`:      terror.InvalidArgument,
	} {
		_, err := makeOps(t, s, o, crdt.Stamp{HLC: 3, Client: 1}, js)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", js, err)
	}
}
