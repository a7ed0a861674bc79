package main

// The token secret: from a file or the environment only. A -secret on
// the command line would be readable by every local user (ps, /proc), so
// the flag stays only to say so.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

// secretFlags defines -secret-file (and the refused -secret) and returns
// the function that reads the secret after parsing.
func secretFlags(fs *flag.FlagSet) func() (string, error) {
	file := fs.String("secret-file", "", "file holding the token signing secret (or $TETHER_SECRET)")
	inline := fs.String("secret", "", "refused: a secret on the command line is visible to every local user; use -secret-file or $TETHER_SECRET")
	return func() (string, error) {
		if *inline != "" {
			return "", errors.New("-secret is not accepted (the command line is visible to every local user in ps): put the secret in a file for -secret-file, or in $TETHER_SECRET")
		}
		if *file != "" {
			s, err := readSecretFile(*file)
			if err != nil {
				return "", fmt.Errorf("-secret-file: %w", err)
			}
			return s, nil
		}
		if s := os.Getenv("TETHER_SECRET"); s != "" {
			return s, nil
		}
		return "", errNoSecret
	}
}

// errNoSecret: no Tether token secret was given (fine for a server that
// accepts only JWTs).
var errNoSecret = errors.New("a token secret is required: -secret-file PATH or $TETHER_SECRET")

// readSecretFile reads a one-line secret, trimmed; an empty file is an error.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}
