package breaker

import "github.com/sony/gobreaker/v2"

// CircuitBreaker is what the hand-rolled Breaker and the library twin have
// in common. The package's behavioural tests and benchmarks run over it,
// and a demo can swap one for the other.
type CircuitBreaker interface {
	Name() string
	State() State
	Counts() Counts
	Execute(fn func() error) error
}

var (
	_ CircuitBreaker = (*Breaker)(nil)
	_ CircuitBreaker = (*Library)(nil)
)

// Library is the library twin: sony/gobreaker v2 behind Breaker's methods.
// It is safe for concurrent use.
type Library struct {
	cb *gobreaker.CircuitBreaker[struct{}]
}

// NewLibrary returns a gobreaker v2 breaker configured like New(s). Its
// OnStateChange runs under gobreaker's lock, so it must not call the
// breaker.
func NewLibrary(s Settings) *Library {
	return &Library{cb: gobreaker.NewCircuitBreaker[struct{}](librarySettings(s))}
}

// Name returns Settings.Name.
func (l *Library) Name() string { return l.cb.Name() }

// State returns gobreaker's state, converted.
func (l *Library) State() State { return State(l.cb.State()) }

// Counts returns gobreaker's counts, converted.
func (l *Library) Counts() Counts { return Counts(l.cb.Counts()) }

// Execute runs fn through gobreaker. gobreaker's rejection errors are
// translated to this package's ErrOpenState and ErrTooManyRequests, so
// callers match one set of sentinels whichever breaker they hold; fn's own
// errors are returned unchanged.
func (l *Library) Execute(fn func() error) error {
	_, err := l.cb.Execute(func() (struct{}, error) { return struct{}{}, fn() })
	return fromLibrary(err)
}

// fromLibrary maps gobreaker's sentinels to ours. It compares identity, not
// errors.Is: gobreaker returns its sentinels bare, and an error from fn that
// merely wraps one must pass through untouched.
func fromLibrary(err error) error {
	switch err {
	case gobreaker.ErrOpenState:
		return ErrOpenState
	case gobreaker.ErrTooManyRequests:
		return ErrTooManyRequests
	}
	return err
}

// librarySettings translates Settings field by field. The callbacks are
// wrapped only when set, so gobreaker applies its own defaults to the rest.
func librarySettings(s Settings) gobreaker.Settings {
	gs := gobreaker.Settings{
		Name:         s.Name,
		MaxRequests:  s.MaxRequests,
		Interval:     s.Interval,
		Timeout:      s.Timeout,
		IsSuccessful: s.IsSuccessful,
		IsExcluded:   s.IsExcluded,
	}
	if trip := s.ReadyToTrip; trip != nil {
		gs.ReadyToTrip = func(c gobreaker.Counts) bool { return trip(Counts(c)) }
	}
	if notify := s.OnStateChange; notify != nil {
		gs.OnStateChange = func(name string, from, to gobreaker.State) {
			notify(name, State(from), State(to))
		}
	}
	return gs
}
