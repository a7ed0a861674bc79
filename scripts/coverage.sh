#!/bin/sh
# coverage.sh OUTDIR — statement coverage per package of core, server and
# internal, from the Go tests and the conformance scenarios together (the
# latter through the Go driver and a tetherd built with -cover), so that
# code only the scenarios reach counts as reached.
set -eu
out=${1:-build/coverage}
pkgs=./core/...,./server/...
[ -d internal ] && pkgs=$pkgs,./internal/...
rm -rf "$out" && mkdir -p "$out/covdata" "$out/bin"
unit=0
go test -coverpkg="$pkgs" -coverprofile="$out/unit.out" ./... > "$out/unit.log" 2>&1 || unit=$?
# The main package must be in -coverpkg too, or the binary writes no data.
go build -cover -coverpkg="$pkgs,./cmd/tetherd" -o "$out/bin/tetherd" ./cmd/tetherd
go build -cover -coverpkg="$pkgs,./testsuite/drivers/godriver" -o "$out/bin/tether-driver-go" ./testsuite/drivers/godriver
GOCOVERDIR=$(cd "$out/covdata" && pwd) go run ./testsuite/cmd/conformance -scenarios testsuite/scenarios \
    -tetherd "$out/bin/tetherd" -driver go="$out/bin/tether-driver-go" > "$out/conformance.log" 2>&1 || { tail -5 "$out/conformance.log"; exit 1; }
go tool covdata textfmt -i="$out/covdata" -o "$out/conformance.out"
python3 - "$out/unit.out" "$out/conformance.out" <<'PY'
import sys, collections
blocks = {}
for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith("mode:"):
            continue
        key, stmts, count = line.rsplit(" ", 2)
        stmts, count = int(stmts), int(count)
        prev = blocks.get(key, (stmts, 0))
        blocks[key] = (stmts, max(prev[1], count))
pkg = collections.defaultdict(lambda: [0, 0])
for key, (stmts, count) in blocks.items():
    p = key.split(":")[0].rsplit("/", 1)[0].replace("github.com/tethersync/tether/", "")
    if p.startswith(("cmd/", "testsuite/")) or p.endswith("gentables"):
        continue  # the binaries' own mains, the generator: not the engine
    pkg[p][0] += stmts
    pkg[p][1] += stmts if count else 0
tot = [0, 0]
for p in sorted(pkg):
    s, c = pkg[p]
    tot[0] += s; tot[1] += c
    print(f"{p:28s} {100*c/max(s,1):5.1f}%  ({c}/{s} statements)")
print(f"{'total':28s} {100*tot[1]/max(tot[0],1):5.1f}%  ({tot[1]}/{tot[0]} statements)")
PY
if [ "$unit" != 0 ]; then
    echo "coverage: some Go tests failed (coverage above still counts them); see $out/unit.log" >&2
    grep -E '^(--- FAIL|FAIL)' "$out/unit.log" >&2
    exit 1
fi
