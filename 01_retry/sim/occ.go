package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// This file is the model: one run of N clients updating one row with
// optimistic concurrency control, as a discrete-event simulation.
//
// The world advances by popping the earliest event from a priority queue,
// setting the clock to its time and handling it; handling an event may
// schedule the next one. Each client has exactly one message in flight at
// any moment, so a client's whole conversation is a chain of four event
// kinds that loops until its write succeeds:
//
//	readArrives → readReplyArrives → writeArrives → writeReplyArrives → done
//	     ↑                                                  │
//	     └──────── rejected: backoff, then network delay ───┘
//
// The server's only state is the row's version. A read returns it; a write
// carrying the version its client read succeeds and bumps the version,
// and a write carrying an older version is rejected because another
// client's attempt committed in between.

// eventKind says which step of a client's attempt an event is.
type eventKind uint8

const (
	readArrives       eventKind = iota // the server reads the version
	readReplyArrives                   // the client learns the version and sends its write
	writeArrives                       // the server accepts or rejects the write
	writeReplyArrives                  // the client is done, or backs off and reads again
)

// event is a message that arrives at virtual time at.
type event struct {
	at     time.Duration
	seq    uint64 // breaks ties in at, so equal times pop in scheduling order
	kind   eventKind
	client int
}

// eventQueue is a binary min-heap of events ordered by (at, seq). The seq
// tie-break keeps a run deterministic even when two messages arrive at the
// same nanosecond. It is written out rather than built on container/heap
// because that package moves every element through an interface, which
// allocates once per event: millions of allocations for the default
// experiment, and about half its running time.
type eventQueue []event

func (q eventQueue) less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}

// push adds e, moving it up until its parent is earlier.
func (q *eventQueue) push(e event) {
	*q = append(*q, e)
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// pop removes and returns the earliest event: the last event takes the
// root's place and moves down until both children are later.
func (q *eventQueue) pop() event {
	h := *q
	first := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		child := 2*i + 1
		if child >= len(h) {
			break
		}
		if right := child + 1; right < len(h) && h.less(right, child) {
			child = right
		}
		if !h.less(child, i) {
			break
		}
		h[i], h[child] = h[child], h[i]
		i = child
	}
	*q = h
	return first
}

// client is what one client remembers between its messages.
type client struct {
	readVersion int           // the version its current attempt read
	accepted    bool          // whether its last write was accepted
	retries     int           // rejected writes so far
	lastDelay   time.Duration // its previous backoff, for decorrelated jitter
}

// world is one run in progress.
type world struct {
	cfg      Config
	strategy Strategy
	rng      *rand.Rand

	now     time.Duration
	seq     uint64
	queue   eventQueue
	clients []client
	version int // the row's version, the server's only state
	calls   int // writes the server received
}

// simulate runs n clients with strategy s until every client has written
// once, and returns the writes the server received and the virtual time at
// which the last client got its successful reply. cfg must have its
// defaults applied.
func simulate(cfg Config, s Strategy, n int, rng *rand.Rand) (calls int, completion time.Duration) {
	w := &world{
		cfg:      cfg,
		strategy: s,
		rng:      rng,
		queue:    make(eventQueue, 0, n), // one message in flight per client
		clients:  make([]client, n),
	}
	// Every client starts at time zero, which is what makes them contend:
	// think of a cache expiring or a service coming back after an outage.
	for c := range w.clients {
		w.send(c, readArrives, 0)
	}
	for len(w.queue) > 0 {
		e := w.queue.pop()
		w.now = e.at
		w.handle(e)
	}
	// The last event is always the final successful write reply, so the
	// clock stops at the moment the last client finished.
	return w.calls, w.now
}

// handle processes one arriving message and sends the next one.
func (w *world) handle(e event) {
	c := &w.clients[e.client]
	switch e.kind {
	case readArrives:
		c.readVersion = w.version
		w.send(e.client, readReplyArrives, 0)
	case readReplyArrives:
		w.send(e.client, writeArrives, 0)
	case writeArrives:
		w.calls++
		c.accepted = c.readVersion == w.version
		if c.accepted {
			w.version++
		}
		w.send(e.client, writeReplyArrives, 0)
	case writeReplyArrives:
		if c.accepted {
			return // this client is done: nothing more to send
		}
		c.retries++
		c.lastDelay = w.strategy.delay(c.retries, c.lastDelay, w.cfg.Base, w.cfg.Cap, w.rng)
		w.send(e.client, readArrives, c.lastDelay)
	}
}

// send schedules a message of the given kind for client c that leaves
// after wait and then spends one network delay in flight.
func (w *world) send(c int, kind eventKind, wait time.Duration) {
	w.seq++
	w.queue.push(event{at: w.now + wait + w.networkDelay(), seq: w.seq, kind: kind, client: c})
}

// networkDelay draws one message's time in flight. A normal distribution
// is a simplification (real latency has a long tail), but the comparison
// between strategies does not depend on the tail; the absolute value keeps
// a rare negative draw from sending a message back in time.
func (w *world) networkDelay() time.Duration {
	d := w.rng.NormFloat64()*float64(w.cfg.NetworkJitter) + float64(w.cfg.NetworkDelay)
	return time.Duration(math.Abs(d))
}
