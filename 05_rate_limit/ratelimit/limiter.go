package ratelimit

import (
	"sync"
	"time"
)

// Limiter is a token bucket: it holds up to Burst tokens, starts full, and
// gains Limit tokens per second. Each event takes tokens; Allow refuses an
// event when they are not there, Reserve tells the caller how long to wait
// for them, Wait waits.
//
// With Limit Inf every event is allowed and the burst is ignored. A
// Limiter with Burst 0 (and a finite Limit) allows nothing. The zero
// Limiter is usable and allows nothing.
//
// Every method that looks at the clock has a twin taking the time as an
// argument (AllowN, TokensAt, ReserveN, SetLimitAt, ...), which is what
// tests and simulations use. Times may go backwards: an earlier time earns
// no tokens. (Like x/time/rate, the bucket then remembers the earlier
// time, so going forward again earns the same stretch twice; see the
// package tests.)
//
// A Limiter is safe for concurrent use.
type Limiter struct {
	mu    sync.Mutex
	limit Limit
	burst int
	// tokens is the bucket's content at time last. It goes below zero when
	// a reservation takes tokens that have not been earned yet: the debt
	// is paid back by the refill before anyone else is served.
	tokens float64
	last   time.Time
	// lastEvent is when the latest reservation may act. CancelAt uses it
	// to tell whether other reservations were queued behind the one being
	// cancelled.
	lastEvent time.Time
}

// NewLimiter returns a Limiter that allows r events per second with bursts
// of at most b events. It starts full: the first b events are allowed at
// once.
func NewLimiter(r Limit, b int) *Limiter {
	return &Limiter{limit: r, burst: b, tokens: float64(b)}
}

// Limit returns the rate, in events per second.
func (l *Limiter) Limit() Limit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Burst returns the bucket's size: the most tokens one call can take, and
// the most events that can happen at once after a quiet spell.
func (l *Limiter) Burst() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.burst
}

// TokensAt returns the number of tokens the bucket holds at time t. It is
// negative while reservations are waiting for tokens not yet earned. It
// changes nothing.
func (l *Limiter) TokensAt(t time.Time) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tokensAt(t)
}

// Tokens is TokensAt(time.Now()).
func (l *Limiter) Tokens() float64 { return l.TokensAt(time.Now()) }

// Allow is AllowN(time.Now(), 1).
func (l *Limiter) Allow() bool { return l.AllowN(time.Now(), 1) }

// AllowN reports whether n events may happen at time t, and if so takes
// their tokens. It takes all n or none: when the bucket holds fewer, it
// returns false and changes nothing. n larger than Burst is never allowed
// (unless the Limit is Inf). n = 0 is allowed unless Burst is negative or
// the bucket is in debt (TokensAt(t) < 0, while reservations wait for
// tokens not yet earned): the test is whether the bucket would be below
// zero afterwards, and then it already is. Use AllowN to drop or reject
// events over the limit.
func (l *Limiter) AllowN(t time.Time, n int) bool {
	ok, _, _ := l.take(t, n, 0)
	return ok
}

// SetLimit is SetLimitAt(time.Now(), r).
func (l *Limiter) SetLimit(r Limit) { l.SetLimitAt(time.Now(), r) }

// SetLimitAt changes the rate from time t on. Tokens earned before t were
// earned at the old rate. Reservations already made keep the delay they
// were given.
func (l *Limiter) SetLimitAt(t time.Time, r Limit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.settle(t)
	l.limit = r
}

// SetBurst is SetBurstAt(time.Now(), b).
func (l *Limiter) SetBurst(b int) { l.SetBurstAt(time.Now(), b) }

// SetBurstAt changes the bucket's size from time t on. Tokens earned up
// to t count at the old size. A bucket holding more than the new size is
// cut down to it at once, and raising the size again later does not bring
// the excess back (TestSetBurstBelowTheTokensCutsThemAtOnce); x/time/rate
// does the same.
func (l *Limiter) SetBurstAt(t time.Time, b int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.settle(t)
	l.burst = b
}

// take is where tokens are spent; AllowN, ReserveN and WaitN all come
// here. It takes n tokens at time t if they will have been earned within
// maxWait (AllowN passes 0: they must be there now), going into debt for
// the part not yet earned, and returns the reservation's terms: whether it
// was granted, when the caller may act, and the rate it was granted at.
// A refusal changes nothing. Called with l.mu not held.
func (l *Limiter) take(t time.Time, n int, maxWait time.Duration) (ok bool, act time.Time, rate Limit) {
	l.mu.Lock()
	defer l.mu.Unlock()

	if l.limit == Inf {
		// Nothing is counted: no tokens spent, the clock not moved, and no
		// rate recorded in the reservation (x/time/rate leaves it zero,
		// which matters if the limit is lowered before a cancel).
		return true, t, 0
	}

	left := l.tokensAt(t) - float64(n)
	var wait time.Duration
	if left < 0 {
		wait = l.limit.timeToEarn(-left)
	}
	if n > l.burst || wait > maxWait {
		return false, time.Time{}, l.limit
	}
	act = t.Add(wait)
	l.tokens, l.last, l.lastEvent = left, t, act
	return true, act, l.limit
}

// tokensAt returns what the bucket holds at time t: the tokens counted at
// l.last plus those earned since, never more than the burst. A t before
// l.last earns nothing, rather than taking tokens away. Called with l.mu
// held.
func (l *Limiter) tokensAt(t time.Time) float64 {
	from := l.last
	if t.Before(from) {
		from = t
	}
	tokens := l.tokens + l.limit.tokensIn(t.Sub(from))
	if burst := float64(l.burst); tokens > burst {
		tokens = burst
	}
	return tokens
}

// settle books the tokens earned up to t, so that the rate or the burst
// can change from t on. Called with l.mu held.
func (l *Limiter) settle(t time.Time) {
	l.tokens = l.tokensAt(t)
	l.last = t
}
