package main

// The web demo: platforms/web/demo (a todo list on the npm package's
// browser entry) and the package's files over HTTP on loopback, plus
// /config.json, which hands the page its sync URL, a token and a partition
// (or, with ?mode=flexible&user=NAME, a development token for that user:
// the demo's sign-in, on loopback only, as `tetherd token` issues them).
//
//	/               redirects to /demo/
//	/demo/...       platforms/web/demo (index.html, app.js, style.css)
//	/tether/...     the package files (package.json's "files": browser.js,
//	                tether.wasm as application/wasm, wasm_exec.js, ...)
//	/config.json    {"url", "token", "partition"}; ?mode=flexible&user=NAME:
//	                {"url", "token", "mode": "flexible", "user"}

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tethersync/tether/server"
)

const modulePath = "github.com/tethersync/tether"

type webDemo struct {
	root      string          // platforms/web
	pkgFiles  map[string]bool // the package's files (package.json "files")
	syncURL   string
	secret    string
	partition string
}

// findWebRoot finds platforms/web: the -web-root flag, else the module
// root above the working directory or above the executable.
func findWebRoot(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			starts = append(starts, filepath.Dir(exe))
		}
	}
	for _, dir := range starts {
		for {
			if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
				strings.HasPrefix(strings.TrimSpace(string(b)), "module "+modulePath) {
				return filepath.Join(dir, "platforms", "web"), nil
			}
			up := filepath.Dir(dir)
			if up == dir {
				break
			}
			dir = up
		}
	}
	return "", fmt.Errorf("cannot find platforms/web (the %s module root is not above the working directory or the executable): give -web-root", modulePath)
}

func newWebDemo(root, syncURL, secret, partition string) (*webDemo, error) {
	b, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		return nil, err
	}
	var pkg struct {
		Files []string `json:"files"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(root, "package.json"), err)
	}
	files := map[string]bool{}
	for _, f := range pkg.Files {
		files[f] = true
	}
	for _, f := range []string{"browser.js", "tether.wasm", "wasm_exec.js"} {
		if !files[f] {
			return nil, fmt.Errorf("package.json does not list %s", f)
		}
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			return nil, fmt.Errorf("%s is missing: run `make -C platforms/web build` first", filepath.Join(root, f))
		}
	}
	if _, err := os.Stat(filepath.Join(root, "demo", "index.html")); err != nil {
		return nil, err
	}
	return &webDemo{root: root, pkgFiles: files, syncURL: syncURL, secret: secret, partition: partition}, nil
}

func (d *webDemo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	p := r.URL.Path
	switch {
	case p == "/":
		http.Redirect(w, r, "/demo/", http.StatusFound)
	case p == "/config.json" && r.URL.Query().Get("mode") == "flexible":
		d.serveUserConfig(w, r.URL.Query().Get("user"))
	case p == "/config.json":
		d.serveConfig(w)
	case p == "/demo":
		http.Redirect(w, r, "/demo/", http.StatusMovedPermanently)
	case strings.HasPrefix(p, "/demo/"):
		name := strings.TrimPrefix(p, "/demo/")
		if name == "" {
			name = "index.html"
		}
		switch path.Ext(name) {
		case ".html", ".js", ".css", ".svg", ".png":
		default:
			http.NotFound(w, r)
			return
		}
		if strings.Contains(name, "/") || strings.HasSuffix(name, ".test.js") {
			http.NotFound(w, r)
			return
		}
		d.serveFile(w, r, filepath.Join(d.root, "demo", name))
	case strings.HasPrefix(p, "/tether/") && d.pkgFiles[strings.TrimPrefix(p, "/tether/")]:
		d.serveFile(w, r, filepath.Join(d.root, strings.TrimPrefix(p, "/tether/")))
	default:
		http.NotFound(w, r)
	}
}

func (d *webDemo) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	f, err := os.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	switch filepath.Ext(name) {
	case ".wasm":
		w.Header().Set("Content-Type", "application/wasm") // for WebAssembly.instantiateStreaming
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	http.ServeContent(w, r, filepath.Base(name), st.ModTime(), f)
}

// serveConfig gives the page what it needs to sync: a fresh token for the
// demo's partition, issued with the demo's secret.
func (d *webDemo) serveConfig(w http.ResponseWriter) {
	tok, err := server.IssueToken(d.secret, server.Claims{Subject: "web-demo", Expiry: time.Now().Add(24 * time.Hour).Unix(),
		Read: []string{d.partition}, Write: []string{d.partition}})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"url": d.syncURL, "token": tok, "partition": d.partition})
}

// demoUser is what a demo user name may be: it becomes the token's
// subject, %user in the rules and the todos' owner.
var demoUser = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// serveUserConfig signs a browser in as user for the flexible mode: a
// token whose subject is the user (no partitions: demoRules decide). A
// development sign-in (anyone may be anyone), served on loopback only.
func (d *webDemo) serveUserConfig(w http.ResponseWriter, user string) {
	if !demoUser.MatchString(user) {
		http.Error(w, "user must be 1 to 32 letters, digits, - or _", http.StatusBadRequest)
		return
	}
	tok, err := server.IssueToken(d.secret, server.Claims{Subject: user, Expiry: time.Now().Add(24 * time.Hour).Unix()})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"url": d.syncURL, "token": tok, "mode": "flexible", "user": user})
}

// serveWeb serves the web demo on addr (loopback) until the returned
// server is closed; it returns the demo's URL.
func serveWeb(addr, webRoot, syncURL, secret, partition string) (*http.Server, string, error) {
	root, err := findWebRoot(webRoot)
	if err != nil {
		return nil, "", err
	}
	d, err := newWebDemo(root, syncURL, secret, partition)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	hs := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return hs, "http://" + ln.Addr().String() + "/", nil
}

// writeReady writes the URLs as JSON, atomically, for a test polling for
// the file.
func writeReady(file string, urls map[string]string) error {
	b, _ := json.Marshal(urls)
	tmp := filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
