package flaky_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/flaky"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// server returns a Server started at t0, failing the test on a bad config.
func server(t *testing.T, cfg flaky.CapacityConfig) *flaky.Server {
	t.Helper()
	s, err := flaky.NewServer(cfg, t0)
	require.NoError(t, err)
	return s
}

// arrive offers a request and fails the test if it is refused.
func arrive(t *testing.T, s *flaky.Server, now, deadline time.Time) int {
	t.Helper()
	id, err := s.Arrive(now, deadline)
	require.NoError(t, err)
	return id
}

func TestCapacityRejectsBadConfig(t *testing.T) {
	ok := flaky.CapacityConfig{Workers: 1, ServiceTime: time.Millisecond}
	for name, change := range map[string]func(*flaky.CapacityConfig){
		"no workers":             func(c *flaky.CapacityConfig) { c.Workers = 0 },
		"zero service time":      func(c *flaky.CapacityConfig) { c.ServiceTime = 0 },
		"negative jitter":        func(c *flaky.CapacityConfig) { c.ServiceJitter = -1 },
		"negative queue limit":   func(c *flaky.CapacityConfig) { c.QueueLimit = -1 },
		"negative slow start":    func(c *flaky.CapacityConfig) { c.SlowStart = -1 },
		"negative slow spell":    func(c *flaky.CapacityConfig) { c.SlowFor = -1 },
		"slow factor below one":  func(c *flaky.CapacityConfig) { c.SlowFor, c.SlowFactor = time.Second, 0.5 },
		"negative sample period": func(c *flaky.CapacityConfig) { c.SampleEvery = -1 },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			change(&cfg)
			s, err := flaky.NewServer(cfg, t0)
			require.ErrorIs(t, err, flaky.ErrInvalidConfig)
			assert.Nil(t, s)
			c, err := flaky.NewCapacity(cfg)
			require.ErrorIs(t, err, flaky.ErrInvalidConfig)
			assert.Nil(t, c)
		})
	}
}

// Two workers, four requests at once: two are served, two wait their
// turn, and each waiter starts the moment a worker is free.
func TestServerQueuesWhatTheWorkersCannotTake(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 2, ServiceTime: 100 * time.Millisecond})
	assert.InDelta(t, 20, s.Capacity(), 1e-9, "2 workers at 100ms each serve 20 requests a second")
	for range 4 {
		arrive(t, s, at(0), time.Time{})
	}
	st := s.Stats()
	assert.Equal(t, 2, st.InService, "two requests start at once")
	assert.Equal(t, 2, st.Queued, "the other two wait")

	next, ok := s.Next()
	require.True(t, ok)
	assert.Equal(t, at(100), next)
	assert.Empty(t, s.Advance(at(99)), "nothing finishes before its service time")
	assert.Equal(t, []flaky.Finished{{ID: 1, At: at(100)}, {ID: 2, At: at(100)}}, s.Advance(at(150)))
	assert.Equal(t, []flaky.Finished{{ID: 3, At: at(200)}, {ID: 4, At: at(200)}}, s.Advance(at(1000)),
		"the queued requests start at 100ms, when the workers come free, and take 100ms more")
	_, ok = s.Next()
	assert.False(t, ok, "every worker is idle")
	assert.Equal(t, flaky.CapacityStats{Offered: 4, Served: 4, Goodput: 4}, s.Stats())
}

// A request whose caller gave up while it waited is still served: the
// worker spends its full service time on an answer nobody reads.
func TestServerWastesWorkOnCallersWhoLeft(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond})
	first := arrive(t, s, at(0), at(150))
	second := arrive(t, s, at(0), at(150)) // starts at 100, done at 200
	third := arrive(t, s, at(0), time.Time{})
	gone := arrive(t, s, at(0), time.Time{})
	s.Abandon(gone) // its caller cancelled, long before any deadline

	done := s.Advance(at(1000))
	assert.Equal(t, []flaky.Finished{
		{ID: first, At: at(100), Outcome: flaky.InTime},
		{ID: second, At: at(200), Outcome: flaky.Late},
		{ID: third, At: at(300), Outcome: flaky.InTime},
		{ID: gone, At: at(400), Outcome: flaky.Late},
	}, done)
	st := s.Stats()
	assert.Equal(t, 4, st.Served)
	assert.Equal(t, 2, st.Goodput)
	assert.Equal(t, 2, st.Wasted, "two of the four answers went to callers who had left: wasted work")
}

// An answer ready exactly at the deadline is too late: the caller's
// timer fired at that instant.
func TestServerAnswerAtTheDeadlineIsLate(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond})
	arrive(t, s, at(0), at(100))
	done := s.Advance(at(100))
	require.Len(t, done, 1)
	assert.Equal(t, flaky.Late, done[0].Outcome)
}

// With DropExpired, a worker checks the deadline before it starts: a
// request whose caller has gone costs nothing.
func TestServerDropsExpiredWork(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond, DropExpired: true})
	first := arrive(t, s, at(0), time.Time{})
	expired := arrive(t, s, at(0), at(100)) // its deadline passes as the worker comes free
	abandoned := arrive(t, s, at(0), time.Time{})
	s.Abandon(abandoned)
	alive := arrive(t, s, at(0), at(250))

	done := s.Advance(at(1000))
	assert.Equal(t, []flaky.Finished{
		{ID: first, At: at(100), Outcome: flaky.InTime},
		{ID: expired, At: at(100), Outcome: flaky.Shed},
		{ID: abandoned, At: at(100), Outcome: flaky.Shed},
		{ID: alive, At: at(200), Outcome: flaky.InTime},
	}, done, "the two dropped requests take no time: the fourth starts at 100ms, not 300ms")
	st := s.Stats()
	assert.Equal(t, 2, st.Shed)
	assert.Equal(t, 0, st.Wasted)
	assert.Equal(t, 2, st.Goodput)
}

// A request that has already expired when it arrives is dropped at once
// when a worker is free.
func TestServerDropsWorkExpiredOnArrival(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: time.Second, DropExpired: true})
	id := arrive(t, s, at(500), at(400))
	assert.Equal(t, []flaky.Finished{{ID: id, At: at(500), Outcome: flaky.Shed}}, s.Advance(at(500)))
	assert.Equal(t, 0, s.Stats().InService)
}

func TestServerBoundsItsQueue(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond, QueueLimit: 2})
	for range 3 {
		arrive(t, s, at(0), time.Time{}) // one in service, two queued
	}
	_, err := s.Arrive(at(0), time.Time{})
	require.ErrorIs(t, err, flaky.ErrQueueFull, "the fourth request finds the queue full")
	assert.Len(t, s.Advance(at(100)), 1)
	arrive(t, s, at(100), time.Time{}) // a place came free
	st := s.Stats()
	assert.Equal(t, 5, st.Offered)
	assert.Equal(t, 1, st.Refused)
	assert.Equal(t, 2, st.Queued)
}

// A request started during the slow spell takes SlowFactor times as
// long; one started after it, its normal time.
func TestServerSlowSpell(t *testing.T) {
	s := server(t, flaky.CapacityConfig{
		Workers: 1, ServiceTime: 100 * time.Millisecond,
		SlowStart: 200 * time.Millisecond, SlowFor: 300 * time.Millisecond, SlowFactor: 4,
	})
	arrive(t, s, at(100), time.Time{}) // before: 100ms
	arrive(t, s, at(200), time.Time{}) // starts at 200, inside: 400ms
	arrive(t, s, at(200), time.Time{}) // starts at 600, after: 100ms
	var ends []time.Time
	for _, f := range s.Advance(at(2000)) {
		ends = append(ends, f.At)
	}
	assert.Equal(t, []time.Time{at(200), at(600), at(700)}, ends)
}

// The same seed draws the same service times; the jitter stays in range.
func TestServerJitterIsReplayable(t *testing.T) {
	run := func(seed uint64) []time.Time {
		s := server(t, flaky.CapacityConfig{Seed: seed, Workers: 1, ServiceTime: 10 * time.Millisecond, ServiceJitter: 10 * time.Millisecond})
		for range 50 {
			arrive(t, s, at(0), time.Time{})
		}
		var ends []time.Time
		prev := at(0)
		for _, f := range s.Advance(at(10_000)) {
			took := f.At.Sub(prev)
			assert.GreaterOrEqual(t, took, 10*time.Millisecond)
			assert.Less(t, took, 20*time.Millisecond)
			ends, prev = append(ends, f.At), f.At
		}
		return ends
	}
	assert.Equal(t, run(7), run(7))
	assert.NotEqual(t, run(7), run(8))
}

// History keeps the counters per interval: what arrived and finished in
// it, and the longest the queue was.
func TestServerHistory(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond, SampleEvery: 100 * time.Millisecond})
	for range 3 { // served 50-150, 150-250, 250-350: only the first in time
		arrive(t, s, at(50), at(220))
	}
	s.Advance(at(400))
	assert.Equal(t, []flaky.Sample{
		{Start: 0, Stats: flaky.CapacityStats{Offered: 3, Queued: 2, InService: 1}},
		{Start: 100 * time.Millisecond, Stats: flaky.CapacityStats{Served: 1, Goodput: 1, Queued: 2, InService: 1}},
		{Start: 200 * time.Millisecond, Stats: flaky.CapacityStats{Served: 1, Wasted: 1, Queued: 1, InService: 1}},
		{Start: 300 * time.Millisecond, Stats: flaky.CapacityStats{Served: 1, Wasted: 1}},
	}, s.History())
}

func TestServerClockMustNotGoBack(t *testing.T) {
	s := server(t, flaky.CapacityConfig{Workers: 1, ServiceTime: time.Millisecond})
	s.Advance(at(10))
	assert.PanicsWithValue(t, "flaky: Server's clock went backwards, from 10ms to 5ms", func() { s.Advance(at(5)) })
}

// Capacity, the blocking form, in virtual time: callers with a deadline
// queue for one worker, and those who run out of time leave, while the
// worker still serves their requests.
func TestCapacityCallQueuesAndWastes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := flaky.NewCapacity(flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond})
		require.NoError(t, err)
		start := time.Now()
		errs := make([]error, 4)
		took := make([]time.Duration, 4)
		var wg sync.WaitGroup
		for i := range errs {
			ctx, cancel := context.WithTimeout(t.Context(), 250*time.Millisecond)
			wg.Go(func() {
				defer cancel()
				errs[i] = c.Call(ctx)
				took[i] = time.Since(start)
			})
			synctest.Wait() // arrive in order
		}
		wg.Wait()
		assert.NoError(t, errs[0])
		assert.NoError(t, errs[1])
		for _, i := range []int{2, 3} {
			require.ErrorIs(t, errs[i], context.DeadlineExceeded, "caller %d ran out of time in the queue", i)
		}
		assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}, took)

		time.Sleep(time.Second) // the worker is still busy with the two abandoned requests
		assert.Equal(t, flaky.CapacityStats{Offered: 4, Served: 4, Goodput: 2, Wasted: 2}, c.Stats())
	})
}

func TestCapacityCallShedsAndRefuses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := flaky.NewCapacity(flaky.CapacityConfig{
			Workers: 1, ServiceTime: 100 * time.Millisecond, QueueLimit: 2, DropExpired: true,
		})
		require.NoError(t, err)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
				defer cancel()
				errs[i] = c.Call(ctx)
			})
			synctest.Wait()
		}
		wg.Wait()
		assert.NoError(t, errs[0])
		require.ErrorIs(t, errs[1], context.DeadlineExceeded, "the second starts at 100ms and cannot finish by 150ms")
		require.ErrorIs(t, errs[2], context.DeadlineExceeded)
		require.ErrorIs(t, errs[3], flaky.ErrQueueFull, "one in service and two queued: the fourth is refused at once")

		time.Sleep(time.Second)
		st := c.Stats()
		assert.Equal(t, 1, st.Shed, "the third expired in the queue and was dropped unserved")
		assert.Equal(t, 1, st.Wasted, "the second had started before its deadline, so it was served")
		assert.Equal(t, 1, st.Refused)
	})
}

// A caller who cancels is gone too: with DropExpired its request is not
// served, and a caller whose context has already ended sends nothing.
func TestCapacityCallCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := flaky.NewCapacity(flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond, DropExpired: true})
		require.NoError(t, err)
		var wg sync.WaitGroup
		wg.Go(func() { assert.NoError(t, c.Call(t.Context())) })
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		wg.Go(func() { assert.ErrorIs(t, c.Call(ctx), context.Canceled) })
		synctest.Wait()
		cancel()
		wg.Wait()
		require.ErrorIs(t, c.Call(ctx), context.Canceled)
		assert.Equal(t, flaky.CapacityStats{Offered: 2, Served: 1, Goodput: 1, Shed: 1}, c.Stats())
	})
}

// A request whose deadline falls as the worker comes free is dropped,
// whichever of the two the clock handles first at that instant: the
// caller's timer (the caller leaves, the server drops a request whose
// caller has gone) or the worker (it drops a request at its deadline).
func TestCapacityShedAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := flaky.NewCapacity(flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond, DropExpired: true})
		require.NoError(t, err)
		var wg sync.WaitGroup
		wg.Go(func() { assert.NoError(t, c.Call(t.Context())) })
		synctest.Wait()
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(100*time.Millisecond))
		defer cancel()
		err = c.Call(ctx)
		wg.Wait()
		assert.True(t, errors.Is(err, context.DeadlineExceeded) || errors.Is(err, flaky.ErrShed),
			"a request dropped as its deadline passes ends with the deadline or the shed error, got %v", err)
		assert.Equal(t, 1, c.Stats().Shed)
	})
}

func TestCapacityHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := flaky.NewCapacity(flaky.CapacityConfig{Workers: 1, ServiceTime: 100 * time.Millisecond, SampleEvery: time.Second})
		require.NoError(t, err)
		require.NoError(t, c.Call(t.Context()))
		time.Sleep(time.Second)
		h := c.History()
		require.Len(t, h, 1)
		assert.Equal(t, flaky.CapacityStats{Offered: 1, Served: 1, Goodput: 1}, h[0].Stats)
	})
}
