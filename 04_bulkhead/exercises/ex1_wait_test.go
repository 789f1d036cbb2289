package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"reliability/04_bulkhead/bulkhead"
)

func TestEx1RunsOpAndReturnsItsError(t *testing.T) {
	started(t, "Semaphore")
	type key struct{}
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(2)
		ctx := context.WithValue(t.Context(), key{}, "caller")
		for _, want := range []error{errDown, nil} {
			ran := false
			var seen any
			err := s.Execute(ctx, func(ctx context.Context) error { ran, seen = true, ctx.Value(key{}); return want })
			if !ran {
				t.Fatalf("with every slot free, Execute should run op; op did not run and Execute returned %v", err)
			}
			if err != want {
				t.Fatalf("Execute should return op's error unchanged (%v), got %v", want, err)
			}
			if seen != "caller" {
				t.Fatalf("op should get the caller's context")
			}
		}
	})
}

func TestEx1AtMostNAtOnce(t *testing.T) {
	started(t, "Semaphore")
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(3)
		var calls []*call
		for range 6 {
			calls = append(calls, start(t, t.Context(), s.Execute))
		}
		if n := countInside(calls); n != 3 {
			t.Fatalf("6 callers at once on NewSemaphore(3): at most 3 ops should run at once, and 3 should "+
				"(the others wait for a slot), but %d are running. Is a slot taken for the whole of op, "+
				"and freed only when op returns?", n)
		}
		for _, c := range calls {
			if err, done := c.returned(); done && !c.inside() {
				t.Fatalf("a caller that finds every slot taken should wait for one, but Execute returned %v at once", err)
			}
		}
		// Each op that finishes lets one waiter in, until all have run.
		for finished := 0; finished < 6; {
			for _, c := range calls {
				if c.running() {
					if err := c.finish(); err != nil {
						t.Fatalf("op returned nil, so Execute should too, got %v", err)
					}
					finished++
					break
				}
			}
			if want := min(3, 6-finished); countInside(calls) != want && finished < 6 {
				t.Fatalf("after %d of 6 ops finished, %d should be running (a freed slot goes to a waiter), got %d",
					finished, want, countInside(calls))
			}
		}
	})
}

func TestEx1WaitsForAFreeSlot(t *testing.T) {
	started(t, "Semaphore")
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(1)
		holder := start(t, t.Context(), s.Execute)
		mustRun(t, holder, "the first call")
		begin := time.Now()
		waiter := start(t, t.Context(), s.Execute)
		if err, done := waiter.returned(); done {
			t.Fatalf("with the only slot taken, Execute should wait for it while ctx lives; it returned %v at once", err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := holder.finish(); err != nil {
			t.Fatalf("op returned nil, so Execute should too, got %v", err)
		}
		synctest.Wait()
		if !waiter.inside() {
			t.Fatalf("the slot was freed after %v, so the waiting call's op should run now, but it has not started", time.Since(begin))
		}
		if err := waiter.finish(); err != nil {
			t.Fatalf("op returned nil, so Execute should too, got %v", err)
		}
	})
}

func TestEx1CallerWhoGivesUpIsNotRefused(t *testing.T) {
	started(t, "Semaphore")
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(1)
		holder := start(t, t.Context(), s.Execute)
		mustRun(t, holder, "the first call")

		errGone := errors.New("client hung up")
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(200*time.Millisecond, func() { cancel(errGone) })
		waiter := start(t, ctx, s.Execute)
		if err, done := waiter.returned(); done {
			t.Fatalf("with the only slot taken, Execute should wait for it while ctx lives; it returned %v at once", err)
		}
		time.Sleep(200 * time.Millisecond) // the caller cancels now
		err, done := waiter.returned()
		switch {
		case !done:
			t.Fatalf("the caller cancelled its context at 200ms, but Execute is still waiting after its context " +
				"ended: wait with a select that also watches ctx.Done()")
		case waiter.inside():
			t.Fatalf("op ran although the caller's context ended while it waited for a slot")
		case errors.Is(err, bulkhead.ErrBulkheadFull):
			t.Fatalf("the caller cancelled its own context; the error must not match bulkhead.ErrBulkheadFull "+
				"(got %q): a dashboard would count a caller who left as a bulkhead rejection", err)
		case !errors.Is(err, context.Canceled):
			t.Fatalf("the caller cancelled, so the error should match context.Canceled (ctx.Err()) with errors.Is, got %v", err)
		case !errors.Is(err, errGone):
			t.Fatalf("the caller cancelled with a cause; the error should match the cause (context.Cause(ctx)) "+
				"with errors.Is too, got %q", err)
		}

		// The holder still runs: a new caller must wait. If it gets in, the
		// caller who gave up freed a slot it never had.
		next := start(t, t.Context(), s.Execute)
		synctest.Wait()
		if next.inside() {
			t.Fatalf("the caller who gave up waiting freed a slot it never took: with the only slot still held, " +
				"a new caller got in. Free a slot only once you have it (defer the release after the select " +
				"that takes the slot)")
		}
		if err := holder.finish(); err != nil {
			t.Fatalf("op returned nil, so Execute should too, got %v", err)
		}
		synctest.Wait()
		if !next.inside() {
			t.Fatalf("after the only op finished, the slot should be free for the next caller, but it waits: " +
				"did the caller who gave up keep a slot?")
		}
	})
}

func TestEx1CallerDeadlineIsNotRefusal(t *testing.T) {
	started(t, "Semaphore")
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(1)
		mustRun(t, start(t, t.Context(), s.Execute), "the first call")
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		waiter := start(t, ctx, s.Execute)
		time.Sleep(100 * time.Millisecond)
		err, done := waiter.returned()
		switch {
		case !done:
			t.Fatalf("the caller's deadline passed at 100ms, but Execute is still waiting after its context " +
				"ended: wait with a select that also watches ctx.Done()")
		case errors.Is(err, bulkhead.ErrBulkheadFull):
			t.Fatalf("the caller's own deadline passed; the error must not match bulkhead.ErrBulkheadFull (got %q)", err)
		case !errors.Is(err, context.DeadlineExceeded):
			t.Fatalf("the caller's deadline passed, so the error should match context.DeadlineExceeded, got %v", err)
		}
	})
}

func TestEx1EndedContextRunsNothing(t *testing.T) {
	started(t, "Semaphore")
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(4)
		ctx := cancelled(t)
		for i := range 100 {
			ran := false
			err := s.Execute(ctx, func(context.Context) error { ran = true; return nil })
			if ran {
				t.Fatalf("call %d of 100: op ran for a caller whose context had already ended, with every slot "+
					"free. When a free slot and ctx.Done() are both ready, select picks one at random: "+
					"check ctx.Err() first", i+1)
			}
			if !isCtxError(ctx, err) || errors.Is(err, bulkhead.ErrBulkheadFull) {
				t.Fatalf("call %d of 100: a caller whose context has ended should get an error matching "+
					"context.Canceled (and not bulkhead.ErrBulkheadFull), got %v", i+1, err)
			}
		}
		var calls []*call
		for range 4 {
			calls = append(calls, start(t, t.Context(), s.Execute))
		}
		if n := countInside(calls); n != 4 {
			t.Fatalf("after 100 callers whose context had ended, all 4 slots should still be free, but only %d of 4 "+
				"new callers got in: a caller who runs nothing took a slot and kept it. Look at ctx.Err() before "+
				"taking a slot, or free the slot on every path out", n)
		}
	})
}

func TestEx1PanicFreesTheSlot(t *testing.T) {
	started(t, "Semaphore")
	bubble(t, func(t *testing.T) {
		s := NewSemaphore(1)
		v := panicsWith(func() {
			_ = s.Execute(t.Context(), func(context.Context) error { panic("boom") })
		})
		if v != "boom" {
			t.Fatalf("a panic in op should go on up to the caller with the same value, got %v", v)
		}
		next := start(t, t.Context(), s.Execute)
		synctest.Wait()
		if !next.inside() {
			t.Fatalf("after op panicked, its slot should be free again, but the next call is waiting for it: " +
				"free the slot with defer, so it happens even when op panics")
		}
	})
}

func TestEx1ZeroMeansOne(t *testing.T) {
	started(t, "Semaphore")
	for _, n := range []int{0, -5} {
		bubble(t, func(t *testing.T) {
			var s *Semaphore
			if v := panicsWith(func() { s = NewSemaphore(n) }); v != nil {
				t.Fatalf("NewSemaphore(%d) panicked (%v); an n below 1 should mean 1 slot. make(chan T, n) panics "+
					"for a negative n: raise n to 1 first, max(n, 1)", n, v)
			}
			calls := []*call{start(t, t.Context(), s.Execute), start(t, t.Context(), s.Execute)}
			if got := countInside(calls); got != 1 {
				t.Fatalf("NewSemaphore(%d) should mean 1 slot: of 2 callers, 1 op should run and the other wait, "+
					"but %d are running. (A channel with no buffer has no slot at all.)", n, got)
			}
		})
	}
}
