package exercises

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"reliability/04_bulkhead/bulkhead"
)

// newIsolator returns NewIsolator(limits) or stops the test.
func newIsolator(t *testing.T, limits map[string]int) *Isolator {
	t.Helper()
	iso, err := NewIsolator(limits)
	if err != nil || iso == nil {
		t.Fatalf("NewIsolator(%v) is a valid configuration and should return an Isolator and no error, got %v", limits, err)
	}
	return iso
}

// to returns a function that calls iso for dep, in the shape start takes.
func to(iso *Isolator, dep string) func(context.Context, op) error {
	return func(ctx context.Context, op op) error { return iso.Call(ctx, dep, op) }
}

// mustBeFull stops the test unless a call to dep is refused at once with
// an error that matches bulkhead.ErrBulkheadFull and names dep.
func mustBeFull(t *testing.T, iso *Isolator, dep, why string) {
	t.Helper()
	c := start(t, t.Context(), to(iso, dep))
	err, done := c.returned()
	switch {
	case c.inside():
		t.Fatalf("%s, a call to %s should be refused, but it ran: each dependency gets only its own slots", why, dep)
	case !done:
		t.Fatalf("%s, a call to %s should be refused at once, but it waits", why, dep)
	case !errors.Is(err, bulkhead.ErrBulkheadFull):
		t.Fatalf("%s, a call to %s should be refused with an error matching bulkhead.ErrBulkheadFull, got %v", why, dep, err)
	case !strings.Contains(err.Error(), dep):
		t.Fatalf("the refusal should name the dependency, so a log line says which one is saturated: "+
			"%q does not mention %q", err, dep)
	}
}

func TestEx4RunsOpAndReturnsItsError(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 1})
		for _, want := range []error{errDown, nil} {
			ran := false
			err := iso.Call(t.Context(), "payments", func(context.Context) error { ran = true; return want })
			if !ran {
				t.Fatalf("with payments' slot free, Call should run op; op did not run and Call returned %v", err)
			}
			if err != want {
				t.Fatalf("Call should return op's error unchanged (%v), got %v", want, err)
			}
		}
	})
}

func TestEx4FullCompartmentLeavesOthersAlone(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 1, "search": 2})
		first := start(t, t.Context(), to(iso, "search"))
		mustRun(t, first, "the first call to search")
		mustRun(t, start(t, t.Context(), to(iso, "search")), "the second call to search")
		mustBeFull(t, iso, "search", "with search's 2 slots taken")

		payments := start(t, t.Context(), to(iso, "payments"))
		if _, done := payments.returned(); done && !payments.inside() {
			t.Fatalf("with search's 2 slots taken, a call to payments should still run: each dependency " +
				"has its own slots, and one full compartment must not affect another")
		}
		mustBeFull(t, iso, "payments", "with payments' only slot taken")
		if a, b := iso.InFlight("search"), iso.InFlight("payments"); a != 2 || b != 1 {
			t.Fatalf("InFlight should be 2 for search and 1 for payments, got %d and %d", a, b)
		}

		_ = first.finish()
		mustRun(t, start(t, t.Context(), to(iso, "search")), "a call to search after one of its ops finished")
		mustBeFull(t, iso, "payments", "with payments' only slot still taken")
	})
}

// TestEx4CheckAndTakeAreOneStep: a compartment's last free slot must go
// to one caller, and the other must be refused at once. Looking at len of
// the compartment's channel and then sending in a second step can be
// overtaken in between; the test lets a rival in at exactly that moment
// (see lenhook_test.go), so the mistake shows every time.
func TestEx4CheckAndTakeAreOneStep(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 2, "search": 1})
		mustRun(t, start(t, t.Context(), to(iso, "payments")), "the call that takes payments' first slot")

		caller, rival := overtake(
			func() *call { return start(t, t.Context(), to(iso, "payments")) },
			func() *call { return start(t, t.Context(), to(iso, "payments")) })
		err, done := caller.returned()
		switch {
		case !done && !caller.inside() && rival != nil:
			t.Fatalf("Call looked at len of payments' channel, a rival took its last free slot before it " +
				"went on, and then it waited for a slot: it must never wait. Checking len(ch) and then " +
				"sending in a separate step lets another caller in between: take the slot in one step, " +
				"with a select that has a default case")
		case !done && !caller.inside():
			t.Fatalf("with one of payments' 2 slots free, Call neither ran op nor returned: it must never wait")
		case rival == nil && !caller.inside():
			t.Fatalf("with one of payments' 2 slots free, Call should run op, got %v", err)
		case rival != nil && countInside([]*call{caller, rival}) != 1:
			t.Fatalf("with one of payments' slots free, Call and a rival that came in while it was deciding "+
				"should have run op once between them, ran it %d times", countInside([]*call{caller, rival}))
		case rival != nil && !caller.inside() && !errors.Is(err, bulkhead.ErrBulkheadFull):
			t.Fatalf("a rival took payments' last free slot while Call was deciding; it should then be "+
				"refused with bulkhead.ErrBulkheadFull, got %v", err)
		}
	})
}

// TestEx4EqualLimitsApart: two dependencies with the same limit still have
// a compartment each.
func TestEx4EqualLimitsApart(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 1, "search": 1})
		mustRun(t, start(t, t.Context(), to(iso, "payments")), "the first call to payments")
		search := start(t, t.Context(), to(iso, "search"))
		if synctest.Wait(); !search.inside() {
			err, _ := search.returned()
			t.Fatalf("payments and search both have 1 slot; with payments' slot taken, a call to search should "+
				"still run, got %v: each dependency needs a compartment of its own, even when the limits are equal", err)
		}
	})
}

func TestEx4EachCompartmentHasItsOwnLimit(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"a": 1, "b": 3, "c": 2})
		for _, dep := range []string{"c", "b", "a"} {
			var calls []*call
			for range 5 {
				calls = append(calls, start(t, t.Context(), to(iso, dep)))
			}
			want := map[string]int{"a": 1, "b": 3, "c": 2}[dep]
			if got := countInside(calls); got != want {
				t.Fatalf("with limits a:1 b:3 c:2, 5 calls to %s at once should run exactly %d (the others "+
					"refused), got %d: each compartment should have its own limit", dep, want, got)
			}
		}
	})
}

func TestEx4UnknownDependency(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 1})
		ran := false
		err := iso.Call(t.Context(), "paymnets", func(context.Context) error { ran = true; return nil })
		if ran || !errors.Is(err, ErrUnknownDependency) {
			t.Fatalf("a call to a dependency with no compartment should not run op and should return an error "+
				"matching ErrUnknownDependency; op ran: %v, error: %v", ran, err)
		}
		var got int
		if v := panicsWith(func() { got = iso.InFlight("paymnets") }); v != nil {
			t.Fatalf("InFlight of an unknown dependency should be 0, but it panicked (%v): look the dependency "+
				"up with the two-value form, v, ok := m[dep], before using what the map holds", v)
		}
		if got != 0 {
			t.Fatalf("InFlight of an unknown dependency should be 0, got %d", got)
		}
	})
}

func TestEx4RejectsBadLimits(t *testing.T) {
	started(t, "Isolator")
	newIsolator(t, map[string]int{"payments": 1, "search": 10})
	for _, c := range []struct {
		limits map[string]int
		what   string
	}{
		{nil, "no dependencies at all (nil map)"},
		{map[string]int{}, "no dependencies at all (empty map)"},
		{map[string]int{"payments": 0}, "a limit below 1 (0)"},
		{map[string]int{"payments": 2, "search": -1}, "a limit below 1 (-1)"},
		{map[string]int{"": 3}, "an empty name"},
	} {
		if _, err := NewIsolator(c.limits); err == nil {
			t.Errorf("NewIsolator(%v) has %s and should return an error", c.limits, c.what)
		}
	}
}

func TestEx4KeepsItsOwnCopyOfTheLimits(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		limits := map[string]int{"a": 1, "b": 1}
		iso := newIsolator(t, limits)
		limits["a"] = 5
		delete(limits, "b")
		limits["c"] = 1
		mustRun(t, start(t, t.Context(), to(iso, "a")), "the first call to a")
		mustBeFull(t, iso, "a", "after changing a's limit in the caller's map to 5 (the Isolator must not see "+
			"changes to the map after NewIsolator), with a's 1 slot taken")
		mustRun(t, start(t, t.Context(), to(iso, "b")), "a call to b, deleted from the caller's map after NewIsolator,")
		if err := iso.Call(t.Context(), "c", func(context.Context) error { return nil }); !errors.Is(err, ErrUnknownDependency) {
			t.Fatalf("c was added to the caller's map after NewIsolator; the Isolator must not see changes "+
				"to the map and should call c unknown, got %v", err)
		}
	})
}

func TestEx4PanicFreesTheSlot(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 1})
		v := panicsWith(func() {
			_ = iso.Call(t.Context(), "payments", func(context.Context) error { panic("boom") })
		})
		if v != "boom" {
			t.Fatalf("a panic in op should go on up to the caller with the same value, got %v", v)
		}
		ran := false
		err := iso.Call(t.Context(), "payments", func(context.Context) error { ran = true; return nil })
		if !ran {
			t.Fatalf("after op panicked its slot should be free again, but the next call was refused (%v): "+
				"free the slot with defer, so it happens even when op panics", err)
		}
	})
}

func TestEx4EndedContextRunsNothing(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		iso := newIsolator(t, map[string]int{"payments": 1})
		ctx := cancelled(t)
		for _, full := range []bool{false, true} {
			if full {
				mustRun(t, start(t, t.Context(), to(iso, "payments")), "the call that fills payments")
			}
			ran := false
			err := iso.Call(ctx, "payments", func(context.Context) error { ran = true; return nil })
			if ran {
				t.Fatalf("op ran for a caller whose context had already ended: it would work for nobody")
			}
			if !isCtxError(ctx, err) || errors.Is(err, bulkhead.ErrBulkheadFull) {
				t.Fatalf("a caller whose context has already ended (payments full: %v) should get an error "+
					"matching context.Canceled and not bulkhead.ErrBulkheadFull, got %v", full, err)
			}
			if want := map[bool]int{false: 0, true: 1}[full]; iso.InFlight("payments") != want {
				t.Fatalf("a caller whose context had ended ran nothing but took a slot and kept it (InFlight %d, "+
					"want %d): look at ctx.Err() before taking a slot, or free the slot on every path out",
					iso.InFlight("payments"), want)
			}
		}
	})
}

// Many goroutines call different dependencies at once. Run with -race: a
// map written after NewIsolator (for example, compartments made on first
// use) is a data race.
func TestEx4SafeForConcurrentUse(t *testing.T) {
	started(t, "Isolator")
	bubble(t, func(t *testing.T) {
		deps := []string{"a", "b", "c", "d"}
		iso := newIsolator(t, map[string]int{"a": 2, "b": 2, "c": 2, "d": 2})
		var wg sync.WaitGroup
		var mu sync.Mutex
		ran := map[string]int{}
		for i := range 64 {
			wg.Go(func() {
				dep := deps[i%len(deps)]
				if iso.Call(t.Context(), dep, func(context.Context) error { return nil }) == nil {
					mu.Lock()
					ran[dep]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, dep := range deps {
			if ran[dep] == 0 {
				t.Fatalf("16 calls to %s, none of them overlapping for long, and none ran", dep)
			}
			if got := iso.InFlight(dep); got != 0 {
				t.Fatalf("after every call returned, InFlight(%q) should be 0, got %d", dep, got)
			}
		}
	})
}
