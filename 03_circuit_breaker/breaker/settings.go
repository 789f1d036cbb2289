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
	// window. Zero or negative means Counts are never cleared while closed,
	// so an old failure can combine with a new one, years apart.
	Interval time.Duration

	// Timeout is how long the breaker stays open before it lets trial calls
	// through. Zero or negative means 60 seconds.
	Timeout time.Duration

	// ReadyToTrip is called with a copy of Counts after every failure while
	// closed; returning true opens the breaker. Nil means "more than 5
	// consecutive failures". It runs under the breaker's lock, so it must be
	// quick and must not call the breaker.
	ReadyToTrip func(counts Counts) bool

	// OnStateChange, if not nil, is called after every change of state,
	// one call at a time and in the order the changes happened. It runs
	// without the breaker's lock held (unlike gobreaker), so it may call
	// State, Counts or even Execute. It runs on whichever goroutine is
	// delivering transitions, which it delays, and a panic in it reaches
	// that goroutine's caller of Execute or State; see notify.go.
	OnStateChange func(name string, from, to State)

	// IsSuccessful classifies a call's error: true counts it as a success,
	// false as a failure. Nil means err == nil. It runs under the
	// breaker's lock. Use it for errors that are the caller's fault, such
	// as an HTTP 404: the dependency answered, so it is healthy.
	IsSuccessful func(err error) bool

	// IsExcluded is asked first: true means the result is neither a success
	// nor a failure and only TotalExclusions grows. Nil excludes nothing.
	// It runs under the breaker's lock. Use it for results that say nothing
	// about the dependency, such as context.Canceled.
	IsExcluded func(err error) bool
}

// The defaults, chosen by gobreaker and kept here so both behave the same.
const (
	defaultMaxRequests = 1
	defaultTimeout     = 60 * time.Second
)

func defaultReadyToTrip(c Counts) bool { return c.ConsecutiveFailures > 5 }

func defaultIsSuccessful(err error) bool { return err == nil }

func defaultIsExcluded(error) bool { return false }
