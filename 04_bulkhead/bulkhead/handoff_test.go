package bulkhead

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pauseHandOff makes the next release that finds callers queued stop
// between giving its slot back and handing it over, until the returned
// function is called. The test can make other callers act in that gap,
// which the scheduler reaches too rarely for a stress test to find it.
func pauseHandOff(t *testing.T) (paused <-chan struct{}, resume func()) {
	p, r := make(chan struct{}), make(chan struct{})
	testHookBeforeHandOff = func() {
		testHookBeforeHandOff = nil
		close(p)
		<-r
	}
	t.Cleanup(func() { testHookBeforeHandOff = nil })
	return p, func() { close(r) }
}

// A release sees a caller queued, but before it hands the slot over that
// caller leaves, a newcomer takes the free slot the normal way, and
// another caller queues behind it. The late hand-off must see that no
// slot is free any more; handing one over anyway would run two ops in a
// bulkhead of one.
func TestLateHandOffFindsTheSlotRetaken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bh, err := New(1, time.Hour)
		require.NoError(t, err)
		first := hold(t.Context(), bh.Execute)
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		leaver := hold(ctx, bh.Execute)
		synctest.Wait()

		paused, resume := pauseHandOff(t)
		go func() { _ = first.finish() }()
		<-paused // the slot is back; the hand-off has not happened yet

		cancel()
		err, done := returned(leaver)
		require.True(t, done, "the caller who left returns")
		require.ErrorIs(t, err, context.Canceled)
		newcomer := hold(t.Context(), bh.Execute)
		synctest.Wait()
		require.Equal(t, 1, bh.InFlight(), "the newcomer took the free slot")
		late := hold(t.Context(), bh.Execute)
		synctest.Wait()
		require.Equal(t, 1, bh.Waiting(), "the next caller queues behind it")

		resume()
		synctest.Wait()
		assert.Equal(t, 1, bh.InFlight(), "the late hand-off must not create a second slot")
		assert.Equal(t, 1, bh.Waiting(), "the queued caller keeps waiting for a real slot")
		require.NoError(t, newcomer.finish())
		synctest.Wait()
		assert.Equal(t, 0, bh.Waiting(), "and gets the newcomer's slot when it is given back")
		require.NoError(t, late.finish())
		assert.Equal(t, Stats{Admitted: 3, GaveUp: 1}, bh.Stats())
	})
}

// The same gap, but nobody takes the slot: the late hand-off finds the
// queue empty and the slot stays free for the next caller.
func TestLateHandOffFindsTheQueueEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bh, err := New(1, time.Hour)
		require.NoError(t, err)
		first := hold(t.Context(), bh.Execute)
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		leaver := hold(ctx, bh.Execute)
		synctest.Wait()

		paused, resume := pauseHandOff(t)
		finished := make(chan error)
		go func() { finished <- first.finish() }()
		<-paused
		cancel()
		_, done := returned(leaver)
		require.True(t, done)
		resume()
		require.NoError(t, <-finished)
		assert.Equal(t, 0, bh.InFlight())
		require.NoError(t, bh.TryExecute(t.Context(), func(context.Context) error { return nil }),
			"the slot nobody was handed is free")
	})
}
