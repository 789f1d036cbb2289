package bulkhead

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/flaky"
)

// TestLimitHoldsAndNoCallIsLost sends thousands of callers at a bulkhead
// in front of the flaky service: some wait, some only try, some have a
// deadline shorter than the wait, some are cancelled. The service itself
// measures how many calls were inside it at once, and that must never
// exceed the limit (and must reach it, or the test proved nothing). Every
// call must end one of four ways, each accounted for: op ran (and returned
// whatever the service said), refused with ErrBulkheadFull, or the caller
// gave up with its context's error; and the bulkhead's counters must agree
// with the service's.
func TestLimitHoldsAndNoCallIsLost(t *testing.T) {
	const (
		callers = 5000
		limit   = 16
	)
	forBoth(t, func(t *testing.T, impl implementation) {
		svc := flaky.MustNew(flaky.Config{
			Seed: 7, FailureRate: 0.2, Latency: time.Millisecond, LatencyJitter: 9 * time.Millisecond,
		})
		bh := impl.mustNew(t, limit, 3*time.Millisecond)

		var ran, full, gaveUp, lost atomic.Int64
		var mu sync.Mutex
		var unexpected []error
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				// 5000 calls over one second, 5 per ms, against room for
				// about 3 per ms (16 slots, 5.5ms per call on average).
				time.Sleep(time.Duration(i) * 200 * time.Microsecond)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				switch i % 5 {
				case 1: // a deadline shorter than the bulkhead's wait
					ctx, cancel = context.WithTimeout(ctx, time.Millisecond)
					defer cancel()
				case 2: // the caller hangs up while it may still be waiting
					time.AfterFunc(2*time.Millisecond, cancel)
				}
				opRan := false
				op := func(ctx context.Context) error { opRan = true; return svc.Call(ctx) }
				var err error
				if i%3 == 0 {
					err = bh.TryExecute(ctx, op)
				} else {
					err = bh.Execute(ctx, op)
				}
				switch {
				case opRan:
					ran.Add(1)
				case errors.Is(err, ErrBulkheadFull) && ctx.Err() == nil:
					full.Add(1)
				case err != nil && errors.Is(err, ctx.Err()) && !errors.Is(err, ErrBulkheadFull):
					gaveUp.Add(1)
				default:
					lost.Add(1)
					mu.Lock()
					unexpected = append(unexpected, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()

		st, bs := svc.Stats(), bh.Stats()
		require.Zero(t, lost.Load(), "calls neither run nor refused with a clear error: %v", unexpected)
		require.Equal(t, int64(callers), ran.Load()+full.Load()+gaveUp.Load())
		assert.LessOrEqual(t, st.MaxInFlight, limit, "the service saw more calls at once than the bulkhead allows")
		assert.Equal(t, limit, st.MaxInFlight, "the load should have filled the bulkhead, or this test checks nothing")
		assert.Positive(t, full.Load(), "some calls should have been refused")
		assert.Positive(t, gaveUp.Load(), "some callers should have given up")
		assert.Equal(t, Stats{
			Admitted: uint64(ran.Load()), Rejected: uint64(full.Load()), GaveUp: uint64(gaveUp.Load()),
		}, bs, "the bulkhead's counters")
		assert.Equal(t, st.Calls, int(bs.Admitted), "every admitted call reached the service")
	})
}

// TestSlotCountingUnderRealContention hammers one bulkhead from many
// goroutines that run truly in parallel, with ops that only yield the
// processor, contexts cancelled by other goroutines at unpredictable
// moments, and waits that time out, so that releases, hand-offs and
// callers leaving the queue interleave in as many ways as the scheduler
// finds. Inside op a counter checks the limit on every call. Run it with
// -race and a high -count to search further.
func TestSlotCountingUnderRealContention(t *testing.T) {
	const (
		workers = 32
		rounds  = 300
		limit   = 3
	)
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, limit, time.Microsecond)
		var inside, most, calls, ran atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 1))
				for range rounds {
					ctx, cancel := context.WithCancel(t.Context())
					if rng.IntN(4) == 0 {
						spins := rng.IntN(8)
						go func() {
							for range spins {
								runtime.Gosched()
							}
							cancel()
						}()
					}
					op := func(context.Context) error {
						n := inside.Add(1)
						for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
						}
						for range rng.IntN(4) {
							runtime.Gosched()
						}
						if rng.IntN(16) == 0 {
							time.Sleep(time.Microsecond) // lets waiters time out
						}
						inside.Add(-1)
						ran.Add(1)
						return nil
					}
					calls.Add(1)
					if rng.IntN(3) == 0 {
						_ = bh.TryExecute(ctx, op)
					} else {
						_ = bh.Execute(ctx, op)
					}
					cancel()
				}
			})
		}
		wg.Wait()
		synctest.Wait()
		require.LessOrEqual(t, most.Load(), int64(limit), "more ops ran at once than the limit")
		st := bh.Stats()
		assert.Equal(t, uint64(calls.Load()), st.Admitted+st.Rejected+st.GaveUp, "every call counted once")
		assert.Equal(t, uint64(ran.Load()), st.Admitted)
		assert.Zero(t, st.InFlight, "every slot given back")
		assert.Zero(t, st.Waiting, "nobody left in the queue")
		if impl.name == "handrolled" {
			b := bh.(*Bulkhead)
			assert.Zero(t, b.state.Load(), "the state word is back to zero")
			assert.Empty(t, b.queue)
		}
	})
}
