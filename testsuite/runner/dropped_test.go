package runner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDroppedIsParsedStrictly(t *testing.T) {
	ok := `{"client": "A", "expect": "event", "type": "clientReset", "phase": "after",
		"dropped": [{"op": "listSet", "class": "Task", "key": "t1", "reason": "AnchorMissing"}]}`
	_, err := ParseScenario(scenarioWith(ok), "")
	require.NoError(t, err)
	_, err = ParseScenario(scenarioWith(`{"client": "A", "expect": "event", "type": "clientReset", "dropped": []}`), "")
	require.NoError(t, err)

	cases := map[string]string{
		`{"client": "A", "expect": "event", "type": "error", "dropped": []}`:                                                                         `belongs to a clientReset event`,
		`{"client": "A", "expect": "event", "type": "clientReset", "phase": "before", "dropped": []}`:                                                `only on a clientReset event with "phase": "after"`,
		`{"client": "A", "expect": "event", "type": "clientReset", "dropped": {}}`:                                                                   `must be a list`,
		`{"client": "A", "expect": "event", "type": "clientReset", "dropped": [1]}`:                                                                  `dropped[0] must be an object`,
		`{"client": "A", "expect": "event", "type": "clientReset", "dropped": [{"op": "update", "class": "D", "key": 1}]}`:                           `exactly the fields class, key, op, reason`,
		`{"client": "A", "expect": "event", "type": "clientReset", "dropped": [{"op": "patch", "class": "D", "key": 1, "reason": "ObjectDeleted"}]}`: `dropped[0].op is "patch"`,
		`{"client": "A", "expect": "event", "type": "clientReset", "dropped": [{"op": "update", "class": "D", "key": 1, "reason": "Gone"}]}`:         `dropped[0].reason is "Gone"`,
		`{"client": "A", "expect": "event", "type": "clientReset", "dropped": [{"op": "update", "class": 2, "key": 1, "reason": "ObjectDeleted"}]}`:  `dropped[0].class must be a string`,
	}
	for step, want := range cases {
		_, err := ParseScenario(scenarioWith(step), "")
		if assert.Error(t, err, step) {
			assert.Contains(t, err.Error(), want, step)
		}
	}
}

func TestDroppedMatchesInAnyOrderInFull(t *testing.T) {
	dec := func(s string) map[string]any {
		var m map[string]any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		require.NoError(t, d.Decode(&m))
		return m
	}
	want := dec(`{"type": "clientReset", "dropped": [
		{"op": "update", "class": "Dog", "key": "1", "reason": "ObjectDeleted"},
		{"op": "listSet", "class": "Task", "key": 7, "reason": "AnchorMissing"}]}`)
	assert.True(t, eventMatches(want, dec(`{"type": "clientReset", "phase": "after", "dropped": [
		{"op": "listSet", "class": "Task", "key": 7, "reason": "AnchorMissing"},
		{"op": "update", "class": "Dog", "key": "1", "reason": "ObjectDeleted"}]}`)), "any order")
	assert.False(t, eventMatches(want, dec(`{"type": "clientReset", "dropped": [
		{"op": "update", "class": "Dog", "key": "1", "reason": "ObjectDeleted"}]}`)), "one missing")
	assert.False(t, eventMatches(want, dec(`{"type": "clientReset", "dropped": [
		{"op": "update", "class": "Dog", "key": "1", "reason": "ObjectDeleted"},
		{"op": "listSet", "class": "Task", "key": 7, "reason": "AnchorMissing", "extra": 1}]}`)), "an extra field")
	assert.False(t, eventMatches(want, dec(`{"type": "clientReset"}`)), "no dropped field")
	assert.True(t, eventMatches(dec(`{"type": "clientReset", "dropped": []}`), dec(`{"type": "clientReset", "dropped": []}`)))
	assert.False(t, eventMatches(dec(`{"type": "clientReset", "dropped": []}`), dec(`{"type": "clientReset"}`)), "[] is not absent")
}
