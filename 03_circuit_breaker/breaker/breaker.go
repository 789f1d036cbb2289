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

// Breaker is a circuit breaker. Create one with New; the zero Breaker is
// not usable. A Breaker is safe for concurrent use by many goroutines.
type Breaker struct {
	// Settings with the defaults filled in. They never change after New.
	name          string
	maxRequests   uint32
	interval      time.Duration
	timeout       time.Duration
	readyToTrip   func(Counts) bool
	isSuccessful  func(error) bool
	isExcluded    func(error) bool
	onStateChange func(name string, from, to State)

	mu    sync.Mutex
	state State
	// generation numbers each stretch of time whose results count
	// together: it grows on every change of state and every new closed
	// Interval. A call remembers the generation that admitted it, and its
	// result is dropped if the generation has moved on meanwhile, so a slow
	// call from before the breaker opened cannot close it, and a failure
	// from an old Interval cannot count in the new one.
	generation uint64
	counts     Counts
	// expiry is when the current generation ends by itself: the end of the
	// Interval while closed (zero: never), the end of Timeout while open,
	// and zero while half-open, which only a result can end.
	expiry time.Time

	notifier // transitions waiting for OnStateChange; guarded by mu
}

// New returns a closed Breaker configured by s, with gobreaker's defaults
// for the fields left zero (see Settings). New never fails: there is no
// invalid Settings value.
func New(s Settings) *Breaker {
	b := &Breaker{
		name:          s.Name,
		maxRequests:   s.MaxRequests,
		interval:      max(s.Interval, 0),
		timeout:       s.Timeout,
		readyToTrip:   s.ReadyToTrip,
		isSuccessful:  s.IsSuccessful,
		isExcluded:    s.IsExcluded,
		onStateChange: s.OnStateChange,
	}
	if b.maxRequests == 0 {
		b.maxRequests = defaultMaxRequests
	}
	if b.timeout <= 0 {
		b.timeout = defaultTimeout
	}
	if b.readyToTrip == nil {
		b.readyToTrip = defaultReadyToTrip
	}
	if b.isSuccessful == nil {
		b.isSuccessful = defaultIsSuccessful
	}
	if b.isExcluded == nil {
		b.isExcluded = defaultIsExcluded
	}
	now := clock{}
	b.newGeneration(&now)
	return b
}

// Name returns Settings.Name.
func (b *Breaker) Name() string { return b.name }

// State returns the current state. Looking at the breaker is enough to move
// it on: if the open Timeout has passed, State turns it half-open (and
// reports the change to OnStateChange), and if the closed Interval has
// passed, State starts a new window with cleared Counts.
func (b *Breaker) State() State {
	b.mu.Lock()
	var now clock
	state, _ := b.currentState(&now)
	deliver := b.claimDelivery()
	b.mu.Unlock()

	if deliver {
		b.deliver()
	}
	return state
}

// Counts returns a copy of the current generation's counts. Like
// gobreaker's, it does not look at the clock: after a long quiet spell it
// can still show the counts of an Interval or a Timeout that has already
// passed, until the next Execute or State moves the breaker on.
func (b *Breaker) Counts() Counts {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.counts
}

// Execute calls fn if the breaker admits the call and returns fn's error
// unchanged; the breaker counts that error as a success, a failure or an
// exclusion (see Settings). If the breaker rejects the call, fn is not
// called and Execute returns ErrOpenState (open) or ErrTooManyRequests
// (half-open with all trial slots taken) at once.
//
// If fn panics, the panic counts like an error whose text is the panic
// value, and Execute panics again with the same value. As in gobreaker,
// that error wraps nothing, even when the panic value is itself an error:
// errors.Is in IsExcluded or IsSuccessful does not see through it, so a
// panic is a failure under the default classifiers and under most others.
//
// If OnStateChange panics, Execute panics with the callback's value. When
// the callback was reporting a transition found before the call was
// admitted (the Timeout had passed), fn is not called and nothing is
// counted, as with gobreaker; when it was reporting a transition after
// fn's result was recorded, the result stays recorded.
//
// Execute does not wait for anything but fn, so bound fn with a timeout: a
// half-open trial call that never returns keeps its slot, and no other
// trial is admitted until it does. When fn gives up because its context
// ended, classify context.Canceled with IsExcluded so that an impatient
// caller does not trip the breaker.
func (b *Breaker) Execute(fn func() error) error {
	generation, err := b.beforeCall()
	if err != nil {
		return err
	}
	returned := false
	defer b.recordPanic(generation, &returned)
	err = fn()
	returned = true
	b.afterCall(generation, err)
	return err
}

// Do is Execute for a function that also returns a value. On rejection it
// returns T's zero value and ErrOpenState or ErrTooManyRequests; otherwise
// it returns what fn returned. Panics are handled as in Execute. It is a
// function and not a method because Go methods cannot have type
// parameters; gobreaker instead makes the whole breaker generic.
func Do[T any](b *Breaker, fn func() (T, error)) (T, error) {
	generation, err := b.beforeCall()
	if err != nil {
		var zero T
		return zero, err
	}
	returned := false
	defer b.recordPanic(generation, &returned)
	result, err := fn()
	returned = true
	b.afterCall(generation, err)
	return result, err
}

// recordPanic is deferred around fn. If fn panicked, it records the panic
// as fn's result and panics again with the same value. Once fn has
// returned it does nothing: a panic from OnStateChange while afterCall
// delivers is the callback's, not fn's, and must not be counted a second
// time as fn's failure.
func (b *Breaker) recordPanic(generation uint64, returned *bool) {
	if *returned {
		return
	}
	if v := recover(); v != nil {
		b.afterCall(generation, panicError(v))
		panic(v)
	}
}

// panicError is what the classifiers see for a panic. Its text is the
// panic value, as in gobreaker, and it wraps nothing, so a panic is a
// failure under the default IsSuccessful.
func panicError(v any) error { return errors.New(fmt.Sprint(v)) }

// beforeCall decides whether a call may go through and, if so, counts it
// and returns the generation that admitted it.
//
// Transitions waiting for OnStateChange (typically open -> half-open, found
// just now because the Timeout has passed) are delivered before the call
// is admitted, never after. So a callback that panics leaves nothing
// behind: the call is neither admitted nor counted, as with gobreaker,
// whose callback runs before it counts the request. Had the request been
// counted first, that panic would have kept a half-open trial slot taken
// by a call that never ran, and with MaxRequests 1 the breaker would have
// refused every later call. It also means the goroutine that delivers
// holds no trial slot while the callbacks run.
func (b *Breaker) beforeCall() (uint64, error) {
	b.mu.Lock()
	for {
		var now clock
		state, generation := b.currentState(&now)
		if b.claimDelivery() {
			// The callbacks may take time, so the state is looked at again
			// afterwards, with a fresh clock.
			b.mu.Unlock()
			b.deliver()
			b.mu.Lock()
			continue
		}

		var err error
		switch {
		case state == StateOpen:
			err = ErrOpenState
		case state == StateHalfOpen && b.counts.counted() >= b.maxRequests:
			err = ErrTooManyRequests
		default:
			b.counts.onRequest()
		}
		b.mu.Unlock()
		return generation, err
	}
}

// afterCall records the result of a call admitted by generation.
func (b *Breaker) afterCall(generation uint64, err error) {
	if b.record(generation, err) {
		b.deliver()
	}
}

// record does afterCall's work under the lock and reports whether the
// caller must deliver state changes. The deferred unlock matters: the
// classifiers and ReadyToTrip are user code and may panic.
func (b *Breaker) record(generation uint64, err error) (deliver bool) {
	b.mu.Lock()
	defer b.mu.Unlock()

	var now clock
	// The clock may have moved the breaker on while fn ran (an Interval
	// ended, say); currentState applies that first so the stale result is
	// recognised as stale.
	state, current := b.currentState(&now)
	switch {
	case current != generation:
		// Admitted under an older generation: its news is out of date.
	case b.isExcluded(err):
		b.counts.onExclusion()
	case b.isSuccessful(err):
		b.counts.onSuccess()
		if state == StateHalfOpen && b.counts.ConsecutiveSuccesses >= b.maxRequests {
			b.setState(StateClosed, &now)
		}
	default:
		b.counts.onFailure()
		// In closed, ReadyToTrip decides. In half-open a single failure is
		// enough: the trial has failed and the dependency gets another
		// full Timeout of rest.
		if state == StateHalfOpen || b.readyToTrip(b.counts) {
			b.setState(StateOpen, &now)
		}
	}
	return b.claimDelivery()
}

// currentState moves the breaker on if its generation has expired and
// returns the resulting state and generation. Time only matters here: the
// breaker has no timer of its own and changes state when someone looks.
func (b *Breaker) currentState(now *clock) (State, uint64) {
	switch b.state {
	case StateClosed:
		// The strict After mirrors gobreaker's expiry.Before(now): at the
		// exact instant of expiry the old generation still holds.
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
// change for OnStateChange.
func (b *Breaker) setState(state State, now *clock) {
	if b.state == state {
		return
	}
	from := b.state
	b.state = state
	b.newGeneration(now)
	if b.onStateChange != nil {
		b.queue(from, state)
	}
}

// newGeneration clears the counts and sets when the new generation ends.
func (b *Breaker) newGeneration(now *clock) {
	b.generation++
	b.counts = Counts{}
	switch b.state {
	case StateClosed:
		if b.interval > 0 {
			b.expiry = now.get().Add(b.interval)
		} else {
			b.expiry = time.Time{}
		}
	case StateOpen:
		b.expiry = now.get().Add(b.timeout)
	default: // half-open ends only by a result.
		b.expiry = time.Time{}
	}
}

// clock reads time.Now at most once per locked section, and only when a
// deadline matters. Reading the clock costs about as much as the rest of a
// closed-state call, and a closed breaker without an Interval never needs
// it; reading it once also keeps every decision in one section consistent.
type clock struct{ t time.Time }

func (c *clock) get() time.Time {
	if c.t.IsZero() {
		c.t = time.Now()
	}
	return c.t
}
