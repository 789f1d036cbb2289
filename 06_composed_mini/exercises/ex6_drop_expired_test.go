package exercises

import (
	"context"
	"testing"
	"time"
)

func init() {
	probes["Serve"] = probe{
		"Serve(queue, serviceTime) works through the requests in order, dropping those whose caller has " +
			"gone and counting the others in time or wasted",
		func() bool {
			return Serve([]context.Context{context.Background()}, 0) == Counts{}
		},
	}
}

// ex6Service is the work each request takes in these tests.
const ex6Service = 100 * time.Millisecond

// deadlines returns one context per offset from now, each with its
// deadline that far ahead (0: no deadline), and a function that cancels
// them all.
func deadlines(t *testing.T, offsets ...time.Duration) ([]context.Context, func()) {
	t.Helper()
	var ctxs []context.Context
	var cancels []context.CancelFunc
	for _, d := range offsets {
		ctx, cancel := context.WithCancel(t.Context())
		if d > 0 {
			ctx, cancel = context.WithTimeout(t.Context(), d)
		}
		ctxs, cancels = append(ctxs, ctx), append(cancels, cancel)
	}
	return ctxs, func() {
		for _, c := range cancels {
			c()
		}
	}
}

// serve runs Serve and returns its counts and how long it took.
func serve(queue []context.Context) (Counts, time.Duration) {
	start := time.Now()
	c := Serve(queue, ex6Service)
	return c, time.Since(start)
}

func TestEx6ServesTheLiving(t *testing.T) {
	started(t, "Serve")
	bubble(t, "", func(t *testing.T) {
		queue, cancel := deadlines(t, time.Second, time.Second, 0)
		defer cancel()
		got, took := serve(queue)
		if want := (Counts{InTime: 3}); got != want {
			t.Errorf("three requests whose callers wait long enough (the last with no deadline at all): "+
				"got %+v, want %+v: a request with no deadline, never cancelled, must be served", got, want)
		}
		if took != 3*ex6Service {
			t.Errorf("serving three requests took %v, want %v: each takes serviceTime on the one worker", took, 3*ex6Service)
		}
	})
}

// The classic picture: four requests queued at once, the first three
// with callers who wait 150ms, the last with one who waits a second.
//
//	request 1: served 0-100ms           in time
//	request 2: alive at 100ms, done 200 wasted (its caller left at 150)
//	request 3: expired at 200ms         shed, at no cost
//	request 4: served 200-300ms         in time
func TestEx6ShedsWhatExpired(t *testing.T) {
	started(t, "Serve")
	bubble(t, "", func(t *testing.T) {
		queue, cancel := deadlines(t, 150*time.Millisecond, 150*time.Millisecond, 150*time.Millisecond, time.Second)
		defer cancel()
		got, took := serve(queue)
		want := Counts{InTime: 2, Wasted: 1, Shed: 1}
		switch {
		case got == want && took == 3*ex6Service:
			return
		case got == Counts{InTime: 2, Wasted: 2}:
			t.Errorf("got %+v, want %+v: request 3's caller had left when its turn came at 200ms, "+
				"so a request whose caller has gone must be dropped before any work, not served", got, want)
		case got == want:
			t.Errorf("the counts are right but Serve took %v, want %v: a shed request must cost no time; "+
				"is the worker sleeping before it checks, or for the dropped request too?", took, 3*ex6Service)
		case got == Counts{InTime: 1, Wasted: 1, Shed: 1}:
			t.Errorf("got %+v, want %+v: after shedding request 3 the worker stopped, but request 4's caller "+
				"was still waiting: one shed request must not stop the worker", got, want)
		case got == Counts{InTime: 3, Shed: 1}:
			t.Errorf("got %+v, want %+v: request 2 was done at 200ms, after its caller left at 150ms: "+
				"whether the answer is in time is decided when the work is done, not when it starts", got, want)
		case got == Counts{InTime: 2, Shed: 2}:
			t.Errorf("got %+v, want %+v: request 2's caller was still waiting when its turn came at 100ms; "+
				"drop only requests whose caller has already gone (a guess that one will finish late "+
				"is another policy)", got, want)
		default:
			t.Errorf("got %+v in %v, want %+v in %v (request 1 in time, 2 wasted, 3 shed, 4 in time)",
				got, took, want, 3*ex6Service)
		}
	})
}

func TestEx6CancelledCallerHasGone(t *testing.T) {
	started(t, "Serve")
	bubble(t, "", func(t *testing.T) {
		queue, cancel := deadlines(t, 0, 0)
		defer cancel()
		gone, leave := context.WithCancel(t.Context())
		leave() // this caller cancelled before its turn, and has no deadline
		queue = append([]context.Context{queue[0], gone}, queue[1])
		got, took := serve(queue)
		if want := (Counts{InTime: 2, Shed: 1}); got != want || took != 2*ex6Service {
			t.Errorf("a caller who cancelled (no deadline) between two others: got %+v in %v, want %+v in %v: "+
				"a cancelled caller has gone too; check ctx.Err(), not only the deadline", got, took, want, 2*ex6Service)
		}
	})
}

func TestEx6EverythingExpired(t *testing.T) {
	started(t, "Serve")
	bubble(t, "", func(t *testing.T) {
		queue, cancel := deadlines(t, time.Millisecond, time.Millisecond, time.Millisecond)
		defer cancel()
		time.Sleep(10 * time.Millisecond)
		got, took := serve(queue)
		if want := (Counts{Shed: 3}); got != want || took != 0 {
			t.Errorf("three requests whose callers left before the worker started: got %+v in %v, want %+v "+
				"in 0s: none of them is worth any work", got, took, want)
		}
	})
}
