// Mistake: the overflow check looks for a negative result after multiplying, which misses wrap-arounds to a positive value.
// Caught: "compare before multiplying"
package exercises

import (
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
		wait := time.Duration(secs) * time.Second
		if err != nil || wait < 0 {
			return 0, false // overflowed: too large for a time.Duration
		}
		return wait, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(0, at.Sub(now)), true
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
