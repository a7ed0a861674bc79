package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// realm-core's test_parser.cpp, "subquery": the same objects and the
// same expected counts.
const subqueryTestSchema = `[
 {"name":"Discount","primaryKey":"_id","properties":{"_id":"int","promotion":"string?","reduced_by":"double","active":"bool"}},
 {"name":"Allergens","primaryKey":"_id","properties":{"_id":"int","name":"string","population_affected":"double"}},
 {"name":"Items","primaryKey":"_id","properties":{"_id":"int","name":"string","price":"double","discount":"Discount","allergens":"Allergens[]",
   "buyers":{"type":"linkingObjects","objectType":"Person","property":"items"}}},
 {"name":"Person","primaryKey":"customer_id","properties":{"customer_id":"int","account_balance":"double","items":"Items[]","fav_item":"Items"}}]`

func subqueryFixture() listLinker {
	i := func(n int) any { return int64(n) }
	lk := listLinker{"Discount": {}, "Allergens": {}, "Items": {}, "Person": {}}
	for k, d := range []struct {
		promo  any
		off    float64
		active bool
	}{{"back to school", 3.0, false}, {"pizza lunch special", 2.5, true}, {"manager's special", 0.5, true}, {nil, 1.5, true}} {
		lk["Discount"][i(k)] = map[string]any{"_id": i(k), "promotion": d.promo, "reduced_by": d.off, "active": d.active}
	}
	for k, a := range []struct {
		name string
		pop  float64
	}{{"dairy", 0.75}, {"nuts", 0.01}, {"wheat", 0.01}, {"soy", 0.005}} {
		lk["Allergens"][i(k)] = map[string]any{"_id": i(k), "name": a.name, "population_affected": a.pop}
	}
	items := []map[string]any{
		{"name": "milk", "price": 5.5, "discount": i(2), "allergens": []any{i(0)}},
		{"name": "oranges", "price": 4.0, "discount": nil, "allergens": []any{}},
		{"name": "pizza", "price": 9.5, "discount": i(1), "allergens": []any{i(0), i(2), i(3)}},
		{"name": "cereal", "price": 6.5, "discount": i(0), "allergens": []any{i(0), i(1), i(2)}},
	}
	for k, it := range items {
		it["_id"] = i(k)
		lk["Items"][i(k)] = it
	}
	ten := make([]any, 10)
	for k := range ten {
		ten[k] = i(0)
	}
	for k, l := range [][]any{{i(0), i(1), i(2), i(3)}, ten, {i(2), i(2), i(3)}} {
		lk["Person"][i(k)] = map[string]any{"customer_id": i(k), "account_balance": float64(k+1) * 10, "items": l, "fav_item": i(k)}
	}
	return lk
}

func TestSubquery(t *testing.T) {
	s, err := schema.FromJSON([]byte(subqueryTestSchema))
	require.NoError(t, err)
	lk := subqueryFixture()
	count := func(class, filter string) int {
		p, err := CompileIn(filter, s, s.Class(class), nil)
		require.NoError(t, err, filter)
		n := 0
		for _, o := range lk[class] {
			if p.MatchLinked(o, lk) {
				n++
			}
		}
		return n
	}
	for filter, want := range map[string]int{
		"SUBQUERY(items, $x, TRUEPREDICATE).@count > 0":                                                                  3,
		"!SUBQUERY(items, $x, TRUEPREDICATE).@count > 0":                                                                 0,
		"SUBQUERY(items, $x, !TRUEPREDICATE).@count > 0":                                                                 0,
		"SUBQUERY(items, $x, FALSEPREDICATE).@count == 0":                                                                3,
		"!SUBQUERY(items, $x, FALSEPREDICATE).@count == 0":                                                               0,
		"SUBQUERY(items, $x, !FALSEPREDICATE).@count == 0":                                                               0,
		"SUBQUERY(items, $x, 5.5 == $x.price ).@count > 0":                                                               2,
		"SUBQUERY(items, $x, $x.name CONTAINS[c] 'MILK').@count >= 1":                                                    2,
		"SUBQUERY(items, $x, $x.name CONTAINS[c] 'MILK' && $x.price == 5.5).@count >= 1":                                 2,
		"SUBQUERY(items, $x, $x.name CONTAINS[c] 'MILK' || $x.price >= 5.5).@count >= 1":                                 3,
		"SUBQUERY(items, $anyNAME_-0123456789, 5.5 == $anyNAME_-0123456789.price ).@count > 0":                           2,
		"SUBQUERY(items, $x, $x.name.@size == 4).@count > 0":                                                             2,
		"SUBQUERY(items, $x, $x.allergens.@count > 1).@count > 0":                                                        2,
		"SUBQUERY(items, $x, $x.allergens.@min.population_affected < 0.10).@count > 0":                                   2,
		"SUBQUERY(items, $x, $x.allergens.@max.population_affected > 0.50).@count > 0":                                   3,
		"SUBQUERY(items, $x, $x.allergens.@sum.population_affected > 0.75).@count > 0":                                   2,
		"SUBQUERY(items, $x, $x.allergens.@avg.population_affected > 0.50).@count > 0":                                   2,
		"SUBQUERY(fav_item.allergens, $x, $x.name CONTAINS[c] 'dairy').@count > 0":                                       2,
		"SUBQUERY(items, $x, SUBQUERY($x.allergens, $allergy, $allergy.name CONTAINS[c] 'dairy').@count > 0).@count > 0": 3,
		// Tether's own: a nested link path, the count against a property,
		// on the right, @size, duplicates counted, and a backlink.
		"SUBQUERY(items, $x, $x.discount.active == true AND $x.discount.reduced_by > 1).@count == 2": 1,
		"SUBQUERY(items, $x, $x.price > 5).@count < account_balance":                                 3,
		"10 == SUBQUERY(items, $x, $x.name == 'milk').@count":                                        1,
		"SUBQUERY(items, $x, $x.name == 'pizza').@size == 2":                                         1,
		"SUBQUERY(items, $x, $x.name == 'pizza').@count IN {1, 2}":                                   2,
	} {
		require.Equal(t, want, count("Person", filter), filter)
	}
	require.Equal(t, 1, count("Items", "SUBQUERY(buyers, $p, $p.account_balance > 15).@count == 2"), "pizza: bought by persons 0 and 2")

	for filter, code := range map[string]terror.Code{
		"SUBQUERY(items, $x.y, 5.5 == $x.y.price ).@count > 0":    terror.QuerySyntax,
		"SUBQUERY(items, x, 5.5 == x.y.price ).@count > 0":        terror.QuerySyntax,
		"SUBQUERY(account_balance, $x, TRUEPREDICATE).@count > 0": terror.InvalidArgument,
		"SUBQUERY(fav_item, $x, TRUEPREDICATE).@count > 0":        terror.InvalidArgument,
		"SUBQUERY(items, $x, $y.price > 1).@count > 0":            terror.QuerySyntax,
		"SUBQUERY(items, $x, $x.price > 1) > 0":                   terror.QuerySyntax,
		"SUBQUERY(items, $x, $x.price > 1).@count > 'a'":          terror.WrongType,
		"SUBQUERY(items, $x, $x.nope > 1).@count > 0":             terror.UnknownProperty,
		"$x.price > 1":                                 terror.QuerySyntax,
		"SUBQUERY(items, $x, $x.price > 1":             terror.QuerySyntax,
		"SUBQUERY(items, $x, $x > 1).@count > 0":       terror.QuerySyntax,
		"SUBQUERY(nope, $x, TRUEPREDICATE).@count > 0": terror.UnknownProperty,
		"account_balance == .@count":                   terror.QuerySyntax,
		"$abc == 1":                                    terror.QuerySyntax,
	} {
		_, err := CompileIn(filter, s, s.Class("Person"), nil)
		require.Error(t, err, filter)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
	_, err = CompileIn("SUBQUERY(fav_item, $x, TRUEPREDICATE).@count > 0", s, s.Class("Person"), nil)
	require.ErrorContains(t, err, "A subquery must operate on a list property, but 'fav_item' is type")
}
