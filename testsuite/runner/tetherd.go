package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The runner owns the sync server: every scenario that syncs or has a
// server step gets a fresh tetherd (a child process, loopback only, fresh
// data directory and secret), driven through its command line and its
// admin HTTP API — the same surfaces an operator uses.

const (
	// readyTimeout bounds how long tetherd may take to start listening.
	readyTimeout = 20 * time.Second
	// stopGrace is how long a SIGTERMed tetherd may take to shut down
	// before it is SIGKILLed.
	stopGrace = 5 * time.Second
	// adminTimeout bounds one admin API call.
	adminTimeout = 30 * time.Second
)

// tetherd is one scenario's server.
type tetherd struct {
	bin        string
	dir        string // the run directory: data/ and the ready file live under it
	dataDir    string
	storageURL string // -storage (TETHER_STORAGE=postgres); "": dataDir
	readyFile  string
	secret     string
	adminKey   string // the admin API's bearer key (TETHER_ADMIN_KEY)
	maxOffline time.Duration
	protocol   int // -protocol-version (0: the server's own)
	label      string
	log        io.Writer

	// The addresses of the first start; restarts listen on the same ones
	// so that clients reconnect to the URL they were given.
	syncAddr, adminAddr string
	syncURL, adminURL   string

	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	// ended is set when the runner itself stopped or killed the process.
	ended  bool
	out    *tail
	client *http.Client
}

// startTetherd starts a fresh server for a run.
func startTetherd(bin, runDir string, maxOffline time.Duration, label string, log io.Writer) (*tetherd, error) {
	return startTetherdVersion(bin, runDir, maxOffline, 0, label, log)
}

// startTetherdVersion starts a fresh server that speaks sync protocol
// version protocol (0: its own).
func startTetherdVersion(bin, runDir string, maxOffline time.Duration, protocol int, label string, log io.Writer) (*tetherd, error) {
	secret, adminKey := make([]byte, 16), make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	if _, err := rand.Read(adminKey); err != nil {
		return nil, err
	}
	t := &tetherd{bin: bin, dir: runDir, dataDir: filepath.Join(runDir, "tetherd-data"),
		readyFile: filepath.Join(runDir, "tetherd-ready.json"), secret: hex.EncodeToString(secret),
		adminKey:   hex.EncodeToString(adminKey),
		maxOffline: maxOffline, protocol: protocol, label: label, log: log,
		syncAddr: "127.0.0.1:0", adminAddr: "127.0.0.1:0",
		client: &http.Client{Timeout: adminTimeout}}
	if err := os.MkdirAll(t.dataDir, 0o700); err != nil {
		return nil, err
	}
	if err := t.pickStorage(); err != nil {
		return nil, err
	}
	if err := t.launch(); err != nil {
		return nil, err
	}
	return t, nil
}

// launch starts the process and waits for its ready file. A restart on
// fixed ports retries while the old listener's port is not free yet.
func (t *tetherd) launch() error {
	deadline := time.Now().Add(readyTimeout)
	for {
		err := t.launchOnce(deadline)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "address already in use") || !time.Now().Before(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (t *tetherd) launchOnce(deadline time.Time) error {
	os.Remove(t.readyFile)
	args := []string{"-listen", t.syncAddr, "-admin", t.adminAddr, "-data", t.dataDir,
		"-ready-file", t.readyFile}
	args = append(args, t.storageArgs()...)
	if t.maxOffline > 0 {
		args = append(args, "-max-offline", t.maxOffline.String())
	}
	if t.protocol > 0 {
		args = append(args, "-protocol-version", strconv.Itoa(t.protocol))
	}
	cmd := exec.Command(t.bin, args...)
	// Secrets go in the environment: a command line is visible in ps.
	cmd.Env = append(os.Environ(), "TETHER_SECRET="+t.secret, "TETHER_ADMIN_KEY="+t.adminKey)
	cmd.Dir = t.dir
	setServerProcAttr(cmd)
	cmd.WaitDelay = 2 * time.Second
	t.out = &tail{prefix: "[" + t.label + "] ", log: t.log}
	cmd.Stdout, cmd.Stderr = t.out, t.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start tetherd %q: %v", t.bin, err)
	}
	t.cmd, t.exited, t.waitErr, t.ended = cmd, make(chan struct{}), nil, false
	exited := t.exited
	go func() {
		t.waitErr = cmd.Wait()
		close(exited)
	}()
	for {
		if data, err := os.ReadFile(t.readyFile); err == nil {
			var ready struct{ Sync, Admin string }
			if err := json.Unmarshal(data, &ready); err != nil || ready.Sync == "" || ready.Admin == "" {
				t.kill()
				return fmt.Errorf("tetherd wrote a ready file that is not {\"sync\", \"admin\"}: %q", data)
			}
			return t.ready(ready.Sync, ready.Admin)
		}
		select {
		case <-exited:
			return fmt.Errorf("tetherd exited before it was ready: %v%s", t.waitErr, t.suffix())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.kill()
			return fmt.Errorf("tetherd was not ready within %v%s", readyTimeout, t.suffix())
		}
	}
}

// ready records the URLs of a started server; a restart must get the same.
func (t *tetherd) ready(syncURL, adminURL string) error {
	su, err1 := url.Parse(syncURL)
	au, err2 := url.Parse(adminURL)
	if err := errors.Join(err1, err2); err != nil {
		t.kill()
		return fmt.Errorf("tetherd's ready file has bad URLs: %v", err)
	}
	if t.syncURL != "" && (syncURL != t.syncURL || adminURL != t.adminURL) {
		t.kill()
		return fmt.Errorf("tetherd restarted on %s and %s instead of %s and %s", syncURL, adminURL, t.syncURL, t.adminURL)
	}
	t.syncURL, t.adminURL = syncURL, adminURL
	t.syncAddr, t.adminAddr = su.Host, au.Host
	return nil
}

func (t *tetherd) suffix() string {
	if t.out == nil {
		return ""
	}
	return strings.Replace(t.out.suffix(), "driver stderr", "tetherd output", 1)
}

// running reports whether the process is up.
func (t *tetherd) running() bool {
	if t.cmd == nil {
		return false
	}
	select {
	case <-t.exited:
		return false
	default:
		return true
	}
}

// stop ends the server: SIGTERM and up to stopGrace for a graceful
// shutdown, then SIGKILL. It reports a shutdown that was not clean.
func (t *tetherd) stop() error {
	if err := t.unexpectedExit(); err != nil {
		return err
	}
	if !t.running() {
		return nil
	}
	t.ended = true
	_ = t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.exited:
		if t.waitErr != nil {
			return fmt.Errorf("tetherd did not shut down cleanly: %v%s", t.waitErr, t.suffix())
		}
		return nil
	case <-time.After(stopGrace):
		t.kill()
		return fmt.Errorf("tetherd did not stop within %v of SIGTERM (killed it)%s", stopGrace, t.suffix())
	}
}

// kill ends the server with SIGKILL and reaps it.
func (t *tetherd) kill() {
	if !t.running() {
		return
	}
	t.ended = true
	_ = t.cmd.Process.Kill()
	<-t.exited
}

// unexpectedExit reports a server that exited without being asked to (a
// crash, a panic): whatever failed next was probably its doing.
func (t *tetherd) unexpectedExit() error {
	if t.cmd == nil || t.ended || t.running() {
		return nil
	}
	return fmt.Errorf("tetherd exited unexpectedly: %v%s", t.waitErr, t.suffix())
}

// restart stops the server (gracefully, or with SIGKILL) and starts it
// again on the same data directory and ports.
func (t *tetherd) restart(graceful bool) error {
	if err := t.unexpectedExit(); err != nil {
		return err
	}
	if graceful {
		if err := t.stop(); err != nil {
			return err
		}
	} else {
		t.kill()
	}
	return t.launch()
}

// adminError is the admin API's error body.
type adminError struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// admin POSTs to the admin API. An error the server answers with a code
// is a *DriverError (so that expectError can match it); a server that
// cannot be reached is a plain error.
func (t *tetherd) admin(path string, query url.Values, body any) (json.RawMessage, error) {
	u := t.adminURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+t.adminKey)
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tetherd admin API: %v%s", err, t.suffix())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("tetherd admin API %s: %v", path, err)
	}
	if resp.StatusCode/100 != 2 {
		var ae adminError
		if json.Unmarshal(data, &ae) == nil && ae.Error != nil && ae.Error.Code != "" {
			return nil, &DriverError{Code: ae.Error.Code, Message: "tetherd: " + ae.Error.Message}
		}
		return nil, fmt.Errorf("tetherd admin API %s answered %s: %s", path, resp.Status, clip(data))
	}
	return data, nil
}

// Token values a scenario may give instead of a literal token; the runner
// turns them into such tokens for the scenario's server (README.md).
var tokenKinds = map[string]string{
	"expired":        "a token for the partition that expired an hour ago",
	"wrongSignature": "a token for the partition signed with another secret",
	"readOnly":       "a token that may read the partition but not write it",
	"otherPartition": "a valid token for another partition only",
}

// token mints a token with `tetherd token`. kind "" is a valid token for
// the partition; the kinds above make the invalid ones; anything else is
// passed through as the token itself.
func (t *tetherd) token(partition, kind string) (string, error) {
	return t.tokenAs("conformance", partition, kind)
}

// tokenAs is token for another subject (a flexible session's user).
func (t *tetherd) tokenAs(subject, partition, kind string) (string, error) {
	if _, special := tokenKinds[kind]; kind != "" && !special {
		return kind, nil
	}
	secret, ttl, grant := t.secret, "1h", []string{"-partition", partition}
	switch kind {
	case "expired":
		ttl = "-1h"
	case "wrongSignature":
		secret = "not-" + t.secret
	case "readOnly":
		grant = []string{"-read", partition}
	case "otherPartition":
		grant = []string{"-partition", "other-than-" + partition}
	}
	args := append([]string{"token", "-subject", subject, "-ttl=" + ttl}, grant...)
	var stderr bytes.Buffer
	cmd := exec.Command(t.bin, args...)
	cmd.Env = append(os.Environ(), "TETHER_SECRET="+secret)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	tok := strings.TrimSpace(string(out))
	if err != nil || tok == "" || strings.ContainsAny(tok, " \n") {
		return "", fmt.Errorf("tetherd token %s: %v: %s%s", strings.Join(args[1:], " "), err, tok, strings.TrimSpace(stderr.String()))
	}
	return tok, nil
}

// The tetherd binary: Options.Tetherd, or built once per process from
// the module the runner runs in.
var tetherdBuild struct {
	once sync.Once
	path string
	err  error
}

// tetherdPath returns o.Tetherd, or builds ./cmd/tetherd of the current
// module into its build/tetherd (once per process) and returns that.
func (o *Options) tetherdPath() (string, error) {
	if o.Tetherd != "" {
		// tetherd runs in the scenario's directory: a relative path must
		// become absolute.
		return filepath.Abs(o.Tetherd)
	}
	tetherdBuild.once.Do(func() {
		tetherdBuild.path, tetherdBuild.err = BuildTetherd("")
	})
	return tetherdBuild.path, tetherdBuild.err
}

// BuildTetherd builds cmd/tetherd of the module in the current directory
// into out ("" = the module's build/tetherd) and returns its path.
func BuildTetherd(out string) (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(gomod)), "go.mod") {
		return "", fmt.Errorf("no tetherd: pass -tetherd PATH (cannot find the module to build it from: %v)", err)
	}
	if out == "" {
		out = filepath.Join(root, "build", "tetherd")
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/tetherd")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/tetherd: %v: %s", err, strings.TrimSpace(string(b)))
	}
	return out, nil
}
