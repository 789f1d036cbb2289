package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"reliability/04_bulkhead/bulkhead"
)

func TestEx2RunsOpAndReturnsItsError(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(2)
		for _, want := range []error{errDown, nil} {
			ran := false
			err := b.TryExecute(t.Context(), func(context.Context) error { ran = true; return want })
			if !ran {
				t.Fatalf("with every slot free, TryExecute should run op; op did not run and TryExecute returned %v", err)
			}
			if err != want {
				t.Fatalf("TryExecute should return op's error unchanged (%v), got %v", want, err)
			}
			if got := b.InFlight(); got != 0 {
				t.Fatalf("after op returned %v, its slot should be free again and InFlight 0, got %d: free the "+
					"slot however op ends, with an error as much as with nil (defer)", want, got)
			}
		}
	})
}

func TestEx2RefusesAtOnceWhenFull(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(2)
		first := start(t, t.Context(), b.TryExecute)
		mustRun(t, first, "the first call")
		mustRun(t, start(t, t.Context(), b.TryExecute), "the second call")

		begin := time.Now()
		third := start(t, t.Context(), b.TryExecute)
		err, done := third.returned()
		switch {
		case !done:
			t.Fatalf("TryExecute waited for a slot with both slots taken; it must never wait but refuse at " +
				"once: give the select a default case")
		case third.inside():
			t.Fatalf("with both slots taken, TryExecute ran op anyway: at most 2 may run at once")
		case !errors.Is(err, bulkhead.ErrBulkheadFull):
			t.Fatalf("with both slots taken, TryExecute should return an error that matches "+
				"bulkhead.ErrBulkheadFull with errors.Is, got %v", err)
		case time.Since(begin) != 0:
			t.Fatalf("a refusal should come at once, it took %v", time.Since(begin))
		}

		if err := first.finish(); err != nil {
			t.Fatalf("op returned nil, so TryExecute should too, got %v", err)
		}
		mustRun(t, start(t, t.Context(), b.TryExecute), "a call after one op finished")
	})
}

func TestEx2ExactlyNRunAtOnce(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(3)
		var calls []*call
		refused := 0
		for range 10 {
			c := start(t, t.Context(), b.TryExecute)
			calls = append(calls, c)
			if err, done := c.returned(); done && errors.Is(err, bulkhead.ErrBulkheadFull) {
				refused++
			}
		}
		if n := countInside(calls); n != 3 || refused != 7 {
			t.Fatalf("10 calls, one after the other, with every op still running, on NewTryBulkhead(3): "+
				"exactly 3 should run and 7 be refused with bulkhead.ErrBulkheadFull; got %d running and "+
				"%d refused", n, refused)
		}
	})
}

func TestEx2InFlight(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(2)
		if got := b.InFlight(); got != 0 {
			t.Fatalf("InFlight should be 0 before any call, got %d", got)
		}
		first := start(t, t.Context(), b.TryExecute)
		mustRun(t, first, "the first call")
		if got := b.InFlight(); got != 1 {
			t.Fatalf("InFlight should be 1 with one op running, got %d", got)
		}
		second := start(t, t.Context(), b.TryExecute)
		mustRun(t, second, "the second call")
		_ = b.TryExecute(t.Context(), func(context.Context) error { return nil }) // refused
		if got := b.InFlight(); got != 2 {
			t.Fatalf("InFlight should be 2 with two ops running (a refused call takes no slot), got %d", got)
		}
		_ = first.finish()
		_ = second.finish()
		if got := b.InFlight(); got != 0 {
			t.Fatalf("InFlight should be back to 0 once every op has returned, got %d", got)
		}
	})
}

func TestEx2PanicFreesTheSlot(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(1)
		v := panicsWith(func() {
			_ = b.TryExecute(t.Context(), func(context.Context) error { panic("boom") })
		})
		if v != "boom" {
			t.Fatalf("a panic in op should go on up to the caller with the same value, got %v", v)
		}
		if got := b.InFlight(); got != 0 {
			t.Fatalf("after op panicked, InFlight should be 0, got %d: free the slot with defer", got)
		}
		ran := false
		err := b.TryExecute(t.Context(), func(context.Context) error { ran = true; return nil })
		if !ran {
			t.Fatalf("after op panicked its slot should be free again, but the next call was refused (%v): "+
				"free the slot with defer, so it happens even when op panics", err)
		}
	})
}

func TestEx2EndedContextRunsNothing(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(1)
		ctx := cancelled(t)
		for _, full := range []bool{false, true} {
			if full {
				mustRun(t, start(t, t.Context(), b.TryExecute), "the call that fills the bulkhead")
			}
			ran := false
			err := b.TryExecute(ctx, func(context.Context) error { ran = true; return nil })
			if ran {
				t.Fatalf("op ran for a caller whose context had already ended: it would work for nobody")
			}
			if !isCtxError(ctx, err) || errors.Is(err, bulkhead.ErrBulkheadFull) {
				t.Fatalf("a caller whose context has already ended (bulkhead full: %v) should get an error matching "+
					"context.Canceled and not bulkhead.ErrBulkheadFull, got %v", full, err)
			}
			if want := map[bool]int{false: 0, true: 1}[full]; b.InFlight() != want {
				t.Fatalf("a caller whose context had ended ran nothing but took a slot and kept it (InFlight %d, want %d): "+
					"look at ctx.Err() before taking a slot, or free the slot on every path out", b.InFlight(), want)
			}
		}
		synctest.Wait()
	})
}

func TestEx2ZeroMeansOne(t *testing.T) {
	started(t, "TryBulkhead")
	for _, n := range []int{0, -1} {
		bubble(t, func(t *testing.T) {
			b := NewTryBulkhead(n)
			c := start(t, t.Context(), b.TryExecute)
			synctest.Wait()
			if !c.running() {
				err, _ := c.returned()
				t.Fatalf("NewTryBulkhead(%d) should mean 1 slot, so the first call should run, but it got %v. "+
					"(A channel with no buffer has no slot at all.)", n, err)
			}
			if err := b.TryExecute(t.Context(), func(context.Context) error { return nil }); !errors.Is(err, bulkhead.ErrBulkheadFull) {
				t.Fatalf("NewTryBulkhead(%d) should mean 1 slot, so a second call should be refused, got %v", n, err)
			}
		})
	}
}

// A caller that looks at how many slots are taken (len of a channel) and
// then takes one in a second step can be overtaken in between: a rival
// takes the last free slot, and the send that follows, which should never
// wait, waits. The test arms len (see lenhook_test.go) to let a rival in
// at exactly that moment, so the mistake shows every time, with or
// without -race. Taking the slot in one step, a select with a default
// case, leaves no moment to be overtaken in.
func TestEx2CheckAndTakeAreOneStep(t *testing.T) {
	started(t, "TryBulkhead")
	bubble(t, func(t *testing.T) {
		b := NewTryBulkhead(2)
		mustRun(t, start(t, t.Context(), b.TryExecute), "the call that takes the first slot")

		caller, rival := overtake(
			func() *call { return start(t, t.Context(), b.TryExecute) },
			func() *call { return start(t, t.Context(), b.TryExecute) })
		err, done := caller.returned()
		if !done && !caller.inside() {
			if rival != nil {
				t.Fatalf("TryExecute looked at len of its channel, a rival took the last free slot before it " +
					"went on, and then it waited for a slot: it must never wait. Checking len(ch) and then " +
					"sending in a separate step lets another caller in between: take the slot in one step, " +
					"with a select that has a default case")
			}
			t.Fatalf("with a slot free, TryExecute neither ran op nor returned: it must never wait")
		}
		if rival == nil {
			if !caller.inside() {
				t.Fatalf("with one of 2 slots free, TryExecute should run op, got %v", err)
			}
			return
		}
		switch inside := countInside([]*call{caller, rival}); {
		case inside > 1:
			t.Fatalf("with one slot free, TryExecute and a rival both ran op: at most 2 may run at once")
		case inside == 0:
			t.Fatalf("with one slot free, neither TryExecute nor the rival that came in while it was " +
				"deciding ran op: one of them should have the slot")
		case !caller.inside() && !errors.Is(err, bulkhead.ErrBulkheadFull):
			t.Fatalf("a rival took the last free slot while TryExecute was deciding; it should then be "+
				"refused with bulkhead.ErrBulkheadFull, got %v", err)
		}
	})
}

// A crowd arrives at once, round after round, at a bulkhead with one free
// slot. Exactly one caller may get it, and every other must be refused at
// once. TestEx2CheckAndTakeAreOneStep catches a check and a take in two
// steps when the check is a len of a channel; this test is the net for the
// other ways to split them (a counter read and then changed, say), which
// only the scheduler or the race detector can catch:
//
//	go test -race -count=5 -run Ex2Crowd ./04_bulkhead/exercises/
func TestEx2CrowdNeverWaits(t *testing.T) {
	started(t, "TryBulkhead")
	const crowd = 32
	bubble(t, func(t *testing.T) {
		for round := range 200 {
			b := NewTryBulkhead(2)
			mustRun(t, start(t, t.Context(), b.TryExecute), "the call that takes the first slot")
			gate := make(chan struct{})
			calls := make([]*call, crowd)
			for i := range calls {
				calls[i] = start(t, t.Context(), func(ctx context.Context, op op) error {
					<-gate
					return b.TryExecute(ctx, op)
				})
			}
			synctest.Wait()
			close(gate) // all at once
			waiting, refused := 0, 0
			for _, c := range calls {
				err, done := c.returned()
				switch {
				case !done && !c.inside():
					waiting++
				case done && errors.Is(err, bulkhead.ErrBulkheadFull):
					refused++
				}
			}
			if waiting > 0 {
				t.Fatalf("round %d: %d of %d callers arriving at once were left waiting for a slot; TryExecute "+
					"must never wait. Checking len(ch) and then sending in a separate step lets two callers "+
					"both see the last slot free: use one select with a default case", round, waiting, crowd)
			}
			if refused != crowd-1 {
				t.Fatalf("round %d: %d callers arrived at once for the one free slot; %d should be refused, got %d",
					round, crowd, crowd-1, refused)
			}
			for _, c := range calls {
				c.let()
			}
			synctest.Wait()
		}
	})
}
