// Mistake: the elapsed time is cut to whole seconds, so fractions of a second earn nothing.
// Caught: "fractions count (was the time cut to whole seconds?)"
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
	if elapsed := now.Sub(last); elapsed > 0 && rate > 0 {
		tokens += float64(elapsed/time.Second) * rate
	}
	// Cap after adding, and in every case: a bucket already above its
	// burst is cut down too.
	return min(tokens, float64(burst))
}
