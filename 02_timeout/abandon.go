package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky"
	"reliability/flaky/narrate"
)

// wrapper is one way of putting a timeout around a call.
type wrapper struct {
	name string
	do   func(context.Context, time.Duration, func(context.Context) error) error
}

var wrappers = []wrapper{
	{"timeout.Do", timeout.Do},
	{"DoStdlib", timeout.DoStdlib},
	{"plain idiom", callAndWait},
}

// callAndWait is the standard idiom, with no goroutine: it gives op a
// deadline and waits for op, however long op takes.
func callAndWait(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return op(ctx)
}

// settle is the pause between two looks at a count that is still moving.
const settle = time.Millisecond

// settled returns count once it has stopped changing, giving goroutines
// that were told to stop the chance to exit first: cancellation is not
// instantaneous, a goroutine has to be scheduled to see its context end.
// It gives up after 50 looks and returns the last value.
//
// Settling hides that wind-down on purpose, to count what is left for good;
// it is short here because the flaky service returns the moment its context
// ends. An op with real clean-up to do would still be running for a while
// after Do returned, which leak_test.go in package timeout shows.
func settled(count func() int) int {
	last := count()
	for range 50 {
		time.Sleep(settle)
		n := count()
		if n == last {
			return n
		}
		last = n
	}
	return last
}

// abandonResult is what one batch of timed-out calls left behind.
type abandonResult struct {
	returnedAfter   time.Duration // when the slowest wrapper returned
	timeouts        int           // calls that returned a deadline error
	extraGoroutines int           // goroutines alive after every call returned, above the count before
	stillWorking    int           // dependency calls in flight after every call returned
	canceled        int           // dependency calls that stopped because their context ended
	finishedLater   int           // dependency calls that ran to the end after their caller had gone
	drainedAfter    time.Duration // when the last dependency call ended
}

// abandon makes calls concurrent calls to svc, each through w with timeout
// d, waits until every call has returned, and counts what is still running,
// goroutines included (counted by goroutines). Then it waits for the
// dependency to finish on its own schedule.
func abandon(w wrapper, svc *flaky.Service, calls int, d time.Duration, goroutines func() int) abandonResult {
	before := goroutines()
	start := time.Now()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		timeouts int
	)
	for range calls {
		wg.Go(func() {
			if err := w.do(context.Background(), d, svc.Call); errors.Is(err, context.DeadlineExceeded) {
				mu.Lock()
				timeouts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	r := abandonResult{returnedAfter: time.Since(start), timeouts: timeouts}

	r.extraGoroutines = settled(goroutines) - before
	st := svc.Stats()
	r.stillWorking = st.InFlight
	r.canceled = st.Canceled
	finished := st.Successes + st.Failures

	for svc.Stats().InFlight > 0 {
		time.Sleep(settle)
	}
	r.drainedAfter = time.Since(start)
	st = svc.Stats()
	r.finishedLater = st.Successes + st.Failures - finished
	return r
}

// abandonTable runs every wrapper against a fresh dependency and prints the
// results, one column per wrapper so that the table stays narrow whatever
// the numbers. It returns the results in the order of wrappers.
func abandonTable(n *narrate.Narrator, c config, ignoreContext bool, goroutines func() int) []abandonResult {
	header := []string{""}
	var results []abandonResult
	for _, w := range wrappers {
		header = append(header, w.name)
		results = append(results, abandon(w, c.service(ignoreContext), c.calls, c.timeout, goroutines))
	}
	rows := [][]string{
		{"returned after"}, {"deadline errors"}, {"goroutines left"}, {"dependency working"},
		{"cancelled"}, {"finished for nobody"}, {"the last of them at"},
	}
	for _, r := range results {
		last := "-"
		if r.finishedLater > 0 {
			last = ms(r.drainedAfter)
		}
		for i, cell := range []string{
			ms(r.returnedAfter),
			fmt.Sprintf("%d of %d", r.timeouts, c.calls),
			fmt.Sprintf("%+d", r.extraGoroutines),
			fmt.Sprint(r.stillWorking),
			fmt.Sprint(r.canceled),
			fmt.Sprint(r.finishedLater),
			last,
		} {
			rows[i] = append(rows[i], cell)
		}
	}
	n.Table(header, rows)
	return results
}
