package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"reliability/01_retry/retry"
)

var errFlaky = errors.New("flaky failure")

func failTimes(n int, err error) (func(context.Context) error, *int) {
	calls := 0
	return func(context.Context) error {
		calls++
		if calls <= n {
			return err
		}
		return nil
	}, &calls
}

func TestRetrySucceedsAfterFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failTimes(2, errFlaky)
		start := time.Now()
		err := Retry(context.Background(), 5, time.Second, op)
		if err != nil {
			t.Fatalf("op fails twice and then succeeds; Retry with 5 attempts returned %v, want nil", err)
		}
		if *calls != 3 {
			t.Errorf("op was called %d times, want 3 (two failures, then the success)", *calls)
		}
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("Retry took %v, want 2s (two waits of 1s)", took)
		}
	})
}

func TestRetryGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failTimes(100, errFlaky)
		start := time.Now()
		err := Retry(context.Background(), 3, time.Second, op)
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("Retry took %v, want 2s: two waits of 1s between three attempts, and no wait after the last", took)
		}
		if !errors.Is(err, errFlaky) {
			t.Errorf("after 3 failed attempts Retry returned %v, want an error wrapping op's last error %q", err, errFlaky)
		}
		if *calls != 3 {
			t.Errorf("op was called %d times, want exactly 3 (attempts counts the first call too)", *calls)
		}
	})
}

func TestRetryStopsOnPermanent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errBadRequest := errors.New("bad request")
		op, calls := failTimes(100, retry.Permanent(errBadRequest))
		err := Retry(context.Background(), 5, time.Second, op)
		if !errors.Is(err, errBadRequest) {
			t.Errorf("Retry returned %v, want the permanent error %q", err, errBadRequest)
		}
		if *calls != 1 {
			t.Errorf("op was called %d times, want 1: a permanent error must not be retried", *calls)
		}
	})
}

func TestRetryHonoursCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(1500*time.Millisecond, cancel)
		op, calls := failTimes(100, errFlaky)
		start := time.Now()
		err := Retry(ctx, 10, time.Second, op)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ctx was canceled during a wait; Retry returned %v, want an error matching context.Canceled", err)
		}
		if took := time.Since(start); took != 1500*time.Millisecond {
			t.Errorf("Retry returned after %v, want 1.5s: the moment ctx was canceled, not after the wait", took)
		}
		if *calls != 2 {
			t.Errorf("op was called %d times, want 2 (at 0s and 1s; ctx ended at 1.5s)", *calls)
		}
	})
}

func TestRetryDoesNotStartAfterCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		op, calls := failTimes(0, nil)
		err := Retry(ctx, 3, time.Second, op)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ctx was canceled before the call; Retry returned %v, want an error matching context.Canceled", err)
		}
		if *calls != 0 {
			t.Errorf("op was called %d times, want 0: no attempt should start after ctx has ended", *calls)
		}
	})
}

func TestRetryAtLeastOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		op, calls := failTimes(100, errFlaky)
		err := Retry(context.Background(), 0, time.Second, op)
		if *calls != 1 {
			t.Errorf("with attempts = 0, op was called %d times, want 1 (attempts below 1 count as 1)", *calls)
		}
		if !errors.Is(err, errFlaky) {
			t.Errorf("with attempts = 0, Retry returned %v, want an error wrapping op's error %q", err, errFlaky)
		}
	})
}
