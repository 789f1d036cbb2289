package exercises

import (
	"context"
	"errors"
	"testing"
	"time"

	"reliability/04_bulkhead/bulkhead"
)

func TestEx3RunsOpAndReturnsItsError(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(1, 1)
		for _, want := range []error{errDown, nil} {
			ran := false
			err := b.Execute(t.Context(), func(context.Context) error { ran = true; return want })
			if !ran {
				t.Fatalf("with every slot free, Execute should run op; op did not run and Execute returned %v", err)
			}
			if err != want {
				t.Fatalf("Execute should return op's error unchanged (%v), got %v", want, err)
			}
		}
	})
}

// mustWait stops the test unless c is waiting: not returned, op not run.
func mustWait(t *testing.T, c *call, what string) {
	t.Helper()
	err, done := c.returned()
	switch {
	case c.inside():
		t.Fatalf("%s: with every slot taken, op should not run yet", what)
	case done:
		t.Fatalf("%s: with every slot taken and room in the line, the caller should wait for a slot, "+
			"but Execute returned %v", what, err)
	}
}

// mustBeRefused stops the test unless c was refused at once with
// bulkhead.ErrBulkheadFull.
func mustBeRefused(t *testing.T, c *call, what string) {
	t.Helper()
	err, done := c.returned()
	switch {
	case c.inside():
		t.Fatalf("%s: op ran, though every slot was taken", what)
	case !done:
		t.Fatalf("%s should be refused at once, but it waits: only maxWaiting callers may wait", what)
	case !errors.Is(err, bulkhead.ErrBulkheadFull):
		t.Fatalf("%s should be refused with an error matching bulkhead.ErrBulkheadFull, got %v", what, err)
	}
}

func mustBeWaiting(t *testing.T, b *QueueBulkhead, want int, when string) {
	t.Helper()
	if got := b.Waiting(); got != want {
		t.Fatalf("%s, Waiting() should be %d, got %d", when, want, got)
	}
}

func TestEx3WaitsWhileTheLineHasRoom(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(1, 2)
		holder := start(t, t.Context(), b.Execute)
		mustRun(t, holder, "the first call")
		first := start(t, t.Context(), b.Execute)
		mustWait(t, first, "the second call")
		second := start(t, t.Context(), b.Execute)
		mustWait(t, second, "the third call")
		mustBeWaiting(t, b, 2, "with 2 callers in line")

		third := start(t, t.Context(), b.Execute)
		if _, done := third.returned(); !done {
			t.Fatalf("with the slot taken and 2 callers already waiting (maxWaiting 2), a fourth caller should " +
				"be refused at once, but it waits too: at most 2 callers should wait")
		}
		mustBeRefused(t, third, "with the slot taken and the line full, the fourth call")
		mustBeWaiting(t, b, 2, "after a refusal, still with 2 callers in line")

		_ = holder.finish()
		if n := countInside([]*call{first, second}); n != 1 {
			t.Fatalf("when the slot is freed, one waiting caller should get it; %d are running", n)
		}
		mustBeWaiting(t, b, 1, "with one of the 2 waiting callers let in")
		_ = first.finish()
		_ = second.finish()
		mustBeWaiting(t, b, 0, "once everyone has run")
	})
}

func TestEx3LeavesTheLineWhenItGetsASlot(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(1, 1)
		holder := start(t, t.Context(), b.Execute)
		mustRun(t, holder, "the first call")
		waiter := start(t, t.Context(), b.Execute)
		mustWait(t, waiter, "the second call")
		_ = holder.finish()
		mustRun(t, waiter, "the waiting call, once the slot is free,")
		if got := b.Waiting(); got != 0 {
			t.Fatalf("a caller who got its slot must leave the line: Waiting() should be back to 0, got %d", got)
		}
		next := start(t, t.Context(), b.Execute)
		mustWait(t, next, "a new caller, with the line empty again,")
	})
}

func TestEx3CallerWhoGivesUpLeavesTheLine(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(1, 1)
		mustRun(t, start(t, t.Context(), b.Execute), "the first call")
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		leaver := start(t, ctx, b.Execute)
		mustWait(t, leaver, "the second call")
		time.Sleep(100 * time.Millisecond) // the caller cancels now
		err, done := leaver.returned()
		switch {
		case !done:
			t.Fatalf("the waiting caller cancelled at 100ms, but Execute is still waiting after its context ended")
		case errors.Is(err, bulkhead.ErrBulkheadFull):
			t.Fatalf("the caller cancelled its own context; the error must not match bulkhead.ErrBulkheadFull "+
				"(got %q): the caller left, the bulkhead refused nothing", err)
		case !isCtxError(ctx, err):
			t.Fatalf("the caller cancelled, so the error should match context.Canceled, got %v", err)
		}
		if got := b.Waiting(); got != 0 {
			t.Fatalf("a caller who gave up must leave the line: Waiting() should be back to 0, got %d", got)
		}
		next := start(t, t.Context(), b.Execute)
		mustWait(t, next, "a new caller, after the one in line gave up,")
	})
}

// A caller who looks at len of a channel, the slots or the line, and then
// sends in a second step can be overtaken in between: a rival takes the
// place it saw free, and the send that follows waits where it must not.
// The test lets a rival in at exactly that moment (see lenhook_test.go),
// so the mistake shows every time. A select with a default case takes a
// place in one step.
func TestEx3CheckAndTakeAreOneStep(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		// The last free slot.
		b := NewQueueBulkhead(2, 1)
		mustRun(t, start(t, t.Context(), b.Execute), "the call that takes the first slot")
		caller, rival := overtake(
			func() *call { return start(t, t.Context(), b.Execute) },
			func() *call { return start(t, t.Context(), b.Execute) })
		if _, done := caller.returned(); !done && !caller.inside() && b.Waiting() == 0 {
			t.Fatalf("Execute looked at len of the slots' channel, a rival took the last free slot before " +
				"it went on, and then it waited for a slot outside the line (Waiting() is 0), where no " +
				"limit counts it. Checking len(ch) and then sending in a separate step lets another " +
				"caller in between: try the slot with a select that has a default case, and go to the " +
				"line only when that fails")
		}
		if rival != nil {
			if n := countInside([]*call{caller, rival}); n != 1 {
				t.Fatalf("with one slot free, Execute and a rival that came in while it was deciding should "+
					"have run op once between them, ran it %d times", n)
			}
		}
	})
	bubble(t, func(t *testing.T) {
		// The last free place in the line.
		b := NewQueueBulkhead(1, 2)
		mustRun(t, start(t, t.Context(), b.Execute), "the call that takes the slot")
		mustWait(t, start(t, t.Context(), b.Execute), "the call that takes the first place in line")
		caller, rival := overtake(
			func() *call { return start(t, t.Context(), b.Execute) },
			func() *call { return start(t, t.Context(), b.Execute) })
		if rival == nil {
			mustWait(t, caller, "with the slot taken and one place left in line, the call")
			return
		}
		if _, done := caller.returned(); !done && !caller.inside() {
			t.Fatalf("Execute looked at len of the line's channel, a rival took the last place in line " +
				"before it went on, and then it waited for a place in a full line instead of being refused " +
				"at once. Checking len(ch) and then sending in a separate step lets another caller in " +
				"between: take a place in line with a select that has a default case")
		}
		mustBeRefused(t, caller, "a call whose place in line a rival took while it was deciding")
		mustBeWaiting(t, b, 2, "with the rival in line")
	})
}

func TestEx3ZeroWaitingNeverWaits(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(2, 0)
		for i := range 2 {
			c := start(t, t.Context(), b.Execute)
			if _, done := c.returned(); done && !c.inside() {
				t.Fatalf("with maxWaiting 0 and a slot free, call %d should run: the line is only for callers "+
					"who find every slot taken", i+1)
			}
		}
		mustBeRefused(t, start(t, t.Context(), b.Execute), "with both slots taken and maxWaiting 0, the third call")
	})
}

func TestEx3LimitsBelowTheMinimum(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		var b *QueueBulkhead
		if v := panicsWith(func() { b = NewQueueBulkhead(0, -3) }); v != nil {
			t.Fatalf("NewQueueBulkhead(0, -3) panicked (%v); a maxConcurrent below 1 should mean 1 and a "+
				"maxWaiting below 0 should mean 0. make(chan T, n) panics for a negative n: raise it first, "+
				"max(maxWaiting, 0)", v)
		}
		first := start(t, t.Context(), b.Execute)
		if _, done := first.returned(); done && !first.inside() {
			t.Fatalf("NewQueueBulkhead(0, -3) should mean 1 slot, so the first call should run")
		}
		mustBeRefused(t, start(t, t.Context(), b.Execute),
			"NewQueueBulkhead(0, -3) should mean 1 slot and nobody waiting, so the second call")
	})
}

func TestEx3PanicFreesTheSlot(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(1, 1)
		v := panicsWith(func() {
			_ = b.Execute(t.Context(), func(context.Context) error { panic("boom") })
		})
		if v != "boom" {
			t.Fatalf("a panic in op should go on up to the caller with the same value, got %v", v)
		}
		next := start(t, t.Context(), b.Execute)
		if _, done := next.returned(); !next.inside() || done {
			t.Fatalf("after op panicked, its slot should be free again, but the next call did not get it: " +
				"free the slot with defer, so it happens even when op panics")
		}
	})
}

func TestEx3EndedContextRunsNothing(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(1, 5)
		ctx := cancelled(t)
		for _, full := range []bool{false, true} {
			if full {
				c := start(t, t.Context(), b.Execute)
				if _, done := c.returned(); !done && !c.inside() {
					t.Fatalf("a caller whose context had ended ran nothing, yet the slot is no longer free for the " +
						"next caller: it took the slot and kept it. Look at ctx.Err() before taking a slot, or free " +
						"the slot on every path out")
				}
				mustRun(t, c, "the call that takes the slot")
			}
			ran := false
			err := b.Execute(ctx, func(context.Context) error { ran = true; return nil })
			if ran {
				t.Fatalf("op ran for a caller whose context had already ended: it would work for nobody")
			}
			if !isCtxError(ctx, err) || errors.Is(err, bulkhead.ErrBulkheadFull) {
				t.Fatalf("a caller whose context has already ended (slot taken: %v) should get an error matching "+
					"context.Canceled and not bulkhead.ErrBulkheadFull, got %v", full, err)
			}
		}
		if got := b.Waiting(); got != 0 {
			t.Fatalf("callers whose context had ended must not stay in line: Waiting() should be 0, got %d", got)
		}
	})
}

func TestEx3Crowd(t *testing.T) {
	started(t, "QueueBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewQueueBulkhead(2, 3)
		var calls []*call
		refused := 0
		for range 20 {
			c := start(t, t.Context(), b.Execute)
			calls = append(calls, c)
			if err, done := c.returned(); done && errors.Is(err, bulkhead.ErrBulkheadFull) {
				refused++
			}
		}
		if n := countInside(calls); n != 2 || b.Waiting() != 3 || refused != 15 {
			t.Fatalf("20 callers, one after another, with no op finishing, on NewQueueBulkhead(2, 3): 2 should "+
				"run, 3 wait and 15 be refused; got %d running, Waiting() %d and %d refused", n, b.Waiting(), refused)
		}
		for done := 0; done < 5; done++ {
			for _, c := range calls {
				if c.running() {
					_ = c.finish()
					break
				}
			}
			if want := min(2, 4-done); countInside(calls) != want {
				t.Fatalf("after %d ops finished, %d should be running (waiters get the freed slots), got %d",
					done+1, want, countInside(calls))
			}
		}
		mustBeWaiting(t, b, 0, "once all 5 admitted callers have run")
	})
}
