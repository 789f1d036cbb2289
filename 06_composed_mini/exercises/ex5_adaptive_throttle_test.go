package exercises

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

func init() {
	probes["NewThrottle"] = probe{
		"NewThrottle(k, window, rand) returns a throttle that counts requests and accepts over the " +
			"window and refuses a request with probability max(0, (requests - k*accepts) / (requests + 1))",
		func() bool {
			th, err := NewThrottle(2, time.Second, func() float64 { return 0.5 })
			return th == nil && (err == nil || errors.Is(err, errNotImplemented))
		},
	}
}

// neverLow is a draw that no probability below 1 refuses.
func neverLow() float64 { return math.Nextafter(1, 0) }

func newThrottle(t *testing.T, k float64, window time.Duration, rand func() float64) *Throttle {
	t.Helper()
	th, err := NewThrottle(k, window, rand)
	if err != nil || th == nil {
		t.Fatalf("NewThrottle(%v, %v) = %v, %v; want a throttle", k, window, th, err)
	}
	return th
}

// feed sends n requests through th, the first accepted ones accepted.
func feed(t *testing.T, th *Throttle, n, accepted int) {
	t.Helper()
	for i := range n {
		if !th.Allow() {
			if p := th.Probability(); math.IsNaN(p) || p >= 1 {
				t.Fatalf("request %d of %d was refused, and the probability is now %v: it must stay below 1 "+
					"whatever the counts; the denominator is requests + 1, and k multiplies the accepts", i+1, n, p)
			}
			t.Fatalf("request %d of %d was refused with a draw just below 1: Allow must refuse only "+
				"when the draw is below the probability, and the probability stays below 1", i+1, n)
		}
		th.Done(i < accepted)
	}
}

func TestEx5RejectsBadSettings(t *testing.T) {
	started(t, "NewThrottle")
	for _, tc := range []struct {
		k      float64
		window time.Duration
	}{{0.5, time.Second}, {0, time.Second}, {math.NaN(), time.Second}, {2, 0}, {2, -time.Second}} {
		th, err := NewThrottle(tc.k, tc.window, neverLow)
		if !errors.Is(err, ErrBadThrottle) || th != nil {
			t.Errorf("NewThrottle(%v, %v) = %v, %v; want nil and an error matching ErrBadThrottle "+
				"(k must be at least 1, the window positive)", tc.k, tc.window, th, err)
		}
	}
	newThrottle(t, 1, time.Nanosecond, neverLow)
}

func TestEx5HealthyRefusesNothing(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Minute, func() float64 { return 0 })
		for i := range 20 {
			if !th.Allow() {
				t.Fatalf("request %d was refused while every request so far was accepted: with "+
					"probability 0, Allow must send whatever the draw (refuse only when draw < p)", i+1)
			}
			th.Done(true)
		}
		if p := th.Probability(); p != 0 {
			t.Errorf("20 requests, 20 accepts: probability %v, want 0", p)
		}
	})
}

func TestEx5Rule(t *testing.T) {
	started(t, "NewThrottle")
	for _, tc := range []struct {
		k             float64
		requests, acc int
	}{{2, 10, 5}, {2, 14, 5}, {2, 10, 0}, {3, 10, 2}, {1.5, 3, 1}, {2, 50, 20}} {
		bubble(t, "", func(t *testing.T) {
			th := newThrottle(t, tc.k, time.Minute, neverLow)
			feed(t, th, tc.requests, tc.acc)
			req, acc := float64(tc.requests), float64(tc.acc)
			want := max(0, (req-tc.k*acc)/(req+1))
			got := th.Probability()
			if math.Abs(got-want) < 1e-9 {
				return
			}
			mistake := ""
			switch {
			case math.Abs(got-(req-tc.k*acc)/req) < 1e-9:
				mistake = " Is the +1 missing from the denominator?"
			case math.Abs(got-max(0, (tc.k*req-acc)/(req+1))) < 1e-9:
				mistake = " Is k multiplying the requests instead of the accepts?"
			case math.Abs(got-max(0, (req-acc)/(req+1))) < 1e-9:
				mistake = " Is k left out?"
			}
			t.Errorf("k=%v, %d requests, %d accepted: probability %v, want max(0, (requests - k*accepts) / "+
				"(requests + 1)) = %v.%s", tc.k, tc.requests, tc.acc, got, want, mistake)
		})
	}
}

func TestEx5NeverBelowZero(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Minute, neverLow)
		feed(t, th, 4, 4)
		if p := th.Probability(); p != 0 {
			t.Errorf("4 requests, 4 accepts, k=2: probability %v, want 0: the rule is max(0, ...), "+
				"a healthy dependency gives a negative raw value", p)
		}
	})
}

func TestEx5NoAcceptsStaysBelowOne(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Minute, neverLow)
		feed(t, th, 100, 0)
		if p := th.Probability(); p >= 1 || math.Abs(p-100.0/101) > 1e-9 {
			t.Errorf("100 requests, none accepted: probability %v, want 100/101: the +1 keeps it below 1, "+
				"so a trickle of requests still finds out when the dependency is back", p)
		}
	})
}

func TestEx5RefusalsCountAsRequests(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Minute, func() float64 { return 0 })
		if !th.Allow() {
			t.Fatal("the first request was refused: an empty window has probability 0")
		}
		th.Done(false)
		for i := range 3 {
			if th.Allow() {
				t.Fatalf("request %d was sent with a draw of 0 while nothing had been accepted", i+2)
			}
		}
		if p := th.Probability(); math.Abs(p-4.0/5) > 1e-9 {
			t.Errorf("1 request sent and 3 refused, none accepted: probability %v, want 4/5: "+
				"a refused request is still a request and must be counted", p)
		}
	})
}

func TestEx5OnlyAcceptsCount(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Minute, neverLow)
		feed(t, th, 10, 0) // ten answers, none accepted
		if p := th.Probability(); math.Abs(p-10.0/11) > 1e-9 {
			t.Errorf("10 requests, every Done(false): probability %v, want 10/11: "+
				"Done(false) counts nothing, only Done(true) is an accept", p)
		}
	})
}

func TestEx5WindowForgets(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Second, neverLow)
		feed(t, th, 10, 0)
		time.Sleep(time.Second - time.Nanosecond)
		if p := th.Probability(); math.Abs(p-10.0/11) > 1e-9 {
			t.Errorf("1ns before the window ends the 10 failed requests must still count: probability %v, want 10/11", p)
		}
		time.Sleep(time.Nanosecond)
		if p := th.Probability(); p != 0 {
			t.Errorf("a whole window after the 10 failed requests the probability is %v, want 0: "+
				"what was counted a window ago or more is forgotten", p)
		}
		feed(t, th, 2, 2)
		time.Sleep(500 * time.Millisecond)
		feed(t, th, 6, 0)
		time.Sleep(600 * time.Millisecond) // the first two (and their accepts) are gone
		if p := th.Probability(); math.Abs(p-6.0/7) > 1e-9 {
			t.Errorf("accepts must leave the window too: probability %v, want 6/7 "+
				"(6 requests left in the window, their accepts all gone)", p)
		}
	})
}

func TestEx5ConcurrentCallers(t *testing.T) {
	started(t, "NewThrottle")
	bubble(t, "", func(t *testing.T) {
		th := newThrottle(t, 2, time.Minute, neverLow)
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if th.Allow() {
					th.Done(false)
				}
			})
		}
		wg.Wait()
		if p := th.Probability(); math.Abs(p-50.0/51) > 1e-9 {
			t.Errorf("50 goroutines each made one request: probability %v, want 50/51; "+
				"are the counts guarded by a mutex?", p)
		}
	})
}
