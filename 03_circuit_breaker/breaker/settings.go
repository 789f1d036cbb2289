package breaker

import "time"

// Settings configures a Breaker. Every field has a default, so the zero
// Settings is a usable breaker; the defaults are gobreaker's. Settings has
// no BucketPeriod: Breaker implements gobreaker's fixed window only.
type Settings struct {
	// Name identifies the breaker in OnStateChange and in logs.
	Name string

	// MaxRequests is how many trial calls the half-open breaker admits, and
	// how many consecutive successes close it again. Zero means 1.
	MaxRequests uint32

	// Interval is the length of the closed-state window: once it has
	// passed, the next look at the breaker clears Counts and starts a new
	// window. Zero or negative means Counts are never cleared while closed:
	// they then cover the breaker's whole closed life, and a ratio computed
	// from them reacts ever more slowly.
	Interval time.Duration

	// Timeout is how long the breaker stays open before it lets trial calls
	// through. Zero or negative means 60 seconds.
	Timeout time.Duration

	// ReadyToTrip is called with a copy of Counts after every failure while
	// closed; returning true opens the breaker. Nil means "more than 5
	// consecutive failures". It runs under the breaker's lock, so it must be
	// quick and must not call the breaker.
	ReadyToTrip func(counts Counts) bool

	// OnStateChange, if not nil, is called after every change of state, one
	// call at a time, in the order the changes happened. Unlike gobreaker's
	// it runs without the breaker's lock held, so it may call State, Counts
	// or Execute. It runs on whichever goroutine is reporting changes and
	// delays it; a panic in it reaches that goroutine's caller of Execute
	// or State, and the changes still queued are reported by the next one.
	OnStateChange func(name string, from, to State)

	// IsSuccessful classifies a call's error: true counts it as a success,
	// false as a failure. Nil means err == nil. It runs under the
	// breaker's lock.
	IsSuccessful func(err error) bool

	// IsExcluded is asked first: true means the result is neither a success
	// nor a failure and only TotalExclusions grows. Nil excludes nothing.
	// It runs under the breaker's lock.
	IsExcluded func(err error) bool
}

// The defaults, chosen by gobreaker and kept here so both behave the same.
// They are applied where a setting is used, not when the breaker is made,
// which is what makes the zero Breaker usable.
const (
	defaultMaxRequests = 1
	defaultTimeout     = 60 * time.Second
)

func (s *Settings) maxRequests() uint32 {
	if s.MaxRequests == 0 {
		return defaultMaxRequests
	}
	return s.MaxRequests
}

func (s *Settings) timeout() time.Duration {
	if s.Timeout <= 0 {
		return defaultTimeout
	}
	return s.Timeout
}

func (s *Settings) readyToTrip(c Counts) bool {
	if s.ReadyToTrip == nil {
		return c.ConsecutiveFailures > 5
	}
	return s.ReadyToTrip(c)
}

func (s *Settings) isSuccessful(err error) bool {
	if s.IsSuccessful == nil {
		return err == nil
	}
	return s.IsSuccessful(err)
}

func (s *Settings) isExcluded(err error) bool {
	return s.IsExcluded != nil && s.IsExcluded(err)
}
