// Command headercheck checks gobind's Objective-C header for bind/
// (Tether.objc.h) against bind/'s Go source, not against a copy of an
// earlier header: every exported constant, function, struct method and
// interface method of bind/ must be declared, with the declaration
// gobind's documented type mapping gives it (below), and the header must
// declare nothing bind/ does not export and skip nothing.
//
//	go run ./platforms/ios/headercheck [-bind DIR] HEADER
//
// The mapping (golang.org/x/mobile/bind, Objective-C):
//
//	int64 -> int64_t, bool -> BOOL, string -> NSString* (_Nullable as a
//	parameter, _Nonnull as a result), []byte -> NSData* _Nullable,
//	*T -> TetherT* _Nullable, interface I -> id<TetherI> _Nullable.
//	A trailing error becomes a last parameter NSError* _Nullable* _Nullable
//	error and the result a BOOL, unless the other result is an object
//	(returned, nil on error); a scalar result next to an error becomes an
//	out parameter ret0_. Functions are TetherF(params), (void) without;
//	methods keep their Go name with a lower-case first letter, the first
//	parameter unlabelled and the others labelled with their names.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

const prefix = "Tether"

func main() {
	bindDir := flag.String("bind", "bind", "the gomobile-bound Go package's directory")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: headercheck [-bind DIR] HEADER")
		os.Exit(2)
	}
	want, err := expected(*bindDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "headercheck:", err)
		os.Exit(2)
	}
	have, skipped, err := declarations(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "headercheck:", err)
		os.Exit(2)
	}
	failed := 0
	for _, s := range skipped {
		fmt.Println("SKIPPED by gobind (an exported API apps cannot call):", s)
		failed++
	}
	for _, d := range want {
		if have[d] == 0 {
			fmt.Println("MISSING:", d)
			failed++
		} else {
			have[d]--
		}
	}
	var extra []string
	for d, n := range have {
		for ; n > 0; n-- {
			extra = append(extra, d)
		}
	}
	sort.Strings(extra)
	for _, d := range extra {
		fmt.Println("NOT IN bind/ (or declared twice):", d)
		failed++
	}
	fmt.Printf("ios header: %d declarations of bind/ checked, %d failed\n", len(want), failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// expected lists the declarations bind/'s exported API maps to; a
// declaration two types share (a method of the same name and signature)
// is listed once per type.
func expected(dir string) ([]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s: want one package, found %d", dir, len(pkgs))
	}
	var out []string
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch s := spec.(type) {
						case *ast.ValueSpec:
							if d.Tok != token.CONST {
								continue
							}
							for _, n := range s.Names {
								if n.IsExported() {
									out = append(out, fmt.Sprintf("FOUNDATION_EXPORT const %s %s%s;", constType(s), prefix, n.Name))
								}
							}
						case *ast.TypeSpec:
							if !s.Name.IsExported() {
								continue
							}
							switch t := s.Type.(type) {
							case *ast.StructType:
								out = append(out, fmt.Sprintf("@interface %s%s : NSObject <goSeqRefInterface> {", prefix, s.Name.Name))
							case *ast.InterfaceType:
								// A protocol, and the class gobind wraps a
								// Go implementation in.
								out = append(out, fmt.Sprintf("@protocol %s%s <NSObject>", prefix, s.Name.Name),
									fmt.Sprintf("@interface %s%s : NSObject <goSeqRefInterface, %s%s> {", prefix, s.Name.Name, prefix, s.Name.Name))
								for _, m := range t.Methods.List {
									for _, n := range m.Names {
										if n.IsExported() {
											decl, err := method(n.Name, m.Type.(*ast.FuncType))
											if err != nil {
												return nil, err
											}
											out = append(out, decl, decl) // in the protocol and in the class
										}
									}
								}
							}
						}
					}
				case *ast.FuncDecl:
					if !d.Name.IsExported() {
						continue
					}
					var decl string
					if d.Recv == nil {
						decl, err = function(d.Name.Name, d.Type)
					} else if recvExported(d.Recv) {
						decl, err = method(d.Name.Name, d.Type)
					} else {
						continue
					}
					if err != nil {
						return nil, err
					}
					out = append(out, decl)
				}
			}
		}
	}
	return out, nil
}

func recvExported(r *ast.FieldList) bool {
	t := r.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

func constType(s *ast.ValueSpec) string {
	if s.Type != nil {
		if t, err := objcType(s.Type, false); err == nil {
			return t
		}
	}
	if len(s.Values) == 1 {
		if lit, ok := s.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			return "NSString* _Nonnull"
		}
	}
	return "int64_t" // an untyped integer constant
}

// objcType maps a Go type; result says whether it is a result (strings
// are then _Nonnull).
func objcType(e ast.Expr, result bool) (string, error) {
	switch t := e.(type) {
	case *ast.Ident:
		switch t.Name {
		case "int64":
			return "int64_t", nil
		case "bool":
			return "BOOL", nil
		case "string":
			if result {
				return "NSString* _Nonnull", nil
			}
			return "NSString* _Nullable", nil
		}
		if t.IsExported() {
			// An interface (a struct is only ever passed by pointer).
			return fmt.Sprintf("id<%s%s> _Nullable", prefix, t.Name), nil
		}
	case *ast.ArrayType:
		if id, ok := t.Elt.(*ast.Ident); ok && id.Name == "byte" && t.Len == nil {
			return "NSData* _Nullable", nil
		}
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok && id.IsExported() {
			return fmt.Sprintf("%s%s* _Nullable", prefix, id.Name), nil
		}
	}
	return "", fmt.Errorf("no Objective-C mapping for Go type %T %v", e, e)
}

func scalar(objc string) bool { return objc == "int64_t" || objc == "BOOL" }

type param struct{ typ, name string }

// signature gives the result type and the parameters, the error and ret0_
// out parameters included.
func signature(ft *ast.FuncType) (string, []param, error) {
	var ps []param
	for _, f := range ft.Params.List {
		t, err := objcType(f.Type, false)
		if err != nil {
			return "", nil, err
		}
		for _, n := range f.Names {
			name := n.Name
			if name == "id" {
				name = "id_" // an Objective-C keyword
			}
			ps = append(ps, param{t, name})
		}
	}
	var results []ast.Expr
	if ft.Results != nil {
		for _, f := range ft.Results.List {
			for range max(1, len(f.Names)) {
				results = append(results, f.Type)
			}
		}
	}
	isErr := func(e ast.Expr) bool { id, ok := e.(*ast.Ident); return ok && id.Name == "error" }
	errParam := param{"NSError* _Nullable* _Nullable", "error"}
	switch {
	case len(results) == 0:
		return "void", ps, nil
	case len(results) == 1 && isErr(results[0]):
		return "BOOL", append(ps, errParam), nil
	case len(results) == 1:
		t, err := objcType(results[0], true)
		return t, ps, err
	case len(results) == 2 && isErr(results[1]):
		t, err := objcType(results[0], true)
		if err != nil {
			return "", nil, err
		}
		if scalar(t) {
			return "BOOL", append(ps, param{t + "* _Nullable", "ret0_"}, errParam), nil
		}
		if strings.HasPrefix(t, "NSString") {
			return t, append(ps, errParam), nil
		}
		return strings.Replace(t, "_Nonnull", "_Nullable", 1), append(ps, errParam), nil
	}
	return "", nil, fmt.Errorf("results %v: gobind takes (T), (error) or (T, error)", results)
}

func function(name string, ft *ast.FuncType) (string, error) {
	ret, ps, err := signature(ft)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	var args []string
	for _, p := range ps {
		args = append(args, p.typ+" "+p.name)
	}
	if len(args) == 0 {
		args = []string{"void"}
	}
	return fmt.Sprintf("FOUNDATION_EXPORT %s %s%s(%s);", ret, prefix, name, strings.Join(args, ", ")), nil
}

func method(name string, ft *ast.FuncType) (string, error) {
	ret, ps, err := signature(ft)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	sel := string(unicode.ToLower(rune(name[0]))) + name[1:]
	var b strings.Builder
	fmt.Fprintf(&b, "- (%s)%s", ret, sel)
	for i, p := range ps {
		if i > 0 {
			b.WriteString(" " + p.name)
		}
		fmt.Fprintf(&b, ":(%s)%s", p.typ, p.name)
	}
	b.WriteString(";")
	return b.String(), nil
}

var (
	declLine = regexp.MustCompile(`^(FOUNDATION_EXPORT .*;|- \(.*;|@interface .*|@protocol \S+ <.*)$`)
	// What gobind adds to every bound class, not from bind/'s API.
	boilerplate = map[string]bool{
		"- (nonnull instancetype)initWithRef:(_Nonnull id)ref;": true,
		"- (nonnull instancetype)init;":                         true,
	}
)

// declarations counts the header's declarations (one per line) and lists
// what gobind says it skipped.
func declarations(path string) (map[string]int, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	have := map[string]int{}
	var skipped []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "// skipped ") {
			skipped = append(skipped, line)
		}
		if declLine.MatchString(line) && !boilerplate[line] {
			have[line]++
		}
	}
	return have, skipped, sc.Err()
}
