package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// attemptDeadline calls AttemptContext and returns how far away the
// attempt's deadline is, failing the test on an error, a missing deadline
// or a CancelFunc that does not end the attempt. situation says why an
// attempt should start.
func attemptDeadline(t *testing.T, situation string, ctx context.Context, perAttempt, minUseful time.Duration) time.Duration {
	t.Helper()
	actx, cancel, err := AttemptContext(ctx, perAttempt, minUseful)
	if err != nil {
		t.Fatalf("%s, an attempt should start; AttemptContext(%v, %v) returned %v", situation, perAttempt, minUseful, err)
	}
	if actx == nil || cancel == nil {
		t.Fatalf("AttemptContext returned no error but a nil context or CancelFunc")
	}
	deadline, ok := actx.Deadline()
	cancel()
	if !ok {
		t.Fatalf("the attempt's context has no deadline")
	}
	if actx.Err() == nil {
		t.Errorf("calling the returned CancelFunc should end the attempt's context; it is still alive: " +
			"return the CancelFunc that came with the attempt's context")
	}
	return time.Until(deadline)
}

func TestEx3SplitsTheBudget(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()

		if got := attemptDeadline(t, "with 5s left", overall, 2*time.Second, 200*time.Millisecond); got != 2*time.Second {
			t.Errorf("with 5s left, an attempt should get its full 2s, not more: min(perAttempt, time left); it got %v", got)
		}
		time.Sleep(4 * time.Second)
		if got := attemptDeadline(t, "with 1s left", overall, 2*time.Second, 200*time.Millisecond); got != time.Second {
			t.Errorf("with 1s left, an attempt should get only that 1s, not 2s; it got %v", got)
		}
		time.Sleep(800 * time.Millisecond)
		const exact = "with exactly the 200ms minimum left"
		if got := attemptDeadline(t, exact, overall, 2*time.Second, 200*time.Millisecond); got != 200*time.Millisecond {
			t.Errorf("%s, an attempt should start and get those 200ms; it got %v", exact, got)
		}
	})
}

// refused checks that AttemptContext started nothing and returned an error
// matching every error in want.
func refused(t *testing.T, situation string, actx context.Context, acancel context.CancelFunc, err error, want ...error) {
	t.Helper()
	if acancel != nil {
		acancel()
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Errorf("%s; the error should match %v; got %v", situation, w, err)
		}
	}
	if actx != nil || acancel != nil {
		t.Errorf("%s, so no attempt should start: want a nil context and a nil CancelFunc", situation)
	}
}

func TestEx3RefusesTooLittleTime(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		time.Sleep(4900 * time.Millisecond)

		actx, acancel, err := AttemptContext(overall, 2*time.Second, 200*time.Millisecond)
		refused(t, "with 100ms left and 200ms needed", actx, acancel, err, ErrBudgetSpent, context.DeadlineExceeded)

		time.Sleep(100 * time.Millisecond) // exactly at the overall deadline
		synctest.Wait()
		actx, acancel, err = AttemptContext(overall, 2*time.Second, 0)
		refused(t, "with nothing left (exactly at the overall deadline), even with no minimum", actx, acancel, err,
			ErrBudgetSpent, context.DeadlineExceeded)

		time.Sleep(time.Second) // now past the overall deadline
		actx, acancel, err = AttemptContext(overall, 2*time.Second, 0)
		refused(t, "past the overall deadline, even with no minimum", actx, acancel, err, ErrBudgetSpent, context.DeadlineExceeded)
	})
}

func TestEx3WithoutOverallDeadline(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		actx, acancel, err := AttemptContext(t.Context(), 2*time.Second, 500*time.Millisecond)
		if acancel != nil {
			defer acancel()
		}
		if err != nil || actx == nil {
			t.Fatalf("with no overall deadline (ctx.Deadline() reports ok == false) there is no budget to spend, so an "+
				"attempt should start with the full 2s; got %v", err)
		}
		if got := attemptDeadline(t, "with no overall deadline", t.Context(), 2*time.Second, 500*time.Millisecond); got != 2*time.Second {
			t.Errorf("with no overall deadline, an attempt should get the full 2s; it got %v", got)
		}
	})
}

type traceKey struct{}

// TestEx3AttemptFollowsTheCaller: the attempt belongs to the caller's
// request. Cancelling the caller must end it, and it carries the caller's
// values (a trace id, say).
func TestEx3AttemptFollowsTheCaller(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		caller, cancelCaller := context.WithCancel(context.WithValue(t.Context(), traceKey{}, "trace-42"))
		defer cancelCaller()
		overall, cancel := context.WithTimeout(caller, 5*time.Second)
		defer cancel()

		actx, acancel, err := AttemptContext(overall, 2*time.Second, 0)
		if err != nil || actx == nil || acancel == nil {
			t.Fatalf("with 5s left, AttemptContext should start an attempt; got %v, %v", actx, err)
		}
		defer acancel()
		if got, _ := actx.Value(traceKey{}).(string); got != "trace-42" {
			t.Errorf("the attempt's context lost the caller's values (trace id %q, want %q): derive it from ctx", got, "trace-42")
		}
		time.Sleep(time.Second)
		cancelCaller()
		synctest.Wait()
		if actx.Err() == nil {
			t.Errorf("the caller cancelled at 1s, but the attempt's context (with the right deadline) is still alive, so the " +
				"attempt goes on for nobody: is it derived from ctx, not from context.Background() or context.WithoutCancel?")
		}
	})
}

func TestEx3CallerCancelled(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		cancel() // the caller has gone, with plenty of time left

		actx, acancel, err := AttemptContext(overall, 2*time.Second, 200*time.Millisecond)
		refused(t, "the caller has cancelled", actx, acancel, err, context.Canceled)
		if errors.Is(err, ErrBudgetSpent) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the caller cancelled with 5s left: time did not run out, so the error should not match "+
				"ErrBudgetSpent or DeadlineExceeded; got %v", err)
		}
	})
}

// TestEx3CallerCancelledWithoutDeadline: a caller with no overall deadline
// can leave too, and one that leaves can give a cause.
func TestEx3CallerCancelledWithoutDeadline(t *testing.T) {
	started(t)
	errLeft := errors.New("user closed the page")
	for _, tt := range []struct {
		name   string
		cancel func(context.Context) context.Context
	}{
		{"context.WithCancel", func(ctx context.Context) context.Context {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return ctx
		}},
		{"context.WithCancelCause", func(ctx context.Context) context.Context {
			ctx, cancel := context.WithCancelCause(ctx)
			cancel(errLeft)
			return ctx
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.cancel(t.Context())
			actx, acancel, err := AttemptContext(ctx, 2*time.Second, 200*time.Millisecond)
			situation := "the caller, who set no overall deadline, has cancelled"
			if err == nil {
				situation += " (is ctx.Err() looked at only when ctx has a deadline?)"
			}
			if errors.Is(err, errLeft) && !errors.Is(err, context.Canceled) {
				situation += " (that is context.Cause(ctx), the reason the canceller gave, which need not match " +
					"context.Canceled; return ctx.Err())"
			}
			refused(t, situation, actx, acancel, err, context.Canceled)
			if errors.Is(err, ErrBudgetSpent) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the caller cancelled and set no deadline: time did not run out, so the error should not "+
					"match ErrBudgetSpent or DeadlineExceeded; got %v", err)
			}
		})
	}
}

func TestEx3RejectsBadConfig(t *testing.T) {
	started(t)
	for _, tt := range []struct {
		name                  string
		perAttempt, minUseful time.Duration
	}{
		{"zero per-attempt timeout", 0, 0},
		{"negative per-attempt timeout", -time.Second, 0},
		{"negative minimum", time.Second, -time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			actx, cancel, err := AttemptContext(t.Context(), tt.perAttempt, tt.minUseful)
			if cancel != nil {
				cancel()
			}
			if !errors.Is(err, ErrBadBudget) || actx != nil {
				t.Errorf("AttemptContext(%v, %v) = %v, %v; want a nil context and an error matching ErrBadBudget",
					tt.perAttempt, tt.minUseful, actx, err)
			}
		})
	}
}

// TestEx3BoundsARetryLoop runs a retry loop against an op that always
// hangs: 4 attempts of 2s with 100ms backoff would take 8.3s, but the
// caller allowed 5s.
func TestEx3BoundsARetryLoop(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		overall, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()

		var ran []time.Duration
		for range 4 {
			actx, acancel, err := AttemptContext(overall, 2*time.Second, 500*time.Millisecond)
			if err != nil {
				break
			}
			began := time.Now()
			<-actx.Done() // the attempt hangs until its deadline
			acancel()
			ran = append(ran, time.Since(began))
			time.Sleep(100 * time.Millisecond) // backoff
		}

		want := []time.Duration{2 * time.Second, 2 * time.Second, 800 * time.Millisecond}
		if len(ran) != len(want) || ran[0] != want[0] || ran[1] != want[1] || ran[2] != want[2] {
			t.Errorf("attempts ran %v, want %v: two full attempts, a third with the 0.8s left, and no fourth", ran, want)
		}
		if elapsed := time.Since(start); elapsed > 5100*time.Millisecond {
			t.Errorf("the loop took %v; with a 5s budget it should be done by 5.1s (budget + one backoff)", elapsed)
		}
	})
}
