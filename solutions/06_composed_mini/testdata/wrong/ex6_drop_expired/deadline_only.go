// Mistake: looks only at the deadline, so a caller who cancelled is still served.
// Caught: "a cancelled caller has gone too"
package exercises

import (
	"context"
	"time"
)

// Counts is what Serve did with the requests it was given.
type Counts struct {
	InTime int // served, and the caller was still waiting when it was done
	Wasted int // served, but the caller had gone by the time it was done
	Shed   int // dropped before any work, the caller already gone
}

// Exercise 6: a server that drops expired work.
//
// A server whose callers time out while their requests wait in its queue
// still works on those requests, unless it looks first: every answer it
// then produces goes to a caller who has left, and the work the next
// callers wait for is stuck behind it. Serve is one worker in front of a
// queue, and it looks first:
//
//   - it takes the requests in order; each is its caller's context;
//   - before working on a request it checks that context: if it has ended
//     (its deadline has passed, or its caller cancelled it), the request
//     is shed: dropped, at no cost, and the worker goes on to the next;
//   - otherwise it works on it for serviceTime (time.Sleep: like most
//     real work, the work does not stop when the caller leaves), then
//     counts it InTime if the context is still alive, Wasted if not;
//   - a request with no deadline, never cancelled, is always served;
//   - Serve returns the counts once every request has been dealt with.
//
// Hint: ctx.Err() answers both questions, "has the caller gone?" before
// the work and "is the caller still there?" after it, and covers a
// deadline and a cancellation alike.
//
// Run: go test -run Ex6 ./06_composed_mini/exercises/
func Serve(queue []context.Context, serviceTime time.Duration) Counts {
	var c Counts
	for _, ctx := range queue {
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			c.Shed++
			continue
		}
		time.Sleep(serviceTime)
		if ctx.Err() != nil {
			c.Wasted++
		} else {
			c.InTime++
		}
	}
	return c
}
