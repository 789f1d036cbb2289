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
	// Atoi accepts a leading sign; the header does not, so check digits.
	if value[0] >= '0' && value[0] <= '9' {
		secs, err := strconv.Atoi(value)
		if err != nil || secs < 0 || secs > math.MaxInt64/int(time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(0, at.Sub(now)), true
}
