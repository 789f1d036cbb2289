// Mistake: the elapsed time is a difference of UnixNano values, which overflows for times outside 1678 to 2262, such as a bucket last used long ago.
// Caught: "a difference of UnixNano values"
package exercises

import "time"

// Refill returns how many tokens a token bucket holds at time now, given
// that it held tokens at time last, earns rate tokens per second and holds
// at most burst. A now before last earns nothing; so does a rate of zero
// or less. The result is never more than burst.
func Refill(tokens float64, last, now time.Time, rate float64, burst int) float64 {
	// Elapsed time as float seconds keeps the fractions: whole seconds or
	// milliseconds would lose the tokens earned in between. A clock that
	// stepped back earns nothing, rather than a negative amount.
	if elapsed := now.UnixNano() - last.UnixNano(); elapsed > 0 && rate > 0 {
		tokens += float64(elapsed) / 1e9 * rate
	}
	return min(tokens, float64(burst))
}
