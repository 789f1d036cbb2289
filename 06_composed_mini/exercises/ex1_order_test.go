package exercises

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
	"reliability/06_composed_mini/compose"
)

// orderHint is the likely cause of a hang in exercise 1.
const orderHint = "Without a timeout around each attempt, an attempt that hangs never returns: " +
	"did Build leave out the timeout layer?"

// layers are the three layers of exercise 1 around a breaker that opens
// after three failures in a row, each wrapped so that the test can see
// how often a call went through it.
type layers struct {
	cb                      *breaker.Breaker
	retry, timeout, breaker compose.Layer

	mu    sync.Mutex // a timeout runs what is inside it on a goroutine
	trace []string
}

func newLayers() *layers {
	l := &layers{cb: breaker.New(breaker.Settings{
		Name:        "dep",
		Timeout:     time.Minute,
		ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		IsExcluded:  func(err error) bool { return errors.Is(err, context.Canceled) },
	})}
	traced := func(name string, layer compose.Layer) compose.Layer {
		return func(next compose.Call) compose.Call {
			inner := layer(next)
			return func(ctx context.Context) error {
				l.mu.Lock()
				l.trace = append(l.trace, name)
				l.mu.Unlock()
				return inner(ctx)
			}
		}
	}
	p := retry.Policy{MaxAttempts: 3, InitialDelay: 10 * time.Millisecond, Jitter: retry.NoJitter}
	l.retry = traced("retry", compose.Retry(p))
	l.timeout = traced("timeout", compose.Timeout(100*time.Millisecond))
	l.breaker = traced("breaker", compose.Breaker(l.cb))
	return l
}

func (l *layers) build(svc *service) compose.Call {
	call := Build(svc.Call, l.retry, l.timeout, l.breaker)
	if call == nil {
		return func(context.Context) error { return errors.New("Build returned a nil Call") }
	}
	return call
}

// times says n times in words.
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func (l *layers) count(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.trace {
		if s == name {
			n++
		}
	}
	return n
}

func TestEx1EveryLayerInItsPlace(t *testing.T) {
	started(t, "Build")
	bubble(t, orderHint, func(t *testing.T) {
		l := newLayers()
		svc := newService(step{err: errTransient}, step{err: errTransient}, step{})
		err := l.build(svc)(t.Context())
		if err != nil {
			t.Fatalf("the service fails twice, then answers; with 3 attempts the call should succeed, got %v", err)
		}
		retries, timeouts, breakers := l.count("retry"), l.count("timeout"), l.count("breaker")
		switch {
		case retries == 0 || timeouts == 0 || breakers == 0:
			t.Errorf("a call went through retry %d, timeout %d and breaker %d times: Build must use all three layers",
				retries, timeouts, breakers)
		case retries != 1:
			t.Errorf("the retry layer ran %s for one call: it should be the outermost layer, run once "+
				"per call, with the timeout and the breaker inside it", times(retries))
		case timeouts != 3:
			t.Errorf("the timeout layer ran %s for a call of 3 attempts: it belongs inside the retry, "+
				"so that each attempt gets its own timeout", times(timeouts))
		case breakers != 3:
			t.Errorf("the breaker layer ran %s for a call of 3 attempts: it belongs inside the retry, "+
				"so that it sees every attempt", times(breakers))
		}
	})
}

func TestEx1EachAttemptHasItsOwnTimeout(t *testing.T) {
	started(t, "Build")
	bubble(t, orderHint, func(t *testing.T) {
		l := newLayers()
		svc := newService(step{wait: time.Hour}, step{})
		start := time.Now()
		err := l.build(svc)(t.Context())
		took := time.Since(start)
		switch {
		case err != nil && svc.Calls() == 1:
			t.Fatalf("the first attempt hangs and the second would answer at once, but the call failed after "+
				"one attempt (%v, after %v): the timeout ended the whole call, not the attempt. "+
				"Is the timeout outside the retry?", err, took)
		case err != nil:
			t.Fatalf("the first attempt hangs and the second answers at once; the call should succeed, got %v", err)
		case took >= time.Hour:
			t.Errorf("the call took %v: the hanging attempt was never cut off. %s", took, orderHint)
		case took != 110*time.Millisecond:
			t.Errorf("the call took %v; want 110ms: the slow attempt cut at 100ms, then a 10ms wait", took)
		}
	})
}

func TestEx1TimedOutAttemptsOpenTheBreaker(t *testing.T) {
	started(t, "Build")
	bubble(t, orderHint, func(t *testing.T) {
		l := newLayers()
		svc := newService(step{wait: time.Hour})
		err := l.build(svc)(t.Context())
		if !errors.Is(err, timeout.ErrTimeout) {
			t.Errorf("every attempt hangs; the call should fail with a timeout, got %v", err)
		}
		// The timeout returns at its deadline; the cancelled attempt
		// reaches the breaker an instant later.
		synctest.Wait()
		if got := l.cb.State(); got != breaker.StateOpen {
			t.Errorf("a call whose 3 attempts all timed out should leave the breaker open (3 failures in a row); "+
				"it is %v, with counts %+v. The breaker must see each attempt: is it outside the retry, "+
				"or the timeout outside the retry?", got, l.cb.Counts())
		}
	})
}

func TestEx1OpenBreakerFailsFast(t *testing.T) {
	started(t, "Build")
	bubble(t, orderHint, func(t *testing.T) {
		l := newLayers()
		for range 3 {
			_ = l.cb.Execute(func() error { return errTransient }) // open it
		}
		svc := newService(step{})
		start := time.Now()
		err := l.build(svc)(t.Context())
		switch {
		case !errors.Is(err, breaker.ErrOpenState):
			t.Errorf("with the breaker open, the call should fail with breaker.ErrOpenState, got %v", err)
		case svc.Calls() != 0:
			t.Errorf("with the breaker open, the service was called %d times; want 0: is the breaker in the chain?",
				svc.Calls())
		case time.Since(start) != 0:
			t.Errorf("with the breaker open, the call took %v; it should fail at once", time.Since(start))
		case l.count("breaker") != 1:
			t.Errorf("an open breaker was asked %d times in one call; its refusal is final",
				l.count("breaker"))
		}
	})
}

func TestEx1CallerCancelEndsTheCall(t *testing.T) {
	started(t, "Build")
	bubble(t, orderHint, func(t *testing.T) {
		l := newLayers()
		svc := newService(step{wait: time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err := l.build(svc)(ctx)
		took := time.Since(start)
		if !errors.Is(err, context.Canceled) || took != 50*time.Millisecond || svc.Calls() != 1 {
			t.Errorf("the caller cancelled 50ms into the first attempt; the call should end then with context.Canceled "+
				"after 1 service call, got %v after %v and %d calls. Does the chain get the caller's ctx? "+
				"A chain run with context.Background() cannot hear the caller give up", err, took, svc.Calls())
		}
	})
}
