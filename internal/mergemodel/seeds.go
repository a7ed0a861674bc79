package mergemodel

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// Seeds returns the seeds a randomized test runs: 1..n, or only the one in
// $TETHER_SEED (to rerun a failure), or 1..$TETHER_SEEDS (to search
// further).
func Seeds(tb testing.TB, n int) []int64 {
	tb.Helper()
	if s := os.Getenv("TETHER_SEED"); s != "" {
		seed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			tb.Fatalf("TETHER_SEED=%q: %v", s, err)
		}
		return []int64{seed}
	}
	if s := os.Getenv("TETHER_SEEDS"); s != "" {
		m, err := strconv.Atoi(s)
		if err != nil || m < 1 {
			tb.Fatalf("TETHER_SEEDS=%q: want a count", s)
		}
		n = m
	}
	seeds := make([]int64, n)
	for i := range seeds {
		seeds[i] = int64(i + 1)
	}
	return seeds
}

// Rerun is the line a failure message carries: how to run one seed again.
func Rerun(pkg, test string, seed int64) string {
	return fmt.Sprintf("seed %d; rerun: TETHER_SEED=%d go test %s -run '^%s$' -count=1 -v", seed, seed, pkg, test)
}
