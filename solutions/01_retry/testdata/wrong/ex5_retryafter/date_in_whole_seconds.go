// Mistake: the wait until an HTTP-date is computed from whole Unix seconds, dropping now's fraction of a second.
// Caught: "was now cut to whole seconds, or the wait rounded?"
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
	return max(0, time.Duration(at.Unix()-now.Unix())*time.Second), true
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
