package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const linkSchema = `[
 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string",
   "tasks":{"type":"linkingObjects","objectType":"Task","property":"assignee"}}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","title":"string",
   "assignee":"User","reviewer":"User?","owner":{"type":"object","objectType":"User"},"parent":"Task"}}]`

func TestLinkSchema(t *testing.T) {
	s, err := FromJSON([]byte(linkSchema))
	require.NoError(t, err)
	task := s.Class("Task")
	for _, name := range []string{"assignee", "reviewer", "owner"} {
		p := task.Property(name)
		require.Equal(t, "User", p.Link, name)
		require.Equal(t, String, p.Type, "stored as the target's primary key")
		require.True(t, p.Optional && p.Indexed, name)
		require.Equal(t, "User?", p.TypeString())
	}
	require.Equal(t, Int, task.Property("parent").Type)
	u := s.Class("User")
	require.Nil(t, u.Property("tasks"), "a backlink is not a stored property")
	require.Equal(t, &Backlink{Name: "tasks", Class: "Task", Property: "assignee"}, u.Backlink("tasks"))

	back, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, back), "links and backlinks round-trip")
	require.NotNil(t, back.Class("User").Backlink("tasks"))

	v, err := task.Coerce(task.Property("assignee"), "u1")
	require.NoError(t, err)
	require.Equal(t, "u1", v)
	_, err = task.Coerce(task.Property("assignee"), int64(1))
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	v, err = task.Coerce(task.Property("assignee"), nil)
	require.NoError(t, err)
	require.Nil(t, v)
}

func TestLinkSchemaChanges(t *testing.T) {
	old, err := FromJSON([]byte(`[{"name":"User","primaryKey":"_id","properties":{"_id":"string"}},
	 {"name":"Team","primaryKey":"_id","properties":{"_id":"string"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","a":"User"}}]`))
	require.NoError(t, err)
	next, err := FromJSON([]byte(`[{"name":"User","primaryKey":"_id","properties":{"_id":"string",
	   "tasks":{"type":"linkingObjects","objectType":"Task","property":"b"}}},
	 {"name":"Team","primaryKey":"_id","properties":{"_id":"string"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","a":"Team","b":"User"}}]`))
	require.NoError(t, err)
	got := map[string]bool{}
	for _, ch := range Diff(old, next) {
		got[ch.Class+"."+ch.Property] = ch.Breaking
	}
	require.Equal(t, map[string]bool{"Task.a": true, "Task.b": false, "User.tasks": false}, got)
}

func TestBadLinkSchemas(t *testing.T) {
	for _, bad := range []string{
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":"User"}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":"Task?[]"}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":"Nope[]"}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":{"type":"Task[]","default":["x"]}}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":{"type":"object","objectType":"Task","optional":false}}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":{"type":"object"}}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","a":{"type":"Task","default":"x"}}}]`,
		`[{"name":"Task","primaryKey":"a","properties":{"a":"Task"}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","u":{"type":"linkingObjects","objectType":"Nope","property":"a"}}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","n":"string","u":{"type":"linkingObjects","objectType":"Task","property":"n"}}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","u":{"type":"linkingObjects","objectType":"Task","property":"x"}}}]`,
		`[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","u":{"type":"linkingObjects","objectType":"Task"}}}]`,
	} {
		_, err := FromJSON([]byte(bad))
		require.Error(t, err, bad)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}

func TestMixedLinks(t *testing.T) {
	s, err := FromJSON([]byte(linkSchema))
	require.NoError(t, err)
	v, err := s.CoerceLink(value.Link{Class: "Task", Key: int64(3)})
	require.NoError(t, err)
	require.Equal(t, value.Link{Class: "Task", Key: int64(3)}, v)
	_, err = s.CoerceLink(value.Link{Class: "Nope", Key: "x"})
	require.Equal(t, terror.UnknownClass, terror.CodeOf(err))
	_, err = s.CoerceLink(value.Link{Class: "Task", Key: "x"})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
}

func TestLinkListSchema(t *testing.T) {
	s, err := FromJSON([]byte(`[{"name":"User","primaryKey":"_id","properties":{"_id":"string",
	   "projects":{"type":"linkingObjects","objectType":"Project","property":"members"}}},
	 {"name":"Project","primaryKey":"_id","properties":{"_id":"int","members":"User[]","owners":{"type":"list","objectType":"User"}}}]`))
	require.NoError(t, err)
	p := s.Class("Project").Property("members")
	require.True(t, p.IsLinkList())
	require.False(t, p.IsLink())
	require.False(t, p.Indexed)
	require.Equal(t, String, p.Type)
	require.Equal(t, "User[]", p.TypeString())
	require.Equal(t, "User[]", s.Class("Project").Property("owners").TypeString())
	again, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, again))
	next, err := FromJSON([]byte(`[{"name":"User","primaryKey":"_id","properties":{"_id":"string"}},
	 {"name":"Project","primaryKey":"_id","properties":{"_id":"int","members":"User","owners":"User[]","extra":"User[]"}}]`))
	require.NoError(t, err)
	got := map[string]bool{}
	for _, ch := range Diff(s, next) {
		got[ch.Class+"."+ch.Property] = ch.Breaking
	}
	require.Equal(t, map[string]bool{"Project.members": true, "Project.extra": false, "User.projects": false}, got)
}
