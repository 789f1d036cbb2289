// Package bulkhead is a hand-rolled bulkhead: a limit on how many calls to
// one dependency may run at once, so that a dependency that turns slow can
// tie up only its own share of goroutines, connections and memory, never
// everyone's.
//
// A Bulkhead has maxConcurrent slots. A call that finds a free slot runs at
// once; a call that finds them all taken waits at most maxWait for one and
// is then refused with ErrBulkheadFull. A caller whose own context ends
// while it waits gets the context's error instead, never ErrBulkheadFull:
// the bulkhead did not refuse that call, the caller left. Keeping the two
// apart is what makes the counters (Stats) worth putting on a dashboard.
//
// Library is the same bulkhead built on golang.org/x/sync/semaphore; both
// satisfy Interface, and one behavioural test table runs over both.
package bulkhead
