package query

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// realm-core's Parser_NullableBinaries: knife, plate, fork and two nulls.
func TestStringOperatorsOnBinary(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{{"b": []byte("knife")}, {"b": []byte("plate")}, {"b": []byte("fork")}, {"b": nil}, {"b": nil}}
	tests := []struct {
		filter string
		want   int
	}{
		{"b == NULL", 2}, {"b != NULL", 3},
		{"b CONTAINS 'f'", 2}, {"b BEGINSWITH 'f'", 1}, {"b ENDSWITH 'e'", 2}, {"b LIKE 'f*'", 1},
		{"b CONTAINS[c] 'F'", 2}, {"b BEGINSWITH[c] 'F'", 1}, {"b ENDSWITH[c] 'E'", 2}, {"b LIKE[c] 'F*'", 1},
		{"b CONTAINS NULL", 5}, {"b BEGINSWITH NULL", 5}, {"b ENDSWITH NULL", 5}, {"b LIKE NULL", 2},
		{"b CONTAINS[c] NULL", 3}, {"b BEGINSWITH[c] NULL", 5}, {"b ENDSWITH[c] NULL", 5}, {"b LIKE[c] NULL", 2},
		{"b == 'knife'", 1}, {"b IN {'fork', 'plate'}", 2}, {"b == $0", 1}, {"b CONTAINS $0", 1},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			assert.Equal(t, tc.want, count(t, c, objs, tc.filter, []byte("fork")))
		})
	}
	for _, f := range []string{"NULL CONTAINS b", "NULL LIKE[c] b", "b CONTAINS 3"} {
		_, err := Compile(f, c, nil)
		assert.Error(t, err, f)
	}
}

func TestBase64Literal(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{{"b": []byte("knife")}, {"b": []byte("fork")}, {"b": nil}}
	assert.Equal(t, 1, count(t, c, objs, `b == B64"a25pZmU="`))
	assert.Equal(t, 1, count(t, c, objs, `b BEGINSWITH B64'Zm8='`))
	assert.Equal(t, 2, count(t, c, objs, `b IN {B64"a25pZmU=", B64"Zm9yaw=="}`))
	_, err := Compile(`b == B64"!!"`, c, nil)
	assert.Equal(t, "QuerySyntax", string(codeOf(err)))
	_, err = Compile(`s == B64"Zm8="`, c, nil)
	assert.Error(t, err)
}
