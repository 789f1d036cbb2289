package main

import (
	"bytes"
	"container/heap"
	"fmt"
	"maps"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The demo runs on a virtual clock, so that its numbers are the same on
// every machine, however busy, and a run takes a fraction of a second.
//
// A sim is a small discrete-event simulation. Events (a request arrives,
// a dependency answers, a deadline passes) are kept in time order; run
// takes the next one, moves the clock to its time and runs it. The calls
// themselves run on goroutines of their own, through the real bulkheads,
// which block them the way they block any caller: queued for a slot, or
// waiting inside a dependency for its answer. Before the next event, run
// waits until every one of those goroutines is parked again or has
// finished, so each event's consequences (a slot handed to the oldest
// waiter, a caller leaving the queue) are complete before anything else
// happens, and nothing ever depends on how fast the machine is.
//
// That is the rule testing/synctest applies inside its bubbles, but
// synctest runs only inside a test (it needs a *testing.T), so settle
// checks the rule by hand: it reads every goroutine's state from
// runtime.Stack and waits until each call's goroutine is blocked in a
// select. Every place a call can block here is a select: in a bulkhead's
// queue, in semaphore.Weighted's queue, and in the simulated dependency;
// and every one of them is woken only by what an event does: an answer
// sent, a context cancelled, a slot handed over by a call that leaves.
// Counting the calls is not enough, which is why the stacks are read: the
// twin counts a caller as waiting a moment before it is in Weighted's
// queue, and a moment after a slot has been handed to it.
//
// A bulkhead's own maxWait timer is the one thing the loop does not
// drive. The demo's bulkheads either never wait or wait a minute, longer
// than any caller's deadline, so that timer never fires while a run
// lasts; the scenario checks that it did not.
type sim struct {
	now   atomic.Int64 // nanoseconds since the start of the run
	queue eventQueue
	seq   int

	// quiet, if set, is a cheap test that settle tries before reading
	// the stacks: given how many goroutines spawn has started, it must
	// hold whenever they are all parked or finished.
	quiet func(spawned int) bool
	// afterEach runs after every event, once the calls have settled.
	afterEach func()

	actors  sync.WaitGroup
	mu      sync.Mutex
	spawned int            // goroutines started by spawn
	started int            // of those, how many are running
	live    map[int64]bool // the running ones' goroutine ids
}

// Event ranks order events due at the same instant: the timeline's samples
// see the state just before that instant, callers leave (answered or out
// of time) before new ones arrive, so a slot given back at t is there for
// a caller arriving at t.
const (
	rankSample = iota
	rankLeave
	rankArrive
)

type event struct {
	at   time.Duration
	rank int
	seq  int // scheduling order, the last tie-breaker
	// fn does what happens at the event, and reports whether that may
	// have woken or started a goroutine, which the loop then waits for.
	fn func() (woke bool)
}

// eventQueue is a min-heap of events by (at, rank, seq).
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.seq < b.seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func newSim() *sim { return &sim{live: map[int64]bool{}} }

// Now is the virtual time since the start of the run. Calls read it; only
// the event loop moves it, while every call is parked.
func (s *sim) Now() time.Duration { return time.Duration(s.now.Load()) }

// at schedules fn at virtual time t. Only the event loop calls it.
func (s *sim) at(t time.Duration, rank int, fn func() (woke bool)) {
	s.seq++
	heap.Push(&s.queue, &event{at: t, rank: rank, seq: s.seq, fn: fn})
}

// spawn runs fn on a goroutine of its own that the loop waits for. Only
// the event loop calls it.
func (s *sim) spawn(fn func()) {
	s.mu.Lock()
	s.spawned++
	s.mu.Unlock()
	s.actors.Add(1)
	go s.actor(fn)
}

func (s *sim) actor(fn func()) {
	id := goroutineID()
	s.mu.Lock()
	s.started++
	s.live[id] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.live, id)
		s.mu.Unlock()
		s.actors.Done()
	}()
	fn()
}

// run runs the events in order until none is left, then waits for the
// goroutines spawned on the way to finish.
func (s *sim) run() {
	for s.queue.Len() > 0 {
		ev := heap.Pop(&s.queue).(*event)
		s.now.Store(int64(ev.at))
		if ev.fn() {
			s.settle()
		}
		if s.afterEach != nil {
			s.afterEach()
		}
	}
	s.actors.Wait()
}

// settleLimit turns a goroutine that never parks, which would be a bug in
// the demo, into a clear failure instead of a hang.
const settleLimit = 30 * time.Second

// settle returns once every spawned goroutine has started and each one
// still running is parked in a select.
func (s *sim) settle() {
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(settleLimit)
	for tries := 0; ; tries++ {
		// A goroutine that has just been woken or started needs a moment
		// to get to its next select; reading every stack stops the whole
		// program, so give it that moment first, longer on each try.
		for range 1 << min(tries, 8) {
			runtime.Gosched()
		}
		s.mu.Lock()
		ready := s.started == s.spawned && (s.quiet == nil || s.quiet(s.spawned))
		var ids map[int64]bool
		if ready {
			ids = maps.Clone(s.live)
		}
		s.mu.Unlock()
		if ready {
			buf = allStacks(buf)
			if allParked(buf, ids) {
				return
			}
		}
		if time.Now().After(deadline) {
			panic(fmt.Sprintf("04_bulkhead: the calls did not settle within %v:\n%s", settleLimit, allStacks(buf)))
		}
	}
}

// allStacks returns the stacks of all goroutines, growing buf until they
// fit.
func allStacks(buf []byte) []byte {
	buf = buf[:cap(buf)]
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// allParked reports whether every goroutine in ids appears in dump, the
// output of runtime.Stack for all goroutines, blocked in a select.
func allParked(dump []byte, ids map[int64]bool) bool {
	seen := 0
	for block := range bytes.SplitSeq(dump, []byte("\n\n")) {
		header, _, _ := bytes.Cut(block, []byte("\n"))
		id, status, ok := parseHeader(string(header))
		if !ok || !ids[id] {
			continue
		}
		// "select", "select (durable)" inside a synctest bubble, or
		// "select, 2 minutes": blocked. "runnable", "running" or a
		// mutex: not yet.
		if status != "select" && !strings.HasPrefix(status, "select ") && !strings.HasPrefix(status, "select,") {
			return false
		}
		seen++
	}
	return seen == len(ids)
}

// parseHeader reads a goroutine's id and status from the first line of
// its stack: "goroutine 42 [select]:", or with GOTRACEBACK=system
// "goroutine 42 gp=0x... m=nil [select]:".
func parseHeader(line string) (id int64, status string, ok bool) {
	rest, found := strings.CutPrefix(line, "goroutine ")
	if !found {
		return 0, "", false
	}
	num, rest, found := strings.Cut(rest, " ")
	if !found {
		return 0, "", false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, "", false
	}
	_, rest, found = strings.Cut(rest, "[")
	if !found {
		return 0, "", false
	}
	status, _, found = strings.Cut(rest, "]")
	return id, status, found
}

// goroutineID returns the calling goroutine's id, as runtime.Stack
// prints it.
func goroutineID() int64 {
	var buf [128]byte
	id, _, ok := parseHeader(string(buf[:runtime.Stack(buf[:], false)]))
	if !ok {
		panic("04_bulkhead: cannot read the goroutine id from runtime.Stack")
	}
	return id
}
