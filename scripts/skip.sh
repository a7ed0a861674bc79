#!/bin/sh
# skip.sh PART REASON [unavoidable] — a part of `make test` cannot run.
# Under `make test` (TETHER_STRICT=1) a skip that `make deps` could have
# avoided fails the run; one that no Linux machine can avoid (Xcode, the
# Android NDK) is recorded and the run goes on. Every skip is named in the
# closing summary (TETHER_SUMMARY).
part=$1 reason=$2 kind=${3:-avoidable}
if [ -n "${TETHER_SUMMARY:-}" ]; then
    echo "skipped  $part: $reason" >> "$TETHER_SUMMARY"
fi
if [ "${TETHER_STRICT:-}" = 1 ] && [ "$kind" != unavoidable ]; then
    echo "FAIL $part: skipped ($reason); run 'make deps' (as root) to install what it needs" >&2
    exit 1
fi
echo "SKIP $part: $reason"
