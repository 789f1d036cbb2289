package retry_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/01_retry/retry"
)

// retryOnline is the retry helper found in many blog posts, answers and
// codebases, in our own words: a counter, a sleep that doubles, and no
// context. Each TestOnlineVersion test below shows one of its defects and
// that Do does not have it. The lesson's README walks through them.
func retryOnline(attempts int, sleep time.Duration, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		time.Sleep(sleep)
		sleep *= 2
	}
	return err
}

// Defect 1: with attempts = 0 the loop never runs, and err is still nil:
// the helper reports success without calling fn. A config file that
// forgot the field turns every call into a silent no-op.
func TestOnlineVersionZeroAttemptsReturnsNil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		err := retryOnline(0, time.Second, func() error { calls++; return errBoom })
		assert.NoError(t, err, "the online version reports success")
		assert.Zero(t, calls, "without ever calling fn")

		op, doCalls := script(failing(10)...)
		err = retry.Do(context.Background(), retry.Policy{MaxAttempts: 0}, op)
		require.ErrorIs(t, err, errBoom, "Do: zero means the default, 3 attempts")
		assert.Equal(t, retry.DefaultMaxAttempts, *doCalls)
	})
}

// Defect 2: no jitter. Clients that failed together retry together, on
// the same schedule, so the spike that broke the dependency comes back.
func TestOnlineVersionHasNoJitter(t *testing.T) {
	const clients = 20
	// retryTimes runs the clients at once against a dependency that is
	// down, and returns the distinct moments at which they retried.
	retryTimes := func(t *testing.T, run func(client int, fn func() error)) map[time.Duration]bool {
		var (
			mu    sync.Mutex
			times = map[time.Duration]bool{}
			wg    sync.WaitGroup
		)
		start := time.Now()
		for c := range clients {
			wg.Go(func() {
				first := true
				run(c, func() error {
					mu.Lock()
					defer mu.Unlock()
					if !first {
						times[time.Since(start)] = true
					}
					first = false
					return errBoom
				})
			})
		}
		wg.Wait()
		return times
	}
	synctest.Test(t, func(t *testing.T) {
		online := retryTimes(t, func(_ int, fn func() error) { _ = retryOnline(4, 100*time.Millisecond, fn) })
		assert.Len(t, online, 3, "20 clients × 3 retries, all at the same 3 instants")

		do := retryTimes(t, func(c int, fn func() error) {
			rng := rand.New(rand.NewPCG(uint64(c), 1)) // each client its own source, as in a fleet
			p := retry.Policy{MaxAttempts: 4, InitialDelay: 100 * time.Millisecond, Rand: rng.Int64N}
			_ = retry.Do(context.Background(), p, func(context.Context) error { return fn() })
		})
		assert.Greater(t, len(do), 50, "with full jitter the 60 retries spread out")
	})
}

// Defect 3: fn gets no context, and the loop never looks at one. When the
// caller gives up, the helper keeps calling and sleeping; cancellation
// cannot reach the attempt in progress either.
func TestOnlineVersionIgnoresCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		calls := 0
		start := time.Now()
		_ = retryOnline(5, time.Second, func() error { calls++; return errBoom })
		assert.Equal(t, 5, calls, "four of them after the caller had gone")
		assert.Equal(t, 31*time.Second, time.Since(start), "1+2+4+8+16s of sleeping")
		require.ErrorIs(t, ctx.Err(), context.Canceled)

		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		op, doCalls := script(failing(10)...)
		start = time.Now()
		err := retry.Do(ctx, retry.Policy{MaxAttempts: 5, InitialDelay: time.Second, MaxDelay: time.Minute, Jitter: retry.NoJitter}, op)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 500*time.Millisecond, time.Since(start), "Do returns when the caller cancels")
		assert.Equal(t, 1, *doCalls)
	})
}

// Defect 4: it sleeps past the caller's deadline, and after the last
// attempt too, only to fail then: the caller waits for nothing.
func TestOnlineVersionSleepsPastTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := retryOnline(3, 400*time.Millisecond, func() error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errBoom
		})
		assert.Equal(t, 2800*time.Millisecond, time.Since(start), "400+800ms between attempts, then 1.6s after the last")
		assert.ErrorIs(t, err, context.DeadlineExceeded, "the third attempt started after the deadline")

		ctx, cancel = context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		op, _ := script(failing(10)...)
		start = time.Now()
		err = retry.Do(ctx, retry.Policy{MaxAttempts: 3, InitialDelay: 400 * time.Millisecond, MaxDelay: time.Minute, Jitter: retry.NoJitter}, op)
		assert.Equal(t, 400*time.Millisecond, time.Since(start), "Do stops when the next attempt cannot start in time")
		require.ErrorIs(t, err, retry.ErrNoTimeLeft)
		require.ErrorIs(t, err, errBoom)
	})
}

// Defect 5: no cap. The sleep doubles forever: the tenth wait of a helper
// that starts at 100ms is 51.2s, and after 37 doublings time.Duration
// overflows into a negative sleep, which returns at once: a tight loop.
func TestOnlineVersionHasNoCap(t *testing.T) {
	sleep := 100 * time.Millisecond
	var waits []time.Duration
	for range 40 {
		waits = append(waits, sleep)
		sleep *= 2 // what retryOnline does after each failure
	}
	assert.Equal(t, 51200*time.Millisecond, waits[9])
	assert.Negative(t, waits[37], "the 38th wait has overflowed")

	p := retry.Policy{InitialDelay: 100 * time.Millisecond, Jitter: retry.NoJitter}
	assert.Equal(t, retry.DefaultMaxDelay, p.Capped(38), "Capped stays at MaxDelay")
	assert.Equal(t, retry.DefaultMaxDelay, p.Capped(10_000))
}
