package exercises

import "time"

// ParseRetryAfter reads a Retry-After header value (RFC 9110, section
// 10.2.3) and returns how long to wait from now. The header has two forms:
//
//   - delay-seconds: a non-negative whole number of seconds, e.g. "120";
//   - HTTP-date: e.g. "Wed, 21 Oct 2015 07:28:00 GMT"; the wait is the
//     time from now until then, or 0 if that time has passed.
//
// ok is false for an empty or malformed value (negative numbers, "1.5",
// garbage, a number of seconds too large for a time.Duration); the caller
// then falls back to its own backoff.
//
// Hint: strconv.Atoi for the first form, http.ParseTime for the second.
func ParseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	return 0, false
}
