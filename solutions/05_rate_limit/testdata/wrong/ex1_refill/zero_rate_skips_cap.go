// Mistake: a rate of zero or less returns the tokens at once, before the cap, so a bucket above its burst is not cut down.
// Caught: "even when the rate is zero or less"
package exercises

import "time"

// Refill returns how many tokens a token bucket holds at time now, given
// that it held tokens at time last, earns rate tokens per second and holds
// at most burst. A now before last earns nothing; so does a rate of zero
// or less. The result is never more than burst.
func Refill(tokens float64, last, now time.Time, rate float64, burst int) float64 {
	if rate <= 0 {
		return tokens // nothing to earn
	}
	if elapsed := now.Sub(last); elapsed > 0 {
		tokens += elapsed.Seconds() * rate
	}
	return min(tokens, float64(burst))
}
