// Command tetherd runs Tether's reference sync server.
//
//	tetherd -listen 127.0.0.1:7800 -admin 127.0.0.1:7801 -data DIR -secret S [-max-offline 720h] [-ready-file PATH]
//	tetherd token -secret S -partition P [-read P] [-write P] [-subject NAME] [-ttl 1h]
//
// The secret may also come from the TETHER_SECRET environment variable.
// With -ready-file, once both listeners are up the server writes
// {"sync": "ws://HOST:PORT/sync", "admin": "http://HOST:PORT"} there
// (ports 0 pick free ones), so test runners can start it and find it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tethersync/tether/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "token" {
		os.Exit(tokenCmd(os.Args[2:]))
	}
	os.Exit(serve(os.Args[1:]))
}

func serve(args []string) int {
	fs := flag.NewFlagSet("tetherd", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:7800", "sync listener address (port 0: any free port)")
	admin := fs.String("admin", "127.0.0.1:7801", `admin API address ("-": none)`)
	data := fs.String("data", "tetherd-data", "data directory")
	secret := fs.String("secret", os.Getenv("TETHER_SECRET"), "token signing secret (or $TETHER_SECRET)")
	maxOffline := fs.Duration("max-offline", 720*time.Hour, "history older than this is trimmed")
	ready := fs.String("ready-file", "", "write the sync and admin URLs here (JSON) once listening")
	verbose := fs.Bool("v", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *secret == "" {
		fmt.Fprintln(os.Stderr, "tetherd: -secret (or TETHER_SECRET) is required")
		return 2
	}
	srv, err := server.New(server.Config{Listen: *listen, AdminListen: *admin, DataDir: *data,
		Secret: *secret, MaxOffline: *maxOffline, Logger: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tetherd:", err)
		return 1
	}
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "tetherd:", err)
		srv.Close()
		return 1
	}
	fmt.Printf("sync:  %s\nadmin: %s\n", srv.SyncURL(), srv.AdminURL())
	if *ready != "" {
		if err := writeReady(*ready, srv.SyncURL(), srv.AdminURL()); err != nil {
			fmt.Fprintln(os.Stderr, "tetherd:", err)
			srv.Close()
			return 1
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	s := <-sig
	log.Info("shutting down", "signal", s.String())
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "tetherd: shutdown:", err)
		return 1
	}
	return 0
}

// writeReady writes the ready file atomically, so a runner polling for it
// never reads half of it.
func writeReady(path, sync, admin string) error {
	b, _ := json.Marshal(map[string]string{"sync": sync, "admin": admin})
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func tokenCmd(args []string) int {
	fs := flag.NewFlagSet("tetherd token", flag.ContinueOnError)
	secret := fs.String("secret", os.Getenv("TETHER_SECRET"), "token signing secret (or $TETHER_SECRET)")
	subject := fs.String("subject", "", "who the token is for")
	ttl := fs.String("ttl", "1h", `lifetime (Go duration; "0": never expires)`)
	var parts, read, write list
	fs.Var(&parts, "partition", "partition to read and write (repeatable; \"*\" = all)")
	fs.Var(&read, "read", "partition to read only (repeatable)")
	fs.Var(&write, "write", "partition to write (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c := server.Claims{Subject: *subject, Read: append(append([]string(nil), parts...), read...),
		Write: append(append([]string(nil), parts...), write...)}
	if len(c.Read)+len(c.Write) == 0 {
		fmt.Fprintln(os.Stderr, "tetherd token: give at least one -partition, -read or -write")
		return 2
	}
	if *ttl != "0" {
		d, err := time.ParseDuration(*ttl)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tetherd token: -ttl:", err)
			return 2
		}
		c.Expiry = time.Now().Add(d).Unix()
	}
	tok, err := server.IssueToken(*secret, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tetherd token:", err)
		return 1
	}
	fmt.Println(tok)
	return 0
}
