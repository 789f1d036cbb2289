package bulkhead

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onlineBulkhead is the bulkhead found in most blog posts and answers, in
// our own words: a buffered channel as the semaphore, and a select that
// returns "bulkhead full" when the caller's context ends. It is here only
// so the tests below can show what is wrong with it; the README walks
// through them.
type onlineBulkhead struct{ sem chan struct{} }

func newOnlineBulkhead(maxConcurrent int) *onlineBulkhead {
	return &onlineBulkhead{sem: make(chan struct{}, maxConcurrent)}
}

func (b *onlineBulkhead) Execute(ctx context.Context, op func() error) error {
	select {
	case b.sem <- struct{}{}:
		defer func() { <-b.sem }()
		return op()
	case <-ctx.Done():
		return errors.New("bulkhead full")
	}
}

// Defect 1: the caller's own cancellation is reported as "bulkhead full".
// A dashboard counting those errors shows the bulkhead rejecting when in
// fact callers were giving up, and the caller cannot see its own cause.
func TestOnlineVersionBlamesTheBulkheadForTheCallersCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		online := newOnlineBulkhead(1)
		release := make(chan struct{})
		go func() { _ = online.Execute(t.Context(), func() error { <-release; return nil }) }()
		synctest.Wait()

		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		err := online.Execute(ctx, func() error { return nil })
		assert.EqualError(t, err, "bulkhead full", "the online version blames the bulkhead")
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "and hides that the caller's deadline ended the wait")

		ours, _ := New(1, time.Hour)
		go func() { _ = ours.Execute(t.Context(), func(context.Context) error { <-release; return nil }) }()
		synctest.Wait()
		err = ours.Execute(ctx, func(context.Context) error { return nil })
		assert.ErrorIs(t, err, context.DeadlineExceeded, "ours says whose time ran out")
		assert.NotErrorIs(t, err, ErrBulkheadFull)
		assert.Equal(t, Stats{Admitted: 1, GaveUp: 1, InFlight: 1}, ours.Stats(), "and counts it as the caller giving up")
		close(release)
	})
}

// Defect 2: with a context that has already ended, select picks at random
// between a free slot and ctx.Done: the online version sometimes runs op
// for a caller that has gone, and sometimes reports "bulkhead full" from a
// bulkhead with every slot free.
func TestOnlineVersionSaysFullWhenEmpty(t *testing.T) {
	online := newOnlineBulkhead(4)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran, full := 0, 0
	for range 200 {
		if err := online.Execute(ctx, func() error { ran++; return nil }); err != nil {
			full++
		}
	}
	// Each outcome has probability 1/2 per call; missing either in 200
	// calls has probability 2^-199.
	assert.Positive(t, full, "reports 'bulkhead full' with 4 of 4 slots free")
	assert.Positive(t, ran, "runs op for a caller whose context has ended")
	assert.Equal(t, 200, ran+full)
}

// Defect 3: nothing bounds the wait but the caller's context. Callers
// with no deadline queue forever behind a stuck dependency, and the queue
// hides the overload: nothing is rejected, nothing is counted, latency
// just grows.
func TestOnlineVersionQueuesForever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		online := newOnlineBulkhead(1)
		release := make(chan struct{})
		go func() { _ = online.Execute(context.Background(), func() error { <-release; return nil }) }()
		synctest.Wait() // the first call holds the only slot
		done := make(chan error)
		go func() { done <- online.Execute(context.Background(), func() error { return nil }) }()
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("the online version should still be waiting")
		default: // still queued after a day, and nobody can tell
		}
		close(release)
		require.NoError(t, <-done)
	})
}

// Defect 4: a limit of 0 is accepted. The unbuffered channel then admits
// nobody (op runs only while another goroutine happens to be receiving,
// which nothing does), so every call waits until its context ends and
// then reports "bulkhead full". New refuses the configuration instead.
func TestOnlineVersionAcceptsZeroSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		online := newOnlineBulkhead(0)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		ran := false
		assert.EqualError(t, online.Execute(ctx, func() error { ran = true; return nil }), "bulkhead full")
		assert.False(t, ran, "no call ever runs")

		_, err := New(0, time.Second)
		assert.ErrorIs(t, err, ErrInvalidConfig, "ours refuses the configuration up front")
	})
}

// Defect 5: the error is a new value each time, so callers can only match
// its text, and op gets no context, so it cannot see the caller's
// deadline. (Both are visible in the signature; this test pins the first.)
func TestOnlineVersionErrorIsNotASentinel(t *testing.T) {
	online := newOnlineBulkhead(1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var errs []error
	for len(errs) < 2 {
		if err := online.Execute(ctx, func() error { return nil }); err != nil {
			errs = append(errs, err)
		}
	}
	assert.NotErrorIs(t, errs[0], errs[1], "two 'bulkhead full' errors do not match each other")
	assert.NotErrorIs(t, errs[0], ErrBulkheadFull)
}
