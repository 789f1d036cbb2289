package exercises

import "time"

// Exercise 5: honour the server's Retry-After.
//
// ParseRetryAfter reads a Retry-After header value (RFC 9110, section
// 10.2.3) and returns how long to wait from now. The header has two forms:
//
//   - delay-seconds: one or more ASCII digits, nothing else (no sign, no
//     fraction), e.g. "120";
//   - HTTP-date, in any of the three formats HTTP allows, e.g. "Wed, 21
//     Oct 2015 07:28:00 GMT"; the wait is the time from now (the argument,
//     not the clock) until then, or 0 if that time has passed.
//
// ok is false for an empty or malformed value ("-5", "+5", "1.5",
// garbage, a number of seconds too large for a time.Duration); the caller
// then falls back to its own backoff. A wait is never negative.
//
// Hint: check that every byte is a digit before strconv.Atoi (which
// accepts a sign), and compare with math.MaxInt64/int64(time.Second)
// before multiplying. http.ParseTime reads all three date formats.
//
// Run: go test -run Ex5 ./01_retry/exercises/
func ParseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	return 0, false
}
