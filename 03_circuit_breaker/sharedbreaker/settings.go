package sharedbreaker

import (
	"time"

	"github.com/sony/gobreaker/v2"

	"reliability/03_circuit_breaker/breaker"
)

// Settings configures a shared breaker. The fields mean what they mean in
// lesson 03's breaker.Settings, with gobreaker's defaults, except that the
// rule that trips the breaker is a number instead of a function: the rule
// runs inside Redis, where Go code cannot.
type Settings struct {
	// Name identifies the breaker in OnStateChange and in logs.
	Name string

	// MaxRequests is how many trial calls the half-open breaker admits,
	// across all replicas, and how many consecutive successes close it.
	// Zero means 1.
	MaxRequests uint32

	// Interval is the length of the closed-state window; zero or negative
	// means Counts are never cleared while closed.
	Interval time.Duration

	// Timeout is how long the breaker stays open. Zero or negative means 60
	// seconds.
	Timeout time.Duration

	// MaxConsecutiveFailures is how many consecutive failures the closed
	// breaker tolerates: the next one opens it. Zero means 5, the rule of
	// gobreaker's default ReadyToTrip ("more than 5").
	MaxConsecutiveFailures uint32

	// IsSuccessful and IsExcluded classify a call's error as in
	// breaker.Settings. They run in the calling replica, before the result
	// is sent to Redis.
	IsSuccessful func(err error) bool
	IsExcluded   func(err error) bool

	// OnStateChange, if not nil, is called after a change of state that
	// this replica's call caused, on the calling goroutine, with no lock
	// held. Changes made by other replicas are not reported: a replica
	// learns of them by their effect (its calls are refused or admitted).
	// The local fallback breaker reports its own changes here too, with
	// the name suffixed " (local)".
	OnStateChange func(name string, from, to breaker.State)

	// StoreRetry is how long Breaker keeps to its local fallback after a
	// store call failed before it tries the store again. It spares every
	// call the store's timeout while the store is down or hanging. Zero
	// or negative means one second.
	StoreRetry time.Duration
}

const (
	defaultMaxRequests            = 1
	defaultTimeout                = 60 * time.Second
	defaultMaxConsecutiveFailures = 5
	defaultStoreRetry             = time.Second
)

func (s *Settings) maxRequests() uint32 {
	if s.MaxRequests == 0 {
		return defaultMaxRequests
	}
	return s.MaxRequests
}

func (s *Settings) interval() time.Duration { return max(s.Interval, 0) }

func (s *Settings) timeout() time.Duration {
	if s.Timeout <= 0 {
		return defaultTimeout
	}
	return s.Timeout
}

func (s *Settings) maxConsecutiveFailures() uint32 {
	if s.MaxConsecutiveFailures == 0 {
		return defaultMaxConsecutiveFailures
	}
	return s.MaxConsecutiveFailures
}

func (s *Settings) storeRetry() time.Duration {
	if s.StoreRetry <= 0 {
		return defaultStoreRetry
	}
	return s.StoreRetry
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

// readyToTrip is the trip rule as lesson 03's breaker and gobreaker take
// it: a function of the counts.
func (s *Settings) readyToTrip() func(breaker.Counts) bool {
	limit := s.maxConsecutiveFailures()
	return func(c breaker.Counts) bool { return c.ConsecutiveFailures > limit }
}

// local returns the Settings of lesson 03's breaker that behave like s: the
// fallback breaker, and the reference in the differential test.
func (s *Settings) local() breaker.Settings {
	ls := breaker.Settings{
		Name:         s.Name,
		MaxRequests:  s.MaxRequests,
		Interval:     s.Interval,
		Timeout:      s.Timeout,
		ReadyToTrip:  s.readyToTrip(),
		IsSuccessful: s.IsSuccessful,
		IsExcluded:   s.IsExcluded,
	}
	if notify := s.OnStateChange; notify != nil {
		ls.OnStateChange = func(name string, from, to breaker.State) {
			notify(name+" (local)", from, to)
		}
	}
	return ls
}

// library returns gobreaker's Settings that behave like s.
func (s *Settings) library() gobreaker.Settings {
	trip := s.readyToTrip()
	gs := gobreaker.Settings{
		Name:         s.Name,
		MaxRequests:  s.MaxRequests,
		Interval:     s.Interval,
		Timeout:      s.Timeout,
		ReadyToTrip:  func(c gobreaker.Counts) bool { return trip(breaker.Counts(c)) },
		IsSuccessful: s.IsSuccessful,
		IsExcluded:   s.IsExcluded,
	}
	if notify := s.OnStateChange; notify != nil {
		gs.OnStateChange = func(name string, from, to gobreaker.State) {
			notify(name, breaker.State(from), breaker.State(to))
		}
	}
	return gs
}
