package query

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

func dateClass(tb testing.TB) *schema.Class {
	tb.Helper()
	s, err := schema.FromClasses([]schema.ClassJSON{{
		Name: "P", PrimaryKey: "id", Properties: map[string]string{"id": "int", "birthday": "date?", "time": "date?"},
	}})
	require.NoError(tb, err)
	return s.Class("P")
}

// realm-core's Parser_Timestamps: birthdays at Timestamp(-1,-1),
// Timestamp(0,-1) and three at the epoch.
func TestDatesBeforeTheEpoch(t *testing.T) {
	c := dateClass(t)
	epoch := time.Unix(0, 0).UTC()
	objs := []map[string]any{
		{"birthday": time.Unix(-1, -1).UTC()}, {"birthday": time.Unix(0, -1).UTC()},
		{"birthday": epoch}, {"birthday": epoch}, {"birthday": epoch},
	}
	tests := []struct {
		filter string
		want   int
	}{
		{"birthday == T0:0", 3},
		{"birthday == 1970-1-1@0:0:0:0", 3},
		{"birthday == 1970-01-01@00:00:00", 3},
		{"birthday == 1969-12-31@23:59:59:1", 1}, // Timestamp(-1, -1): the nanoseconds take the seconds' sign
		{"birthday == 1969-12-31@23:59:59:0", 0},
		{"birthday > 1905-12-31@23:59:59", 5},
		{"birthday > 1905-12-31@23:59:59:2020", 5},
		{"birthday == T-1:-1", 1},
		{"birthday == T0:-1", 1},
		{"birthday < T0:0", 2},
		{"birthday == 1969-12-31T23:59:59.999999999Z", 1},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			assert.Equal(t, tc.want, count(t, c, objs, tc.filter))
		})
	}
}

// realm-core's Parser_basic_serialisation: single-digit month and day.
func TestDatesSingleDigitFields(t *testing.T) {
	c := dateClass(t)
	objs := []map[string]any{
		{"time": nil}, {"time": time.Unix(1512130073, 0).UTC()}, {"time": time.Unix(1512130073, 505).UTC()},
		{"time": time.Unix(1, 2).UTC()}, {"time": time.Unix(0, 0).UTC()},
	}
	tests := []struct {
		filter string
		want   int
	}{
		{"time == NULL", 1}, {"time != NULL", 4}, {"time > T0:0", 3}, {"time == T1:2", 1},
		{"time > 2017-12-1@12:07:53", 1}, {"time == 2017-12-01@12:07:53:505", 1},
		{"time == 2017-12-1T12:07:53:505", 1}, {"time >= 2017-12-1@12:7:53", 2},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			assert.Equal(t, tc.want, count(t, c, objs, tc.filter))
		})
	}
}

// What Realm refuses: mixed signs, negative readable nanoseconds, dates
// before 1900 in the readable form, incomplete dates.
func TestDatesRefused(t *testing.T) {
	c := dateClass(t)
	for _, f := range []string{
		"birthday == T-1:1", "birthday == T1:-1", "birthday == 1970-1-1@0:0:1:-1",
		"birthday == 1969-12-31@23:59:59:-1", "birthday == 1970-1-1@0:0:0:-1",
		"birthday > 1800-12-31@23:59:59", "birthday > 1800-12-31@23:59:59:2020", "birthday > 0000-01-01@00:00:00",
		"birthday == T1:", "birthday == 1970-1-1@", "birthday == 1970-1-1@0",
		"birthday == 1970-1-1@0:", "birthday == 1970-1-1@0:0", "birthday == 1970-1-1@0:0:",
		"birthday == 1970-1-1@0:0:0:", "birthday == 1970-1-1@0:0:0:0:", "birthday == 1970-1-1@0:0:0:0:0",
		"birthday == 1970-13-1@0:0:0", "birthday == 1970-2-30@0:0:0", "birthday == 1970-123-1@0:0:0",
	} {
		_, err := Compile(f, c, nil)
		var te *terror.Error
		if assert.ErrorAs(t, err, &te, f) {
			assert.Equal(t, terror.QuerySyntax, te.Code, f)
			assert.GreaterOrEqual(t, te.Pos, 0, f)
		}
	}
	_, err := Compile("birthday == T:1", c, nil)
	assert.Error(t, err)
	// T399 is a property name, as in Realm: here an unknown one.
	_, err = Compile("birthday == T399", c, nil)
	assert.Equal(t, terror.UnknownProperty, codeOf(err))
}
