#!/bin/sh
# ran.sh PART — records in the closing summary of `make test` that a part ran.
if [ -n "${TETHER_SUMMARY:-}" ]; then
    echo "ran      $1" >> "$TETHER_SUMMARY"
fi
