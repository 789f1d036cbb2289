// Mistake: the earned tokens are computed in float32, which loses whole tokens on large counts.
// Caught: "was it computed in float32?"
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
		tokens += float64(float32(elapsed.Seconds()) * float32(rate))
	}
	return min(tokens, float64(burst))
}
