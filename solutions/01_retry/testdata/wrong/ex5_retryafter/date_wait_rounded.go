// Mistake: the wait until an HTTP-date is rounded to whole seconds, as if Retry-After were always in seconds.
// Caught: "the date is 0.75s after now"
package exercises

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// ParseRetryAfter returns the wait a Retry-After header value asks for.
func ParseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	if value == "" {
		return 0, false
	}
	if isDigits(value) {
		secs, err := strconv.ParseInt(value, 10, 64)
		if err != nil || secs > math.MaxInt64/int64(time.Second) {
			return 0, false // too large for a time.Duration
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(0, at.Sub(now).Round(time.Second)), true
}

// isDigits reports whether s is all ASCII digits. strconv alone would also
// accept a sign, which the header does not allow.
func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
