package bulkhead

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errOp = errors.New("op failed")

// forBoth runs test in a synctest bubble once per implementation, so
// every wait below happens in virtual time and takes no real time.
func forBoth(t *testing.T, test func(t *testing.T, impl implementation)) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { test(t, impl) })
		})
	}
}

// held is a call whose op runs until the test releases it.
type held struct {
	release chan struct{}
	done    chan error
}

// hold starts a call on its own goroutine with call (Execute or
// TryExecute) and an op that waits for release. Call synctest.Wait before
// relying on it being inside op or queued.
func hold(ctx context.Context, call func(context.Context, func(context.Context) error) error) *held {
	h := &held{release: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		h.done <- call(ctx, func(context.Context) error { <-h.release; return nil })
	}()
	return h
}

// finish releases the op and returns what the call returned.
func (h *held) finish() error {
	close(h.release)
	return <-h.done
}

// fill takes every slot of bh with held calls.
func fill(t *testing.T, bh Interface) []*held {
	t.Helper()
	var hs []*held
	for range bh.Limit() {
		hs = append(hs, hold(t.Context(), bh.Execute))
	}
	synctest.Wait()
	require.Equal(t, bh.Limit(), bh.InFlight(), "every slot should be taken")
	return hs
}

func finishAll(t *testing.T, hs []*held) {
	t.Helper()
	for _, h := range hs {
		require.NoError(t, h.finish())
	}
}

// returned reports whether the call h has returned, once every goroutine
// is blocked and without moving the clock, and its error.
func returned(h *held) (error, bool) {
	synctest.Wait()
	select {
	case err := <-h.done:
		return err, true
	default:
		return nil, false
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, impl := range implementations {
		for _, c := range []struct {
			n    int
			wait time.Duration
			want string
		}{
			{0, 0, "maxConcurrent is 0"},
			{-3, time.Second, "maxConcurrent is -3"},
			{math.MaxInt32 + 1, 0, "maxConcurrent is 2147483648"},
			{1, -time.Millisecond, "maxWait is -1ms"},
		} {
			bh, err := impl.new(c.n, c.wait)
			require.ErrorIs(t, err, ErrInvalidConfig, "%s: new(%d, %v)", impl.name, c.n, c.wait)
			assert.ErrorContains(t, err, c.want)
			if impl.name == "handrolled" {
				assert.Nil(t, bh.(*Bulkhead), "no bulkhead on a configuration error")
			}
		}
		_, err := impl.new(math.MaxInt32, 0)
		assert.NoError(t, err, "%s: the largest limit is allowed", impl.name)
	}
}

func TestRunsOpWithCallersContextAndReturnsItsError(t *testing.T) {
	type key struct{}
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 2, 0)
		ctx := context.WithValue(t.Context(), key{}, "caller")
		for _, call := range []func(context.Context, func(context.Context) error) error{bh.Execute, bh.TryExecute} {
			var seen any
			err := call(ctx, func(ctx context.Context) error { seen = ctx.Value(key{}); return errOp })
			require.Same(t, errOp, err, "op's error comes back unchanged")
			assert.Equal(t, "caller", seen, "op runs with the caller's context")
			require.NoError(t, call(ctx, func(context.Context) error { return nil }))
		}
		assert.Equal(t, Stats{Admitted: 4}, bh.Stats())
	})
}

func TestFullWithoutWaitRejectsAtOnce(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 2, 0)
		hs := fill(t, bh)
		start := time.Now()
		ran := false
		err := bh.Execute(t.Context(), func(context.Context) error { ran = true; return nil })
		require.ErrorIs(t, err, ErrBulkheadFull)
		assert.False(t, ran, "a rejected call must not run op")
		assert.Zero(t, time.Since(start), "maxWait 0: no waiting at all")
		assert.Equal(t, Stats{Admitted: 2, Rejected: 1, InFlight: 2}, bh.Stats())
		finishAll(t, hs)
		require.NoError(t, bh.Execute(t.Context(), func(context.Context) error { return nil }), "slots free again")
	})
}

func TestWaitsForASlotToComeFree(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Second)
		first := fill(t, bh)[0]
		start := time.Now()
		waiter := hold(t.Context(), bh.Execute)
		synctest.Wait()
		assert.Equal(t, 1, bh.Waiting(), "the second call waits")
		time.Sleep(300 * time.Millisecond)
		require.NoError(t, first.finish())
		synctest.Wait()
		assert.Equal(t, 0, bh.Waiting())
		assert.Equal(t, 1, bh.InFlight(), "the freed slot went to the waiter")
		assert.Equal(t, 300*time.Millisecond, time.Since(start))
		require.NoError(t, waiter.finish())
		assert.Equal(t, Stats{Admitted: 2}, bh.Stats())
	})
}

func TestRejectsAfterMaxWait(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Second)
		hs := fill(t, bh)
		start := time.Now()
		err := bh.Execute(t.Context(), func(context.Context) error { return nil })
		require.ErrorIs(t, err, ErrBulkheadFull)
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "the wait limit is the bulkhead's, not the caller's deadline")
		assert.Equal(t, time.Second, time.Since(start), "gives up exactly at maxWait")
		assert.Equal(t, Stats{Admitted: 1, Rejected: 1, InFlight: 1}, bh.Stats())
		finishAll(t, hs)
	})
}

func TestCallerCancelWhileWaitingIsNotBulkheadFull(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Hour)
		hs := fill(t, bh)
		errGone := errors.New("client hung up")
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(200*time.Millisecond, func() { cancel(errGone) })

		start := time.Now()
		err := bh.Execute(ctx, func(context.Context) error { return nil })
		assert.Equal(t, 200*time.Millisecond, time.Since(start), "returns as soon as the caller cancels")
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errGone, "the caller's cause stays reachable")
		require.NotErrorIs(t, err, ErrBulkheadFull, "the caller left; the bulkhead refused nothing")
		assert.Equal(t, Stats{Admitted: 1, GaveUp: 1, InFlight: 1}, bh.Stats())
		finishAll(t, hs)
	})
}

func TestCallerDeadlineBeforeMaxWaitIsNotBulkheadFull(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Second)
		hs := fill(t, bh)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := bh.Execute(ctx, func(context.Context) error { return nil })
		assert.Equal(t, 100*time.Millisecond, time.Since(start))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotErrorIs(t, err, ErrBulkheadFull)
		assert.Equal(t, Stats{Admitted: 1, GaveUp: 1, InFlight: 1}, bh.Stats())
		finishAll(t, hs)
	})
}

func TestEndedContextRunsNothingEvenWithASlotFree(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 4, time.Second)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for _, call := range []func(context.Context, func(context.Context) error) error{bh.Execute, bh.TryExecute} {
			ran := false
			err := call(ctx, func(context.Context) error { ran = true; return nil })
			require.ErrorIs(t, err, context.Canceled)
			require.NotErrorIs(t, err, ErrBulkheadFull)
			assert.False(t, ran, "the caller has gone: op would work for nobody")
		}
		assert.Equal(t, Stats{GaveUp: 2}, bh.Stats())
	})
}

func TestTryExecuteNeverWaits(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Hour)
		hs := fill(t, bh)
		start := time.Now()
		err := bh.TryExecute(t.Context(), func(context.Context) error { return nil })
		require.ErrorIs(t, err, ErrBulkheadFull)
		assert.Zero(t, time.Since(start))
		assert.Equal(t, Stats{Admitted: 1, Rejected: 1, InFlight: 1}, bh.Stats())
		finishAll(t, hs)
		require.NoError(t, bh.TryExecute(t.Context(), func(context.Context) error { return nil }))
	})
}

func TestTryExecuteDoesNotJumpTheQueue(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Hour)
		first := fill(t, bh)[0]
		waiter := hold(t.Context(), bh.Execute)
		synctest.Wait()
		require.ErrorIs(t, bh.TryExecute(t.Context(), func(context.Context) error { return nil }), ErrBulkheadFull)
		require.NoError(t, first.finish())
		_, done := returned(waiter)
		require.False(t, done, "the waiter got the slot and is running its op")
		require.Equal(t, 1, bh.InFlight())
		require.NoError(t, waiter.finish())
	})
}

func TestPanicGivesTheSlotBackAndGoesOn(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Hour)
		for _, call := range []func(context.Context, func(context.Context) error) error{bh.Execute, bh.TryExecute} {
			release := make(chan struct{})
			panicked := make(chan any, 1)
			go func() {
				defer func() { panicked <- recover() }()
				_ = call(t.Context(), func(context.Context) error { <-release; panic("boom") })
			}()
			synctest.Wait()
			waiter := hold(t.Context(), bh.Execute)
			synctest.Wait()
			close(release)
			require.Equal(t, "boom", <-panicked, "the panic continues with the same value")
			synctest.Wait()
			assert.Equal(t, 1, bh.InFlight(), "the panicking call's slot went to the waiter")
			require.NoError(t, waiter.finish())
			assert.Equal(t, 0, bh.InFlight())
		}
		assert.Equal(t, Stats{Admitted: 4}, bh.Stats())
	})
}

func TestWaitersGetSlotsInArrivalOrder(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		// One slot, so the waiters run one after the other and the order
		// in which they report is the order in which they got the slot.
		bh := impl.mustNew(t, 1, time.Hour)
		hs := fill(t, bh)
		var order []int
		got := make(chan int)
		for i := range 6 {
			go func() {
				_ = bh.Execute(t.Context(), func(context.Context) error { got <- i; return nil })
			}()
			synctest.Wait() // i is queued before i+1 arrives
		}
		assert.Equal(t, 6, bh.Waiting())
		finishAll(t, hs)
		for range 6 {
			order = append(order, <-got)
		}
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, order)
	})
}

func TestWaiterWhoLeavesDoesNotKeepASlot(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, time.Hour)
		first := fill(t, bh)[0]
		ctx, cancel := context.WithCancel(t.Context())
		leaver := hold(ctx, bh.Execute)
		stayer := hold(t.Context(), bh.Execute)
		synctest.Wait()
		require.Equal(t, 2, bh.Waiting())
		cancel()
		err, done := returned(leaver)
		require.True(t, done)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, bh.Waiting())
		require.NoError(t, first.finish())
		synctest.Wait()
		assert.Equal(t, 1, bh.InFlight(), "the slot skips the caller who left and goes to the next")
		require.NoError(t, stayer.finish())
		assert.Equal(t, Stats{Admitted: 2, GaveUp: 1}, bh.Stats())
	})
}

func TestNilOpIsAnErrorAndNotCounted(t *testing.T) {
	forBoth(t, func(t *testing.T, impl implementation) {
		bh := impl.mustNew(t, 1, 0)
		require.ErrorIs(t, bh.Execute(t.Context(), nil), errNilOp)
		require.ErrorIs(t, bh.TryExecute(t.Context(), nil), errNilOp)
		assert.Equal(t, Stats{}, bh.Stats())
	})
}

func TestZeroBulkheadRefusesEverything(t *testing.T) {
	var bh Bulkhead
	ran := false
	require.ErrorIs(t, bh.Execute(t.Context(), func(context.Context) error { ran = true; return nil }), ErrBulkheadFull)
	assert.False(t, ran)
	assert.Equal(t, 0, bh.Limit())
}

func TestErrorTexts(t *testing.T) {
	assert.Equal(t, "bulkhead full", ErrBulkheadFull.Error())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.Equal(t, "bulkhead: caller gave up before the call got a slot: context canceled", callerGaveUp(ctx).Error())
	ctx, cancelCause := context.WithCancelCause(t.Context())
	cancelCause(errors.New("client hung up"))
	assert.Equal(t, "bulkhead: caller gave up before the call got a slot: context canceled (client hung up)", callerGaveUp(ctx).Error())
}
