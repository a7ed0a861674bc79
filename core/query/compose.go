package query

import (
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/terror"
)

// Filter is a query string and the values of its $0, $1...
type Filter struct {
	Text string
	Args []any
}

// And composes filters into one that matches what every one of them
// matches (Realm's results.filtered(a).filtered(b)): the predicates are
// parenthesized and joined with AND, each one's $N renumbered after the
// arguments of those before it (only argument tokens: never inside string
// literals), and their SORT and LIMIT clauses follow, in order. An empty
// filter (or one with clauses only) adds no predicate.
//
// Errors: QuerySyntax for a filter that does not lex; InvalidArgument for
// a $N beyond its own filter's arguments (it would take another filter's)
// and for LIMIT or DISTINCT in any filter but the last (Realm limits before the
// filters after it, which one query cannot say).
func And(filters ...Filter) (Filter, error) {
	if len(filters) == 1 {
		return filters[0], nil
	}
	var preds, clauses []string
	var args []any
	for i, f := range filters {
		pred, clause, err := renumber(f, len(args))
		if err != nil {
			return Filter{}, terror.Wrap(terror.CodeOf(err), err, "filter %d of %d", i+1, len(filters))
		}
		if up := strings.ToUpper(clause); (strings.Contains(up, "LIMIT") || strings.Contains(up, "DISTINCT")) && i < len(filters)-1 {
			return Filter{}, terror.New(terror.InvalidArgument, "filter %d of %d has LIMIT or DISTINCT: only the last filter may limit the results or make them distinct", i+1, len(filters))
		}
		if strings.TrimSpace(pred) != "" {
			preds = append(preds, "("+pred+")")
		}
		if clause != "" {
			clauses = append(clauses, clause)
		}
		args = append(args, f.Args...)
	}
	text := strings.Join(preds, " AND ")
	if len(clauses) > 0 {
		text = strings.TrimSpace(text + " " + strings.Join(clauses, " "))
	}
	return Filter{Text: text, Args: args}, nil
}

// renumber returns f's predicate and its trailing clauses (SORT(...),
// LIMIT(...)), with every $N shifted by offset.
func renumber(f Filter, offset int) (pred, clauses string, err error) {
	toks := lex(f.Text)
	var b strings.Builder
	from, depth, split := 0, 0, false
	for i, t := range toks {
		switch t.kind {
		case tErr:
			return "", "", t.err
		case tLParen:
			depth++
		case tRParen:
			depth--
		case tIdent:
			if depth == 0 && !split && (t.is("SORT") || t.is("LIMIT") || t.is("DISTINCT")) && i+1 < len(toks) && toks[i+1].kind == tLParen {
				split = true
				b.WriteString(f.Text[from:t.pos])
				pred, from = b.String(), t.pos
				b.Reset()
			}
		case tArg:
			n := t.val.(int)
			if n >= len(f.Args) {
				return "", "", terror.New(terror.InvalidArgument, "$%d has no argument (the filter has %d)", n, len(f.Args))
			}
			b.WriteString(f.Text[from:t.pos])
			b.WriteString("$" + strconv.Itoa(n+offset))
			from = t.end
		}
	}
	b.WriteString(f.Text[from:])
	if split {
		clauses = b.String()
	} else {
		pred = b.String()
	}
	return strings.TrimSpace(pred), strings.TrimSpace(clauses), nil
}
