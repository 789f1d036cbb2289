package flaky

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// A Service answers every call in its own time, however many arrive at
// once. A real server cannot: it has a few workers, and a request that
// finds them all busy waits in a queue. The types below model that, so
// that load has consequences: a queue that grows, callers that give up
// while they wait, and workers busy with requests whose callers have
// already left.
//
// The model comes in two forms. Server is the model itself, a state
// machine with no clock of its own: the caller tells it the time, so a
// simulation can run it on a virtual clock, thousands of requests in a
// millisecond, the same way on every machine. Capacity wraps a Server in
// a Call method that blocks like a real call, reading time.Now and waiting
// on timers, so it runs in virtual time inside a testing/synctest bubble.

// Errors of the capacity model. Match them with errors.Is.
var (
	// ErrQueueFull is returned for a request that arrives when the queue
	// is at CapacityConfig.QueueLimit: the server refuses it at once,
	// without doing any work, the cheapest answer an overloaded server
	// can give.
	ErrQueueFull = errors.New("flaky: queue full, request refused")

	// ErrShed is returned for a request the server dropped before working
	// on it, because its caller's deadline had passed
	// (CapacityConfig.DropExpired).
	ErrShed = errors.New("flaky: request shed, its deadline had passed")
)

// CapacityConfig describes a server with finite capacity: Workers workers,
// each serving one request at a time for ServiceTime, and a queue in front
// of them. Its capacity is Workers/ServiceTime requests per unit of time.
type CapacityConfig struct {
	// Seed seeds the random source behind ServiceJitter.
	Seed uint64

	// Workers is how many requests are served at once. At least 1.
	Workers int

	// ServiceTime is how long a worker spends on one request. Positive.
	ServiceTime time.Duration

	// ServiceJitter adds a uniform random extra in [0, ServiceJitter) to
	// each request's service time, drawn when the request starts. Must
	// not be negative.
	ServiceJitter time.Duration

	// QueueLimit bounds how many requests may wait for a worker; a
	// request arriving at a full queue is refused with ErrQueueFull. Zero
	// means no bound. Must not be negative.
	QueueLimit int

	// DropExpired makes a worker look at a request's deadline before
	// starting it and drop it, without spending any time, if the
	// deadline has passed or the caller has gone: nobody is waiting for
	// the answer. Without it the worker serves the request anyway, and
	// that work is wasted.
	DropExpired bool

	// SlowStart and SlowFor describe a slow spell, measured from the
	// server's start: a request that starts being served inside
	// [SlowStart, SlowStart+SlowFor) takes SlowFactor times its service
	// time, as if the machine ran at 1/SlowFactor of its speed (a noisy
	// neighbour, a garbage collection storm, a cold cache). A zero SlowFor
	// means no slow spell. Neither may be negative.
	SlowStart time.Duration
	SlowFor   time.Duration

	// SlowFactor is the slow spell's multiplier: 4 means a quarter of the
	// speed. It must be at least 1 when SlowFor is set.
	SlowFactor float64

	// SampleEvery, if positive, makes the server keep its counters per
	// interval of that length as well (see Server.History).
	SampleEvery time.Duration
}

func (c CapacityConfig) validate() error {
	switch {
	case c.Workers < 1:
		return badConfig("Workers", c.Workers, "at least 1")
	case c.ServiceTime <= 0:
		return badConfig("ServiceTime", c.ServiceTime, "> 0")
	case c.ServiceJitter < 0:
		return badConfig("ServiceJitter", c.ServiceJitter, ">= 0")
	case c.QueueLimit < 0:
		return badConfig("QueueLimit", c.QueueLimit, ">= 0 (0 means no bound)")
	case c.SlowStart < 0:
		return badConfig("SlowStart", c.SlowStart, ">= 0")
	case c.SlowFor < 0:
		return badConfig("SlowFor", c.SlowFor, ">= 0")
	case c.SlowFor > 0 && (math.IsNaN(c.SlowFactor) || c.SlowFactor < 1 || c.SlowFactor > 1000):
		return badConfig("SlowFactor", c.SlowFactor, "from 1 to 1000 when SlowFor is set")
	case c.SampleEvery < 0:
		return badConfig("SampleEvery", c.SampleEvery, ">= 0")
	}
	return nil
}

// Outcome is how the server finished with a request it accepted.
type Outcome int

const (
	// InTime: served, and the answer left before the caller's deadline.
	// This is goodput.
	InTime Outcome = iota
	// Late: served, but the caller's deadline had passed (or the caller
	// had gone) by the time the answer was ready. The work was wasted.
	Late
	// Shed: dropped before any work was done, because the caller's
	// deadline had passed or the caller had gone (DropExpired).
	Shed
)

func (o Outcome) String() string {
	switch o {
	case InTime:
		return "in-time"
	case Late:
		return "late"
	case Shed:
		return "shed"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Finished reports that the server is done with request ID.
type Finished struct {
	ID      int
	At      time.Time
	Outcome Outcome
}

// CapacityStats are a server's counters. Every request offered ends up
// refused, shed or served, or is still queued or in service; every
// request served is goodput or wasted.
type CapacityStats struct {
	Offered   int // requests that arrived
	Refused   int // turned away at a full queue (ErrQueueFull)
	Shed      int // dropped unserved because their caller had gone
	Served    int // served to the end
	Goodput   int // of those, answered before the caller's deadline
	Wasted    int // of those, answered after the caller had gone
	Queued    int // waiting for a worker now (in History: the most at once)
	InService int // being served now (in History: at the end of the interval)
}

func (s CapacityStats) String() string {
	return fmt.Sprintf("offered=%d refused=%d shed=%d served=%d goodput=%d wasted=%d queued=%d in-service=%d",
		s.Offered, s.Refused, s.Shed, s.Served, s.Goodput, s.Wasted, s.Queued, s.InService)
}

// Sample is a server's counters over one interval of History.
type Sample struct {
	// Start is the interval's start, from the server's start.
	Start time.Duration
	// Stats counts what happened inside the interval: arrivals, refusals,
	// drops and completions. Its Queued is the longest the queue was
	// during the interval, and InService the requests in service at its
	// end.
	Stats CapacityStats
}

type job struct {
	id       int
	deadline time.Time // zero: the caller waits for ever
	gone     bool      // the caller left before its deadline (Abandon)
	finish   time.Time // set when a worker starts it
}

// Server is the capacity model as a state machine. It never reads the
// clock and never blocks: every method takes the current time, which must
// never go backwards, and Advance reports the requests finished up to
// then. It is not safe for concurrent use; Capacity adds the locking.
//
// A request that arrives while a worker is free starts at once. Otherwise
// it waits in a first-in, first-out queue (or is refused, at QueueLimit).
// When a worker finishes, it takes the oldest waiting request. Draws
// from the seeded source happen in the order requests start, so a run is
// the same for a given seed and the same sequence of calls.
type Server struct {
	cfg     CapacityConfig
	start   time.Time
	now     time.Time
	rng     *rand.Rand
	nextID  int
	queue   []*job
	workers []*job       // nil: idle
	live    map[int]*job // queued or in service, for Abandon
	done    []Finished   // finished since the last Advance
	stats   CapacityStats

	history []Sample
	cur     Sample
}

// NewServer returns an idle Server whose clock starts at start. It
// returns an error wrapping ErrInvalidConfig if a field of cfg is out of
// range.
func NewServer(cfg CapacityConfig, start time.Time) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Server{
		cfg:     cfg,
		start:   start,
		now:     start,
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0xca9ac17)),
		workers: make([]*job, cfg.Workers),
		live:    map[int]*job{},
	}, nil
}

// Capacity is how many requests per second the server serves at full
// speed.
func (s *Server) Capacity() float64 {
	return float64(s.cfg.Workers) / s.cfg.ServiceTime.Seconds()
}

// Arrive offers a request at now whose caller waits until deadline (zero:
// for ever). It returns the request's id, or ErrQueueFull if the queue is
// at its limit, in which case the server forgets the request at once.
// Whatever finished up to now is reported by the next Advance.
func (s *Server) Arrive(now, deadline time.Time) (int, error) {
	s.advance(now)
	s.nextID++
	s.count(func(st *CapacityStats) { st.Offered++ })
	j := &job{id: s.nextID, deadline: deadline}
	if s.cfg.QueueLimit > 0 && len(s.queue) >= s.cfg.QueueLimit {
		s.count(func(st *CapacityStats) { st.Refused++ })
		return j.id, ErrQueueFull
	}
	s.queue = append(s.queue, j)
	s.live[j.id] = j
	s.startWork()
	if s.cfg.SampleEvery > 0 {
		s.cur.Stats.Queued = max(s.cur.Stats.Queued, len(s.queue))
	}
	return j.id, nil
}

// Abandon tells the server that the caller of request id has gone before
// its deadline, as a cancelled HTTP/2 stream or gRPC call would. A request
// already finished, or unknown, is ignored.
func (s *Server) Abandon(id int) {
	if j, ok := s.live[id]; ok {
		j.gone = true
	}
}

// Advance moves the server's clock to now, finishing and starting work on
// the way, and returns every request finished since the last Advance, in
// the order they finished.
func (s *Server) Advance(now time.Time) []Finished {
	s.advance(now)
	out := s.done
	s.done = nil
	return out
}

// Next returns when the next request in service will finish, and false if
// no worker is busy.
func (s *Server) Next() (time.Time, bool) {
	w := s.nextWorker()
	if w < 0 {
		return time.Time{}, false
	}
	return s.workers[w].finish, true
}

// Stats returns the counters, with Queued and InService as they are now.
func (s *Server) Stats() CapacityStats {
	st := s.stats
	st.Queued = len(s.queue)
	st.InService = s.busy()
	return st
}

// History returns the counters per SampleEvery interval, for every
// interval that ended by the time of the last call. It is nil when
// SampleEvery is zero.
func (s *Server) History() []Sample { return s.history }

// advance finishes, in time order, every request whose service ends by
// now; each freed worker takes the next request from the queue at the
// moment it is freed.
func (s *Server) advance(now time.Time) {
	if now.Before(s.now) {
		panic(fmt.Sprintf("flaky: Server's clock went backwards, from %v to %v", s.now.Sub(s.start), now.Sub(s.start)))
	}
	for {
		w := s.nextWorker()
		if w < 0 || s.workers[w].finish.After(now) {
			break
		}
		j := s.workers[w]
		s.moveTo(j.finish)
		s.workers[w] = nil
		delete(s.live, j.id)
		out := InTime
		if j.gone || (!j.deadline.IsZero() && !j.finish.Before(j.deadline)) {
			out = Late
		}
		s.count(func(st *CapacityStats) {
			st.Served++
			if out == InTime {
				st.Goodput++
			} else {
				st.Wasted++
			}
		})
		s.done = append(s.done, Finished{ID: j.id, At: j.finish, Outcome: out})
		s.startWork()
	}
	s.moveTo(now)
}

// startWork hands waiting requests to idle workers, lowest worker first.
func (s *Server) startWork() {
	for w := range s.workers {
		for s.workers[w] == nil && len(s.queue) > 0 {
			j := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			if s.cfg.DropExpired && (j.gone || (!j.deadline.IsZero() && !s.now.Before(j.deadline))) {
				delete(s.live, j.id)
				s.count(func(st *CapacityStats) { st.Shed++ })
				s.done = append(s.done, Finished{ID: j.id, At: s.now, Outcome: Shed})
				continue
			}
			j.finish = s.now.Add(s.serviceTime())
			s.workers[w] = j
		}
	}
}

// serviceTime is the time the request starting now will take.
func (s *Server) serviceTime() time.Duration {
	d := s.cfg.ServiceTime + time.Duration(s.rng.Float64()*float64(s.cfg.ServiceJitter))
	since := s.now.Sub(s.start)
	if s.cfg.SlowFor > 0 && since >= s.cfg.SlowStart && since < addSat(s.cfg.SlowStart, s.cfg.SlowFor) {
		d = time.Duration(float64(d) * s.cfg.SlowFactor)
	}
	return d
}

// nextWorker is the busy worker that finishes first (the lowest index on
// a tie), or -1.
func (s *Server) nextWorker() int {
	next := -1
	for w, j := range s.workers {
		if j != nil && (next < 0 || j.finish.Before(s.workers[next].finish)) {
			next = w
		}
	}
	return next
}

func (s *Server) busy() int {
	n := 0
	for _, j := range s.workers {
		if j != nil {
			n++
		}
	}
	return n
}

// moveTo sets the clock to t, closing every History interval that ends
// by t: an interval holds what happened strictly before its end.
func (s *Server) moveTo(t time.Time) {
	if e := s.cfg.SampleEvery; e > 0 {
		for !t.Before(s.start.Add(s.cur.Start + e)) {
			s.cur.Stats.InService = s.busy()
			s.history = append(s.history, s.cur)
			s.cur = Sample{Start: s.cur.Start + e}
			s.cur.Stats.Queued = len(s.queue)
		}
	}
	s.now = t
}

// count applies f to the running totals and to the current interval.
func (s *Server) count(f func(*CapacityStats)) {
	f(&s.stats)
	if s.cfg.SampleEvery > 0 {
		f(&s.cur.Stats)
		s.cur.Stats.Queued = max(s.cur.Stats.Queued, len(s.queue))
	}
}

// Capacity is a Server behind a blocking Call, for code that calls a
// dependency the ordinary way. It reads time.Now and waits on timers, so
// inside a testing/synctest bubble it runs in virtual time. It is safe for
// concurrent use.
type Capacity struct {
	mu      sync.Mutex
	srv     *Server
	waiting map[int]chan Outcome
	timer   *time.Timer
}

// NewCapacity returns a Capacity whose clock (and slow spell) starts now.
// It returns an error wrapping ErrInvalidConfig if a field of cfg is out
// of range.
func NewCapacity(cfg CapacityConfig) (*Capacity, error) {
	srv, err := NewServer(cfg, time.Now())
	if err != nil {
		return nil, err
	}
	return &Capacity{srv: srv, waiting: map[int]chan Outcome{}}, nil
}

// Call sends one request and waits for its answer. The server learns the
// caller's deadline from ctx. Call returns nil when the request is served
// before that deadline; an error matching ErrQueueFull at once if the
// queue is full; and, when ctx ends first, an error matching ctx.Err()
// the moment it ends. The request stays on the server after its caller
// has gone: it is still served (wasted work) unless DropExpired is set.
// A request that the server sheds returns an error matching ErrShed. If
// ctx has already ended, Call returns its error without sending anything.
func (c *Capacity) Call(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	ch := make(chan Outcome, 1)

	c.mu.Lock()
	id, err := c.srv.Arrive(time.Now(), deadline)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	c.waiting[id] = ch
	c.deliverLocked()
	c.mu.Unlock()

	select {
	case out := <-ch:
		return outcomeError(id, out)
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		select {
		case out := <-ch: // it finished at the same instant
			return outcomeError(id, out)
		default:
		}
		delete(c.waiting, id)
		c.srv.Abandon(id)
		return fmt.Errorf("flaky: request %d abandoned: %w", id, ctx.Err())
	}
}

func outcomeError(id int, out Outcome) error {
	switch out {
	case InTime:
		return nil
	case Shed:
		return fmt.Errorf("flaky: request %d: %w", id, ErrShed)
	}
	return fmt.Errorf("flaky: request %d answered after its deadline: %w", id, context.DeadlineExceeded)
}

// tick runs when the earliest request in service is due to finish.
func (c *Capacity) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deliverLocked()
}

// deliverLocked hands every finished request's outcome to its waiting
// caller and sets the timer for the next one. c.mu must be held.
func (c *Capacity) deliverLocked() {
	for _, f := range c.srv.Advance(time.Now()) {
		if ch, ok := c.waiting[f.ID]; ok {
			ch <- f.Outcome
			delete(c.waiting, f.ID)
		}
	}
	next, ok := c.srv.Next()
	if !ok {
		return
	}
	d := max(0, time.Until(next))
	if c.timer == nil {
		c.timer = time.AfterFunc(d, c.tick)
	} else {
		c.timer.Reset(d)
	}
}

// Stats returns the server's counters.
func (c *Capacity) Stats() CapacityStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deliverLocked()
	return c.srv.Stats()
}

// History returns the server's counters per CapacityConfig.SampleEvery
// interval, up to now.
func (c *Capacity) History() []Sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deliverLocked()
	return append([]Sample(nil), c.srv.History()...)
}
