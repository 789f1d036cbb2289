package breaker

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onlineBreaker is the circuit breaker that most tutorials show, in our
// own words: a failure counter, a state, and the time it opened. It looks
// right, and each test below shows one of its defects next to Breaker.
// The lesson's README shows the same code.
type onlineBreaker struct {
	threshold int
	timeout   time.Duration
	onChange  func(from, to State)

	mu       sync.Mutex
	state    State
	failures int
	openedAt time.Time
}

func (b *onlineBreaker) Execute(fn func() error) error {
	b.mu.Lock()
	if b.state == StateOpen {
		if time.Since(b.openedAt) < b.timeout {
			b.mu.Unlock()
			return ErrOpenState
		}
		b.setState(StateHalfOpen) // let calls through again
	}
	b.mu.Unlock()

	err := fn()

	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.failures++
		if b.state == StateHalfOpen || b.failures >= b.threshold {
			b.setState(StateOpen)
			b.openedAt = time.Now()
		}
		return err
	}
	b.failures = 0
	b.setState(StateClosed)
	return nil
}

func (b *onlineBreaker) setState(to State) {
	if b.state != to {
		from := b.state
		b.state = to
		if b.onChange != nil {
			b.onChange(from, to) // called with b.mu held
		}
	}
}

func (b *onlineBreaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// Defect 1: the callback runs with the lock held. A callback that calls
// State(), or logs through something that does, waits for ever; a slow
// one stalls every caller. The test asks the lock whether it is free
// instead of deadlocking.
func TestOnlineVersionCallsBackUnderTheLock(t *testing.T) {
	var online *onlineBreaker
	lockedInCallback := false
	online = &onlineBreaker{threshold: 1, timeout: time.Minute, onChange: func(_, _ State) {
		if online.mu.TryLock() {
			online.mu.Unlock()
		} else {
			lockedInCallback = true
		}
	}}
	_ = online.Execute(failing)
	assert.True(t, lockedInCallback, "online: the lock is held in the callback, so State() there would never return")

	var b *Breaker
	var seen State
	b = New(trippedOnce(Settings{OnStateChange: func(string, State, State) { seen = b.State() }}))
	_ = b.Execute(failing)
	assert.Equal(t, StateOpen, seen, "Breaker: the callback may call State()")
}

// Defect 2: half-open admits everyone. When the timeout ends, every caller
// that arrives goes through to a dependency that may still be down: the
// crowd that piled up during the outage hits it at once.
func TestOnlineVersionLetsTheCrowdThroughWhenHalfOpen(t *testing.T) {
	const crowd = 50
	inFn := func(execute func(func() error) error, sleep func()) int32 {
		_ = execute(failing)
		sleep()
		var entered atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range crowd {
			wg.Go(func() {
				_ = execute(func() error { entered.Add(1); <-release; return nil })
			})
		}
		synctest.Wait() // everyone is inside fn or turned away
		n := entered.Load()
		close(release)
		wg.Wait()
		return n
	}
	synctest.Test(t, func(t *testing.T) {
		online := &onlineBreaker{threshold: 1, timeout: time.Second}
		n := inFn(online.Execute, func() { time.Sleep(2 * time.Second) })
		assert.EqualValues(t, crowd, n, "online: all %d callers reach the dependency the moment it half-opens", crowd)
	})
	synctest.Test(t, func(t *testing.T) {
		b := New(trippedOnce(Settings{Timeout: time.Second}))
		n := inFn(b.Execute, func() { time.Sleep(2 * time.Second) })
		assert.EqualValues(t, 1, n, "Breaker: one trial call (MaxRequests 1); the others get ErrTooManyRequests")
	})
}

// Defect 3: a late result counts. A slow call that started before the
// outage and succeeds after the breaker opened closes it again, although
// the dependency is still down.
func TestOnlineVersionLetsALateSuccessCloseIt(t *testing.T) {
	slowSuccessDuringOutage := func(execute func(func() error) error) {
		release := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = execute(func() error { <-release; return nil })
		}()
		synctest.Wait()      // the slow call is inside fn
		_ = execute(failing) // the outage begins and trips the breaker
		close(release)       // the slow call succeeds afterwards
		<-done
	}
	synctest.Test(t, func(t *testing.T) {
		online := &onlineBreaker{threshold: 1, timeout: time.Minute}
		slowSuccessDuringOutage(online.Execute)
		assert.Equal(t, StateClosed, online.State(), "online: the late success closed the breaker in the middle of the outage")
	})
	synctest.Test(t, func(t *testing.T) {
		b := New(trippedOnce(Settings{Timeout: time.Minute}))
		slowSuccessDuringOutage(b.Execute)
		require.Equal(t, StateOpen, b.State(), "Breaker: the result belongs to an older generation and is dropped")
	})
}
