package server

// Flexible sync's permission rules: per class, a read and a write filter in
// RQL over the object, where %user is the user id of the session's token.
// A class without rules is readable and writable by everyone. Rules come
// from the server's configuration (Config.Rules, tetherd -rules FILE) or
// the admin API (POST /admin/flexible), and are evaluated with core/query
// over the server's own object state (no client store).

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// ClassRules are one class's permissions; an empty filter allows all.
type ClassRules struct {
	Read  string `json:"read,omitempty"`
	Write string `json:"write,omitempty"`
}

// Rules are the flexible-sync permissions, per class.
type Rules map[string]ClassRules

// maxRules bounds a rules document (it comes from a file or the admin API).
const maxRules = 1 << 20

// ParseRules reads a rules document: {"Class": {"read": RQL, "write": RQL}}.
// Every filter is checked for the %user placeholder's form; filters are
// compiled against the app's schema when a session uses them.
func ParseRules(b []byte) (Rules, error) {
	if len(b) > maxRules {
		return nil, terror.New(terror.InvalidArgument, "rules of %d bytes exceed the limit of %d", len(b), maxRules)
	}
	var r Rules
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "rules are not a JSON object of {read, write} per class")
	}
	for class, cr := range r {
		for _, f := range []string{cr.Read, cr.Write} {
			if _, err := bindUser(f); err != nil {
				return nil, terror.Wrap(terror.InvalidArgument, err, "rules of class %q", class)
			}
		}
	}
	return r, nil
}

// LoadRules reads a rules file.
func LoadRules(path string) (Rules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "read rules file")
	}
	return ParseRules(b)
}

// bindUser rewrites %user (and %user.id) outside string literals into the
// argument $0, to which the session's user id is bound. Any other %name
// is refused: a rule must not silently compare with nothing.
func bindUser(filter string) (string, error) {
	if !strings.Contains(filter, "%") {
		return filter, nil
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(filter); i++ {
		c := filter[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(filter) {
				i++
				b.WriteByte(filter[i])
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
			b.WriteByte(c)
		case c == '%':
			j := i + 1
			for j < len(filter) && (isIdentByte(filter[j]) || filter[j] == '.') {
				j++
			}
			switch filter[i+1 : j] {
			case "user", "user.id":
				b.WriteString("$0")
			default:
				return "", terror.New(terror.QuerySyntax, "unknown placeholder %q at byte %d (rules know %%user)", filter[i:j], i)
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// compileRule compiles one rule filter for a user. A rule that cannot be
// compiled denies (fail closed): the error says why.
func compileRule(filter string, s *schema.Schema, class *schema.Class, user string) (*query.Predicate, error) {
	if filter == "" {
		return nil, nil // allows all (a nil Predicate matches everything)
	}
	src, err := bindUser(filter)
	if err != nil {
		return nil, err
	}
	return query.CompileIn(src, s, class, []any{user})
}

// userOf is the user id a flexible session acts as (%user in rules): the
// token's user (a Tether token's subject, a JWT's configured user claim).
// It is the one place a richer identity (other claims in rules) plugs in.
func userOf(c *Claims) string { return c.User() }

// ruleSet is the rules compiled for one user against one schema, built
// lazily per class (a session holds one: nothing is shared between users).
type ruleSet struct {
	rules  Rules
	gen    uint64
	schema *schema.Schema
	user   string
	read   map[string]rulePred
	write  map[string]rulePred
	space  *partition // resolves the rules' link paths (flex_links.go); nil: links read as null
}

type rulePred struct {
	p   *query.Predicate
	err error // the rule did not compile: it denies
}

func (rp rulePred) allows(space *partition, obj map[string]any) bool {
	if rp.err != nil {
		return false
	}
	if space != nil && rp.p.Linked() {
		return rp.p.MatchLinked(obj, space.linker())
	}
	return rp.p.Match(obj)
}

func newRuleSet(r Rules, gen uint64, s *schema.Schema, user string) *ruleSet {
	return &ruleSet{rules: r, gen: gen, schema: s, user: user, read: map[string]rulePred{}, write: map[string]rulePred{}}
}

func (rs *ruleSet) pred(cache map[string]rulePred, class string, write bool) rulePred {
	if rp, ok := cache[class]; ok {
		return rp
	}
	cr, ok := rs.rules[class]
	f := cr.Read
	if write {
		f = cr.Write
	}
	var rp rulePred
	if ok && f != "" {
		c := rs.schema.Class(class)
		if c == nil {
			rp.err = terror.New(terror.UnknownProperty, "class %q is not in the schema", class)
		} else {
			rp.p, rp.err = compileRule(f, rs.schema, c, rs.user)
		}
	}
	cache[class] = rp
	return rp
}

func (rs *ruleSet) canRead(class string, obj map[string]any) bool {
	return rs.pred(rs.read, class, false).allows(rs.space, obj)
}

func (rs *ruleSet) canWrite(class string, obj map[string]any) bool {
	return rs.pred(rs.write, class, true).allows(rs.space, obj)
}

// quoteRuleErr describes a rule error for logs.
func quoteRuleErr(class string, write bool, err error) string {
	kind := "read"
	if write {
		kind = "write"
	}
	return kind + " rule of class " + strconv.Quote(class) + ": " + errMessage(err)
}
