package exercises

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// An untouched stub, or an answer that still gives what the stub gives
// (errNotImplemented, a zero value, an op never run), has not been
// started: there is no mistake to name yet, only the task. Every test
// calls started with the exercise it checks before anything else, and
// fails at once with the plain expectation while that exercise still
// answers like its stub.

// stubProbe asks an exercise the simplest question there is and reports
// whether it answered like its stub, and says what a started answer does.
type stubProbe struct {
	stubbed func() bool
	want    string
}

// runProbe reports whether execute answered like the bulkheads' stubs:
// with every slot free, it returned nil or errNotImplemented without
// running op.
func runProbe(execute func(context.Context, op) error) bool {
	ran := false
	err := execute(context.Background(), func(context.Context) error { ran = true; return nil })
	return !ran && (err == nil || errors.Is(err, errNotImplemented))
}

var stubProbes = map[string]stubProbe{
	"Semaphore": {
		func() bool { return runProbe(NewSemaphore(2).Execute) },
		"with a slot free, Execute runs op and returns its error; with all n slots taken, " +
			"it waits for one until ctx ends",
	},
	"TryBulkhead": {
		func() bool { return runProbe(NewTryBulkhead(2).TryExecute) },
		"with a slot free, TryExecute runs op and returns its error; with all n slots taken, " +
			"it returns bulkhead.ErrBulkheadFull at once",
	},
	"QueueBulkhead": {
		func() bool { return runProbe(NewQueueBulkhead(2, 1).Execute) },
		"with a slot free, Execute runs op and returns its error; with every slot taken, " +
			"up to maxWaiting callers wait and the rest are refused at once",
	},
	"Isolator": {
		func() bool {
			iso, err := NewIsolator(map[string]int{"db": 1})
			if errors.Is(err, errNotImplemented) {
				return true
			}
			return iso != nil && runProbe(func(ctx context.Context, o op) error { return iso.Call(ctx, "db", o) })
		},
		`NewIsolator(map[string]int{"db": 1}) makes one compartment per dependency, and ` +
			`Call(ctx, "db", op) runs op in db's compartment and returns its error`,
	},
	"Size": {
		func() bool {
			n, err := Size(Measurement{Calls: 100, Window: time.Second, MeanLatency: 100 * time.Millisecond}, 0)
			return errors.Is(err, errNotImplemented) || (n == 0 && err == nil)
		},
		"Little's law, L = λ × W: 100 calls in 1s, each holding its slot 100ms, " +
			"need 10 slots (Size returns 10, nil), plus headroomPercent on top",
	},
}

// started fails t at once while name, the exercise the test checks, still
// answers like its stub. The probe runs in a bubble of its own, so that
// an answer that waits costs no real time; one that panics, deadlocks or
// answers otherwise counts as started, and the test itself says what went
// wrong; one stuck on a lock meets bubble's watchdog. Call it first in the
// test, outside any bubble.
func started(t *testing.T, name string) {
	t.Helper()
	p, ok := stubProbes[name]
	if !ok {
		panic("no probe for " + name)
	}
	began := time.Now()
	watchdog := time.AfterFunc(stuckAfter, func() { failStuck(t.Name(), time.Since(began), stuckWhy) })
	defer watchdog.Stop()
	stub := false
	func() {
		defer func() { _ = recover() }() // a deadlock in the bubble
		synctest.Test(t, func(*testing.T) {
			defer func() { _ = recover() }() // a panic in the answer
			stub = p.stubbed()
		})
	}()
	if stub {
		t.Fatalf("not started: %s still answers like its stub. Want: %s.", name, p.want)
	}
}
