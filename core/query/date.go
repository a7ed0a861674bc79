package query

import (
	"strconv"
	"strings"
	"time"
)

// parseDate reads the date literal forms Realm users write, all in UTC
// unless an offset is given:
//
//	2026-01-02T03:04:05Z, 2026-01-02T03:04:05.5+02:00   RFC 3339
//	2026-01-02@03:04:05, 2026-01-02T03:04:05:500000000  Realm (last field: nanoseconds)
//	2026-01-02                                           midnight
//	T1767322800:0                                        Realm: seconds:nanoseconds since 1970
//
// afterT says the literal was written with a leading T, which is where the
// seconds:nanoseconds form may appear.
func parseDate(s string, afterT bool) (time.Time, bool) {
	if afterT && !strings.Contains(s, "-") || afterT && strings.HasPrefix(s, "-") {
		return parseUnixPair(s)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	datePart, timePart := s, ""
	if k := strings.IndexAny(s, "@T"); k >= 0 {
		datePart, timePart = s[:k], s[k+1:]
		if timePart == "" {
			return time.Time{}, false
		}
	}
	d, err := time.Parse("2006-01-02", datePart)
	if err != nil {
		return time.Time{}, false
	}
	if timePart == "" {
		return d, true
	}
	fields := strings.Split(timePart, ":")
	if len(fields) != 3 && len(fields) != 4 {
		return time.Time{}, false
	}
	limits := []int{24, 60, 60, 1e9}
	var n [4]int
	for k, f := range fields {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 || v >= limits[k] || f == "" || f[0] == '+' || f[0] == '-' {
			return time.Time{}, false
		}
		n[k] = v
	}
	return time.Date(d.Year(), d.Month(), d.Day(), n[0], n[1], n[2], n[3], time.UTC), true
}

// parseUnixPair reads seconds:nanoseconds (Realm's Tseconds:nanoseconds).
func parseUnixPair(s string) (time.Time, bool) {
	secText, nsText, ok := strings.Cut(s, ":")
	if !ok {
		return time.Time{}, false
	}
	sec, err1 := strconv.ParseInt(secText, 10, 64)
	ns, err2 := strconv.ParseInt(nsText, 10, 64)
	if err1 != nil || err2 != nil || ns <= -1e9 || ns >= 1e9 || nsText[0] == '+' || secText[0] == '+' {
		return time.Time{}, false
	}
	return time.Unix(sec, ns).UTC(), true
}
