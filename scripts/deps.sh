#!/bin/sh
# deps.sh — installs what `make test` and `make run` need on Debian:
# the C toolchain and cJSON (C ABI and its driver), valgrind, clang (the
# iOS header check), a JDK and Maven (the JVM binding; Maven fetches the
# Kotlin compiler), Node and npm (the npm package), Chromium (the browser
# tests), PostgreSQL (tetherd's database storage, tested against a
# throwaway cluster: scripts/pg-start.sh). As root it runs apt-get;
# otherwise it names the command to run and fails. Go 1.26 must already
# be installed (Debian's is older).
set -eu
missing=""
need() { # need PACKAGE TEST...
    pkg=$1
    shift
    if ! "$@" >/dev/null 2>&1; then missing="$missing $pkg"; fi
}
have() { command -v "$1"; }
need gcc have gcc
need make have make
need pkg-config have pkg-config
need libcjson-dev test -f /usr/include/cjson/cJSON.h
need valgrind have valgrind
need clang have clang
need openjdk-17-jdk-headless have javac
need maven have mvn
need nodejs have node
need npm have npm
need chromium test -x /usr/bin/chromium
# Debian's postgresql (server binaries under /usr/lib/postgresql/N/bin);
# its packaged cluster service is not used: tests run their own.
need postgresql sh -c 'ls /usr/lib/postgresql/*/bin/initdb'

if ! command -v go >/dev/null 2>&1; then
    echo "deps: Go 1.26 is not installed: see https://go.dev/doc/install" >&2
    exit 1
fi
if [ -z "$missing" ]; then
    echo "deps: everything make test needs is installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps: missing:$missing" >&2
    echo "deps: run as root: apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq -o=Dpkg::Use-Pty=0 $missing >/dev/null
echo "deps: installed$missing"
