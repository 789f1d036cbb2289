// Mistake: the bucket is never filled on purpose: it starts at 0 tokens counted at the zero time, and only the first refill, centuries long, fills it.
// Caught: "is it left to the first refill to fill it?"
package exercises

import (
	"time"

	"reliability/flaky/lockwatch"
)

// Bucket is a token bucket that starts full: it holds Burst tokens, earns
// them back at Rate tokens per second, and never holds more than Burst. It
// is safe for concurrent use.
type Bucket struct {
	Rate  float64 // tokens earned per second
	Burst int     // the most tokens the bucket holds

	mu     lockwatch.Mutex // guards the fields below
	tokens float64
	last   time.Time // when tokens was counted: the latest time seen
}

// AllowN reports whether n tokens are there at time now, and takes them if
// so: all n or none. n above Burst is never allowed; n < 1 always is.
func (b *Bucket) AllowN(now time.Time, n int) bool {
	// One critical section for refill, check and take: split in two, two
	// callers could both see the last token and both spend it.
	b.mu.Lock()
	defer b.mu.Unlock()

	// Refill earns nothing for a now before b.last; keeping the latest
	// time means going forward again earns nothing twice.
	b.tokens = Refill(b.tokens, b.last, now, b.Rate, b.Burst)
	if now.After(b.last) {
		b.last = now
	}

	if n < 1 {
		return true
	}
	if n > b.Burst || b.tokens < float64(n) {
		return false // a refusal takes nothing
	}
	b.tokens -= float64(n)
	return true
}
