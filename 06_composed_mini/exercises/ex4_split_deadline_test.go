package exercises

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

const ex4Hint = "Does each attempt's context get a timeout, and does every wait also watch ctx.Done()?"

// split is the exercise's usual setting: 3 attempts, 50ms waits.
var split = Split{Attempts: 3, PerAttempt: time.Second, MinAttempt: 10 * time.Millisecond, Backoff: 50 * time.Millisecond}

// within returns a context that ends d from now, and its cancel.
func within(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}

func TestEx4TimeoutSharesWhatIsLeft(t *testing.T) {
	started(t, "Split.Timeout")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := within(t, time.Second)
		defer cancel()
		for _, tc := range []struct {
			s    Split
			left int
			want time.Duration
			why  string
		}{
			{split, 3, 300 * time.Millisecond, "1s minus 2 waits of 50ms, shared by 3 attempts"},
			{split, 2, 475 * time.Millisecond, "1s minus 1 wait of 50ms, shared by 2 attempts"},
			{split, 1, time.Second, "the last attempt gets everything that is left"},
			{Split{Attempts: 3, PerAttempt: 200 * time.Millisecond, Backoff: 50 * time.Millisecond}, 3,
				200 * time.Millisecond, "never more than PerAttempt"},
			{Split{Attempts: 4, PerAttempt: time.Second}, 4, 250 * time.Millisecond, "no waits: 1s shared by 4"},
		} {
			got, err := tc.s.Timeout(ctx, tc.left)
			if err != nil || got != tc.want {
				t.Errorf("%+v.Timeout with 1s left and %d attempts to go = %v, %v; want %v: %s",
					tc.s, tc.left, got, err, tc.want, tc.why)
			}
		}
		if got, err := split.Timeout(t.Context(), 3); err != nil || got != time.Second {
			t.Errorf("with no deadline on ctx, Timeout = %v, %v; want PerAttempt, 1s", got, err)
		}
	})
}

func TestEx4TimeoutRefusesHopelessAttempts(t *testing.T) {
	started(t, "Split.Timeout")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := within(t, 130*time.Millisecond)
		defer cancel()
		s := Split{Attempts: 3, PerAttempt: time.Second, MinAttempt: 20 * time.Millisecond, Backoff: 50 * time.Millisecond}
		_, err := s.Timeout(ctx, 3)
		if !errors.Is(err, ErrTooLittleTime) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("130ms minus 2 waits of 50ms leaves 10ms per attempt, below the 20ms minimum: want an error "+
				"matching ErrTooLittleTime and context.DeadlineExceeded, got %v", err)
		}
		if d, err := s.Timeout(ctx, 1); err != nil || d != 130*time.Millisecond {
			t.Errorf("one attempt left with 130ms to go should get all 130ms, got %v, %v", d, err)
		}
		exact, cancelExact := within(t, 160*time.Millisecond)
		defer cancelExact()
		if d, err := s.Timeout(exact, 3); err != nil || d != 20*time.Millisecond {
			t.Errorf("160ms minus 2 waits of 50ms leaves exactly the 20ms minimum per attempt: the attempt "+
				"should start with 20ms, got %v, %v", d, err)
		}
		s.MinAttempt = 0
		late, cancelLate := within(t, 100*time.Millisecond)
		defer cancelLate()
		if _, err := s.Timeout(late, 3); !errors.Is(err, ErrTooLittleTime) {
			t.Errorf("100ms cannot even hold the 2 waits of 50ms: nothing is left to share, so even with no "+
				"minimum the error should match ErrTooLittleTime, got %v", err)
		}

		ended, stop := context.WithCancel(t.Context())
		stop()
		if _, err := split.Timeout(ended, 3); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTooLittleTime) {
			t.Errorf("with ctx already cancelled, Timeout should return an error matching context.Canceled (not "+
				"ErrTooLittleTime: the caller gave up, time did not run out), got %v", err)
		}
	})
}

func TestEx4RejectsBadSettings(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	for _, tc := range []struct {
		s    Split
		left int
	}{
		{split, 0},
		{Split{Attempts: 3, PerAttempt: 0}, 3},
		{Split{Attempts: 3, PerAttempt: time.Second, MinAttempt: -1}, 3},
		{Split{Attempts: 3, PerAttempt: time.Second, Backoff: -1}, 3},
	} {
		if _, err := tc.s.Timeout(t.Context(), tc.left); !errors.Is(err, ErrBadSplit) {
			t.Errorf("%+v.Timeout(ctx, %d) = %v; want an error matching ErrBadSplit", tc.s, tc.left, err)
		}
	}
	if err := (Split{Attempts: 0, PerAttempt: time.Second}).Do(t.Context(), newService(step{}).Call); !errors.Is(err, ErrBadSplit) {
		t.Errorf("Do with Attempts 0 = %v; want an error matching ErrBadSplit", err)
	}
}

// The first attempt hangs, the second would answer at once: with its share
// of the second, the first is cut at 300ms and the retry succeeds.
func TestEx4SlowFirstAttemptLeavesRoom(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := within(t, time.Second)
		defer cancel()
		svc := newService(step{wait: time.Hour}, step{})
		start := time.Now()
		err := split.Do(ctx, svc.Call)
		took := time.Since(start)
		switch {
		case err != nil:
			t.Errorf("the first attempt hangs and the second answers at once; Do should succeed, got %v after %v "+
				"and %d calls", err, took, svc.Calls())
		case svc.Calls() != 2:
			t.Errorf("the service was called %d times; want 2", svc.Calls())
		case svc.allowed[0] != 300*time.Millisecond:
			t.Errorf("the first attempt was allowed %v; want its share, 300ms", svc.allowed[0])
		case took != 350*time.Millisecond:
			t.Errorf("Do took %v; want 350ms: the first attempt cut at 300ms, then a 50ms wait", took)
		}
	})
}

// Every attempt hangs: each gets 300ms, and the whole call fits the second
// exactly.
func TestEx4EveryAttemptGetsItsShare(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := within(t, time.Second)
		defer cancel()
		svc := newService(step{wait: time.Hour})
		start := time.Now()
		err := split.Do(ctx, svc.Call)
		took := time.Since(start)
		want := []time.Duration{300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
		switch {
		case !slices.Equal(svc.lasted, want):
			t.Errorf("the attempts lasted %v; want %v: 3 x 300ms + 2 x 50ms is the 1s allowed. Does Timeout "+
				"share what is left among the attempts still to come, minus the waits between them?", svc.lasted, want)
		case took > time.Second:
			t.Errorf("Do took %v, more than the 1s the caller allowed", took)
		case err == nil || !errors.Is(err, context.DeadlineExceeded):
			t.Errorf("every attempt hung; Do should fail with an error matching context.DeadlineExceeded, got %v", err)
		}
	})
}

// Attempts that fail at once leave their time to the ones after them, so
// Timeout must be asked again before each attempt.
func TestEx4FastFailuresLeaveMoreForLater(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := within(t, time.Second)
		defer cancel()
		svc := newService(step{err: errTransient})
		s := split
		s.PerAttempt = 800 * time.Millisecond
		start := time.Now()
		err := s.Do(ctx, svc.Call)
		want := []time.Duration{300 * time.Millisecond, 450 * time.Millisecond, 800 * time.Millisecond}
		switch {
		case !slices.Equal(svc.allowed, want):
			t.Errorf("the attempts were allowed %v; want %v: after a fast failure the time left is larger, so ask "+
				"Timeout again before each attempt (and cap it at PerAttempt)", svc.allowed, want)
		case !errors.Is(err, errTransient):
			t.Errorf("every attempt failed with %v; Do should return an error wrapping it, got %v", errTransient, err)
		case time.Since(start) != 100*time.Millisecond:
			t.Errorf("3 fast failures with 2 waits of 50ms should take 100ms, Do took %v: no wait after the "+
				"last attempt", time.Since(start))
		}
	})
}

func TestEx4WithoutDeadlineEachAttemptGetsPerAttempt(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		svc := newService(step{wait: time.Hour})
		s := split
		s.PerAttempt = 200 * time.Millisecond
		err := s.Do(t.Context(), svc.Call)
		want := []time.Duration{200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond}
		if !slices.Equal(svc.allowed, want) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("with no overall deadline the attempts were allowed %v and Do returned %v; want %v, each cut "+
				"at PerAttempt, and an error matching context.DeadlineExceeded", svc.allowed, err, want)
		}
	})
}

func TestEx4StopsWhenTheSharesAreTooSmall(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := within(t, 500*time.Millisecond)
		defer cancel()
		svc := newService(step{wait: time.Hour})
		s := Split{Attempts: 5, PerAttempt: time.Second, MinAttempt: 100 * time.Millisecond, Backoff: 50 * time.Millisecond}
		err := s.Do(ctx, svc.Call)
		if !errors.Is(err, ErrTooLittleTime) || svc.Calls() != 0 {
			t.Errorf("500ms for 5 attempts and 4 waits of 50ms leaves 60ms each, below the 100ms minimum: Do should "+
				"start no attempt and return an error matching ErrTooLittleTime; it made %d calls and returned %v",
				svc.Calls(), err)
		}
	})
}

func TestEx4CancelEndsTheWait(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(20*time.Millisecond, cancel)
		svc := newService(step{err: errTransient})
		start := time.Now()
		err := split.Do(ctx, svc.Call)
		if !errors.Is(err, context.Canceled) || time.Since(start) != 20*time.Millisecond || svc.Calls() != 1 {
			t.Errorf("cancelled 20ms into the first wait, Do should return at once with an error matching "+
				"context.Canceled; it returned %v after %v and %d calls", err, time.Since(start), svc.Calls())
		}
	})
}

func TestEx4CallerCancelEndsTheAttempt(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)
		svc := newService(step{wait: time.Hour})
		start := time.Now()
		err := split.Do(ctx, svc.Call)
		took := time.Since(start)
		if !errors.Is(err, context.Canceled) || took != 100*time.Millisecond || svc.Calls() != 1 {
			t.Errorf("the caller cancelled 100ms into the first attempt: the attempt should end then, and Do return "+
				"with an error matching context.Canceled; it returned %v after %v and %d calls. Is each attempt's "+
				"context derived from ctx? One made from context.Background() does not hear the caller give up",
				err, took, svc.Calls())
		}
	})
}

func TestEx4CancelsEachAttemptsContext(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		var ctxs []context.Context
		op := func(ctx context.Context) error {
			for i, c := range ctxs {
				if c.Err() == nil {
					t.Errorf("when attempt %d started, the context of attempt %d was still live: cancel each "+
						"attempt's context as soon as the attempt returns (is cancel never called, or deferred in "+
						"the loop, which runs it only when Do returns?)", len(ctxs)+1, i+1)
				}
			}
			ctxs = append(ctxs, ctx)
			return errTransient
		}
		_ = split.Do(t.Context(), op)
		if len(ctxs) != split.Attempts {
			t.Errorf("op failed every time and was called %d times; want %d", len(ctxs), split.Attempts)
		}
		for i, c := range ctxs {
			if c.Err() == nil {
				t.Errorf("after Do returned, the context of attempt %d was still live: cancel each attempt's "+
					"context when the attempt is done, or its timer lives on until PerAttempt has passed", i+1)
			}
		}
	})
}

func TestEx4ReturnsTheLastError(t *testing.T) {
	started(t, "Split.Timeout", "Split.Do")
	bubble(t, ex4Hint, func(t *testing.T) {
		errFirst, errLast := errors.New("502 bad gateway"), errors.New("504 gateway timeout")
		svc := newService(step{err: errFirst}, step{err: errTransient}, step{err: errLast})
		err := split.Do(t.Context(), svc.Call)
		if !errors.Is(err, errLast) {
			t.Errorf("the attempts failed with %v, %v and %v; Do should return an error wrapping the last one, "+
				"got %v (is it the first attempt's error, or formatted with %%v instead of %%w?)",
				errFirst, errTransient, errLast, err)
		}
	})
}
