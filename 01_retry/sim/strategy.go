package sim

import (
	"math/rand/v2"
	"time"

	"reliability/01_retry/retry"
)

// Strategy is one way for a client to wait after a rejected write. Use the
// values returned by Strategies; the zero Strategy is not valid.
type Strategy struct {
	// Name identifies the strategy in tables, charts and JSON.
	Name string

	// backoff is false for the strategy that retries at once.
	backoff bool
	jitter  retry.Jitter
}

// Strategies returns the five strategies of the article, from the simplest
// to the most elaborate:
//
//   - "no-backoff": retry the moment the rejection arrives.
//   - "exponential": wait min(cap, base·2^(k-1)) before retry k, no jitter.
//   - "full-jitter": wait a random time in [0, min(cap, base·2^(k-1))].
//   - "equal-jitter": wait half the capped delay plus a random time in
//     [0, half of it].
//   - "decorrelated-jitter": wait a random time in
//     [base, min(cap, 3·previous wait)].
//
// The formulas are those of retry.Policy.Delay; the simulation calls it so
// that the numbers describe the same code the lesson teaches.
func Strategies() []Strategy {
	return []Strategy{
		{Name: "no-backoff"},
		{Name: "exponential", backoff: true, jitter: retry.NoJitter},
		{Name: "full-jitter", backoff: true, jitter: retry.FullJitter},
		{Name: "equal-jitter", backoff: true, jitter: retry.EqualJitter},
		{Name: "decorrelated-jitter", backoff: true, jitter: retry.DecorrelatedJitter},
	}
}

// valid reports whether s is one of the values Strategies returns. A
// Strategy built by hand has no way to say how it waits, so Run rejects it
// rather than silently treating it as "no-backoff".
func (s Strategy) valid() bool {
	for _, known := range Strategies() {
		if s == known {
			return true
		}
	}
	return false
}

// delay returns how long a client waits before retry k (k = 1 after the
// first rejected write), given the wait it chose before retry k-1 (zero
// before the first retry). Decorrelated jitter needs that previous wait;
// the others ignore it.
func (s Strategy) delay(k int, prev, base, maxDelay time.Duration, rng *rand.Rand) time.Duration {
	if !s.backoff {
		return 0
	}
	p := retry.Policy{InitialDelay: base, MaxDelay: maxDelay, Multiplier: 2, Jitter: s.jitter}
	return p.Delay(k, prev, rng.Int64N)
}
