package breaker

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors returned instead of calling fn. Match them with errors.Is; they
// are distinct from gobreaker's own sentinels.
var (
	// ErrOpenState means the breaker is open: the call was rejected without
	// reaching the dependency.
	ErrOpenState = errors.New("circuit breaker is open")

	// ErrTooManyRequests means the breaker is half-open and has already
	// admitted its MaxRequests trial calls: the call was rejected without
	// reaching the dependency.
	ErrTooManyRequests = errors.New("too many requests")
)

// Breaker is a circuit breaker. It is safe for concurrent use by many
// goroutines. The zero value is a closed Breaker with the default
// Settings, the same as New(Settings{}).
type Breaker struct {
	settings Settings // never changes after New

	mu    sync.Mutex
	state State
	// generation numbers each stretch of time whose results count
	// together: it grows on every change of state and every new closed
	// Interval. A call remembers the generation that admitted it, and its
	// result is dropped if the generation has moved on meanwhile.
	generation uint64
	counts     Counts
	// expiry is when the current generation ends by itself: the end of the
	// Interval while closed (zero: never), the end of Timeout while open,
	// and zero while half-open, which only a result can end.
	expiry time.Time

	notifier // changes of state waiting for OnStateChange; see notify.go
}

// New returns a closed Breaker configured by s, with gobreaker's defaults
// for the fields left zero (see Settings). Every Settings value is valid.
func New(s Settings) *Breaker {
	b := &Breaker{settings: s}
	b.newGeneration(&clock{}) // starts the first Interval, if any
	return b
}

// Name returns Settings.Name.
func (b *Breaker) Name() string { return b.settings.Name }

// State returns the current state. Looking is enough to move the breaker
// on: if the open Timeout has passed, State turns it half-open (and
// reports the change to OnStateChange), and if the closed Interval has
// passed, State starts a new window with cleared Counts.
func (b *Breaker) State() State {
	b.mu.Lock()
	state, _ := b.currentState(&clock{})
	b.unlockAndNotify()
	return state
}

// Counts returns a copy of the current generation's counts. It does not
// look at the clock: after a quiet spell it can still show the counts of
// an Interval or a Timeout that has passed, until the next Execute or
// State moves the breaker on.
func (b *Breaker) Counts() Counts {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.counts
}

// Execute calls fn if the breaker admits the call, and returns fn's error
// unchanged; the breaker counts that error as a success, a failure or an
// exclusion (see Settings). If the breaker rejects the call, fn is not
// called and Execute returns ErrOpenState (open) or ErrTooManyRequests
// (half-open, all trial slots taken) at once.
//
// A panic in fn counts as a failure (the classifiers see an error with
// the panic value's text that wraps nothing, as in gobreaker) and Execute
// panics again with the same value. A panic in OnStateChange reaches the
// caller too; when it happens before fn would run, fn is not called and
// nothing is counted.
//
// Execute waits for nothing but fn: bound fn with a timeout, since a
// half-open trial that never returns keeps its slot.
func (b *Breaker) Execute(fn func() error) error {
	generation, err := b.beforeCall()
	if err != nil {
		return err
	}
	err = b.call(generation, fn)
	b.afterCall(generation, err)
	return err
}

// Do is Execute for a function that also returns a value. On rejection it
// returns T's zero value and ErrOpenState or ErrTooManyRequests; otherwise
// what fn returned. It is a function, not a method, because Go methods
// cannot have type parameters.
func Do[T any](b *Breaker, fn func() (T, error)) (T, error) {
	var result T
	err := b.Execute(func() error {
		var err error
		result, err = fn()
		return err
	})
	return result, err
}

// beforeCall decides whether a call may go through and, if so, counts it
// and returns the generation that admitted it.
func (b *Breaker) beforeCall() (uint64, error) {
	state, generation := b.lockCurrent()
	defer b.mu.Unlock()
	switch {
	case state == StateOpen:
		return generation, ErrOpenState
	case state == StateHalfOpen && b.counts.counted() >= b.settings.maxRequests():
		return generation, ErrTooManyRequests
	}
	b.counts.onRequest()
	return generation, nil
}

// call runs fn with no lock held. If fn panics, the panic is recorded as
// fn's result and raised again.
func (b *Breaker) call(generation uint64, fn func() error) error {
	defer func() {
		if v := recover(); v != nil {
			b.afterCall(generation, errors.New(fmt.Sprint(v)))
			panic(v)
		}
	}()
	return fn()
}

// afterCall records the result of a call admitted by generation.
func (b *Breaker) afterCall(generation uint64, err error) {
	if b.record(generation, err) {
		b.deliver()
	}
}

// record does afterCall's work under the lock, and reports whether the
// caller must then deliver the changes of state it queued. The deferred
// unlock matters: the classifiers and ReadyToTrip are user code and may
// panic.
func (b *Breaker) record(generation uint64, err error) (deliver bool) {
	b.mu.Lock()
	defer b.mu.Unlock()

	now := &clock{}
	// The clock may have moved the breaker on while fn ran; currentState
	// applies that first, so that the result is recognised as stale.
	state, current := b.currentState(now)
	switch {
	case current != generation:
		// Admitted under an older generation: its news is out of date. A
		// slow success from before an outage must not close the breaker.
	case b.settings.isExcluded(err):
		b.counts.onExclusion()
	case b.settings.isSuccessful(err):
		b.counts.onSuccess()
		if state == StateHalfOpen && b.counts.ConsecutiveSuccesses >= b.settings.maxRequests() {
			b.setState(StateClosed, now)
		}
	default:
		b.counts.onFailure()
		// In half-open a single failure is enough: the trial has failed.
		if state == StateHalfOpen || b.settings.readyToTrip(b.counts) {
			b.setState(StateOpen, now)
		}
	}
	return b.claimDelivery()
}

// currentState moves the breaker on if its generation has expired and
// returns the resulting state and generation. The breaker has no timer of
// its own: it changes state when someone looks. Called with b.mu held.
func (b *Breaker) currentState(now *clock) (State, uint64) {
	switch b.state {
	case StateClosed:
		// Strictly after, as in gobreaker: at the exact instant of expiry
		// the old generation still holds.
		if !b.expiry.IsZero() && now.get().After(b.expiry) {
			b.newGeneration(now)
		}
	case StateOpen:
		if now.get().After(b.expiry) {
			b.setState(StateHalfOpen, now)
		}
	}
	return b.state, b.generation
}

// setState switches to state, starts a new generation and queues the
// change for OnStateChange. Called with b.mu held.
func (b *Breaker) setState(state State, now *clock) {
	if b.state == state {
		return
	}
	from := b.state
	b.state = state
	b.newGeneration(now)
	if b.settings.OnStateChange != nil {
		b.queue(from, state)
	}
}

// newGeneration clears the counts and sets when the new generation ends.
// Called with b.mu held.
func (b *Breaker) newGeneration(now *clock) {
	b.generation++
	b.counts = Counts{}
	b.expiry = time.Time{} // half-open, or closed without an Interval
	switch {
	case b.state == StateClosed && b.settings.Interval > 0:
		b.expiry = now.get().Add(b.settings.Interval)
	case b.state == StateOpen:
		b.expiry = now.get().Add(b.settings.timeout())
	}
}

// clock reads time.Now at most once per critical section, and only when a
// deadline matters: a closed breaker without an Interval never reads it,
// and every decision in one section sees the same instant.
type clock struct{ t time.Time }

func (c *clock) get() time.Time {
	if c.t.IsZero() {
		c.t = time.Now()
	}
	return c.t
}
