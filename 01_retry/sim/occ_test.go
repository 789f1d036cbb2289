package sim

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestEventQueuePopsInTimeThenSchedulingOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q eventQueue
	for seq := range uint64(500) {
		// Few distinct times, so many events tie and the seq order matters.
		q.push(event{at: time.Duration(rng.IntN(20)), seq: seq})
	}
	prev := q.pop()
	for popped := 1; len(q) > 0; popped++ {
		e := q.pop()
		if e.at < prev.at || (e.at == prev.at && e.seq < prev.seq) {
			t.Fatalf("pop %d returned (at %v, seq %d) after (at %v, seq %d); want events by time, ties in scheduling order",
				popped, e.at, e.seq, prev.at, prev.seq)
		}
		prev = e
	}
}

func TestSimulateNeverMovesTheClockBackwards(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Strategies() {
		w := &world{cfg: cfg, strategy: s, rng: rand.New(rand.NewPCG(3, 4)), clients: make([]client, 30)}
		for c := range w.clients {
			w.send(c, readArrives, 0)
		}
		for len(w.queue) > 0 {
			e := w.queue.pop()
			if e.at < w.now {
				t.Fatalf("%s: an event at %v was handled after the clock reached %v", s.Name, e.at, w.now)
			}
			w.now = e.at
			w.handle(e)
		}
		if w.version != len(w.clients) {
			t.Errorf("%s: the row's version is %d after the run, want %d: one successful write per client",
				s.Name, w.version, len(w.clients))
		}
	}
}
