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
	if afterT && !(len(s) > 4 && s[4] == '-' && !strings.ContainsFunc(s[:4], func(r rune) bool { return r < '0' || r > '9' })) {
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
	d, ok := parseYMD(datePart)
	if !ok {
		return time.Time{}, false
	}
	if timePart == "" {
		return d, true
	}
	if d.Year() < minReadableYear {
		return time.Time{}, false
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
	t := time.Date(d.Year(), d.Month(), d.Day(), n[0], n[1], n[2], 0, time.UTC)
	if t.Unix() < 0 {
		// Realm gives the nanoseconds the sign of the seconds: before 1970,
		// 23:59:59:1 is 1 ns earlier than 23:59:59 (Timestamp(-1, -1)).
		return t.Add(-time.Duration(n[3])), true
	}
	return t.Add(time.Duration(n[3])), true
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
	if sec > 0 && ns < 0 || sec < 0 && ns > 0 {
		return time.Time{}, false // Realm: the two parts must not differ in sign
	}
	return time.Unix(sec, ns).UTC(), true
}

// minReadableYear is the first year Realm converts in its readable date
// form (YYYY-MM-DD@HH:MM:SS): "Conversion of dates before 1900 is not
// supported" (realm-core refuses them rather than compute a wrong time).
// T<seconds>:<nanos> and RFC 3339 reach further back.
const minReadableYear = 1900

// parseYMD reads YYYY-M-D with one or two digits of month and day, as
// Realm writes 2017-12-1.
func parseYMD(s string) (time.Time, bool) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) != 4 {
		return time.Time{}, false
	}
	var n [3]int
	for k, f := range parts {
		if f == "" || len(f) > 4 || k > 0 && len(f) > 2 {
			return time.Time{}, false
		}
		for i := 0; i < len(f); i++ {
			if !isDigit(f[i]) {
				return time.Time{}, false
			}
		}
		n[k], _ = strconv.Atoi(f)
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[2] { // 2026-02-30 rolled over
		return time.Time{}, false
	}
	return t, true
}
