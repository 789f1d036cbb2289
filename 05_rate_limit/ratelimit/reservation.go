package ratelimit

import "time"

// Reservation is a promise of tokens: the Limiter has taken them (maybe
// before they were earned) and the holder may act once DelayFrom says so.
// A holder that decides not to act gives them back with CancelAt.
// WaitN is built on it.
type Reservation struct {
	ok     bool
	lim    *Limiter
	tokens int
	// act is when the holder may act: the moment the tokens are earned.
	act time.Time
	// rate is the Limit when the reservation was made (zero under Inf);
	// CancelAt converts time to tokens at this rate.
	rate Limit
}

// Reserve is ReserveN(time.Now(), 1).
func (l *Limiter) Reserve() *Reservation { return l.ReserveN(time.Now(), 1) }

// ReserveN takes n tokens at time t, earned or not, and returns the
// Reservation that says how long the caller must wait before acting. It
// fails (OK is false) only when n exceeds the burst, since a bucket can
// never hold more than that. A rate of zero or less, with the tokens not
// there, still gives an OK reservation, one that never comes due:
// DelayFrom returns InfDuration (x/time/rate does the same). Unlike
// AllowN, a successful ReserveN always takes the tokens: a caller that
// will not act must call CancelAt.
func (l *Limiter) ReserveN(t time.Time, n int) *Reservation {
	ok, act, rate := l.take(t, n, InfDuration)
	r := &Reservation{ok: ok, lim: l, rate: rate}
	if ok {
		r.tokens, r.act = n, act
	}
	return r
}

// OK reports whether the tokens were granted. If not, DelayFrom returns
// InfDuration and CancelAt does nothing.
func (r *Reservation) OK() bool { return r.ok }

// Delay is DelayFrom(time.Now()).
func (r *Reservation) Delay() time.Duration { return r.DelayFrom(time.Now()) }

// DelayFrom returns how long after t the holder must wait before acting:
// zero means act now, InfDuration means never (not OK, or OK at a rate
// that will never earn the tokens).
func (r *Reservation) DelayFrom(t time.Time) time.Duration {
	if !r.ok {
		return InfDuration
	}
	return max(r.act.Sub(t), 0)
}

// Cancel is CancelAt(time.Now()).
func (r *Reservation) Cancel() { r.CancelAt(time.Now()) }

// CancelAt says at time t that the holder will not act, and gives back as
// many of the reservation's tokens as it can. Tokens cannot come back once
// the moment to act has passed (the event is assumed to have happened),
// nor the share that reservations made after this one were counting on:
// they queued behind it and keep their place. Cancelling a reservation
// that is not OK does nothing. Cancel once: like x/time/rate, a second
// CancelAt gives the tokens back again (TestCancelTwiceGivesBackTwice).
func (r *Reservation) CancelAt(t time.Time) {
	if !r.ok {
		return
	}
	l := r.lim
	l.mu.Lock()
	defer l.mu.Unlock()

	if l.limit == Inf || r.tokens == 0 || r.act.Before(t) {
		return
	}
	// Whatever was reserved after r (up to l.lastEvent) was granted on
	// top of r's tokens: that part stays spent.
	giveBack := float64(r.tokens) - r.rate.tokensIn(l.lastEvent.Sub(r.act))
	if giveBack <= 0 {
		return
	}
	tokens := l.tokensAt(t) + giveBack
	if burst := float64(l.burst); tokens > burst {
		tokens = burst
	}
	l.tokens, l.last = tokens, t
	if r.act.Equal(l.lastEvent) {
		// r was the last in the queue: the queue now ends where it ended
		// before r joined it, if that is not already past.
		before := r.act.Add(r.rate.timeToEarn(float64(-r.tokens)))
		if !before.Before(t) {
			l.lastEvent = before
		}
	}
}
