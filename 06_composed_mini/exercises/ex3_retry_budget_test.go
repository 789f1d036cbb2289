package exercises

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"reliability/01_retry/retry"
	"reliability/06_composed_mini/compose"
)

// RatioBudget must fit the compose.Retry layer.
var _ compose.RetryBudget = (*RatioBudget)(nil)

const ex3Hint = "AllowRetry must never wait: it answers from what has been saved."

// newBudget calls NewRatioBudget and fails the test on an error.
func newBudget(t *testing.T, ratio float64, maxSaved int) *RatioBudget {
	t.Helper()
	b, err := NewRatioBudget(ratio, maxSaved)
	if err != nil || b == nil {
		t.Fatalf("NewRatioBudget(%v, %d) = %v, %v; want a budget", ratio, maxSaved, b, err)
	}
	return b
}

// drain spends every saved retry and returns how many there were.
func drain(b *RatioBudget) int {
	n := 0
	for n < 1_000_000 && b.AllowRetry() {
		n++
	}
	return n
}

func TestEx3StartsWithSavedRetries(t *testing.T) {
	started(t, "NewRatioBudget")
	b := newBudget(t, 0.1, 5)
	if n := drain(b); n != 5 {
		t.Errorf("a new budget with maxSaved 5 allowed %d retries before any request; want 5: "+
			"it starts full, so a fresh client can retry at once", n)
	}
}

func TestEx3TenRequestsEarnOneRetry(t *testing.T) {
	started(t, "NewRatioBudget")
	for _, tc := range []struct {
		ratio    float64
		requests int
		want     int
	}{
		{0.1, 9, 0}, {0.1, 10, 1}, {0.1, 25, 2}, {0.3, 10, 3}, {0.25, 8, 2}, {0.58, 50, 29}, {1, 3, 3},
	} {
		b := newBudget(t, tc.ratio, 100)
		drain(b)
		for range tc.requests {
			b.OnRequest()
		}
		got := drain(b)
		switch {
		case got == tc.want:
		case got == tc.want-1 && math.Mod(float64(tc.requests)*tc.ratio, 1) == 0:
			t.Errorf("%d requests at ratio %v should earn exactly %d retries; the budget allowed %d. "+
				"Is the balance a float64? Adding 0.1 ten times makes 0.9999999999999999, not 1: count in "+
				"whole units, such as thousandths of a retry", tc.requests, tc.ratio, tc.want, got)
		default:
			t.Errorf("%d requests at ratio %v should earn %d retries (a retry needs a whole one earned); "+
				"the budget allowed %d", tc.requests, tc.ratio, tc.want, got)
		}
	}
}

func TestEx3SmallRatiosAreExact(t *testing.T) {
	started(t, "NewRatioBudget")
	for _, tc := range []struct {
		ratio    float64
		requests int
		want     int
	}{{0.001, 999, 0}, {0.001, 1000, 1}, {0.015, 200, 3}, {0.125, 24, 3}} {
		b := newBudget(t, tc.ratio, 100)
		drain(b)
		for range tc.requests {
			b.OnRequest()
		}
		if got := drain(b); got != tc.want {
			t.Errorf("%d requests at ratio %v should earn %d retries; the budget allowed %d: is the ratio rounded "+
				"to a coarse unit, such as hundredths? Thousandths of a retry keep a ratio like 0.015 exact",
				tc.requests, tc.ratio, tc.want, got)
		}
	}
}

func TestEx3SavingsAreCapped(t *testing.T) {
	started(t, "NewRatioBudget")
	b := newBudget(t, 0.1, 5)
	drain(b)
	for range 1000 {
		b.OnRequest()
	}
	if n := drain(b); n != 5 {
		t.Errorf("after 1000 quiet requests the budget allowed %d retries; want 5 (maxSaved): a long quiet "+
			"spell must not save up a burst of retries for the next outage", n)
	}
}

// At ratio 0.3 the credits do not land on the cap: the fourth request
// after a drain brings 0.9 to 1.2, and the cap must keep 1 and drop 0.2.
// Adding only while below the cap keeps 1.2; refusing a credit that would
// cross the cap stays at 0.9. Either way the next retries come out wrong.
func TestEx3CapKeepsExactlyMaxSaved(t *testing.T) {
	started(t, "NewRatioBudget")
	b := newBudget(t, 0.3, 1)
	drain(b)
	for range 4 {
		b.OnRequest()
	}
	switch n := drain(b); n {
	case 1:
	case 0:
		t.Fatal("4 requests at ratio 0.3 earn 1.2 retries, capped at 1 (maxSaved); the budget allowed none: " +
			"was the last 0.3 dropped because it would cross the cap? Add it and cap the sum, " +
			"saved = min(max, saved+earn)")
	default:
		t.Fatalf("4 requests at ratio 0.3 earn 1.2 retries, capped at 1 (maxSaved); the budget allowed %d", n)
	}
	for range 3 {
		b.OnRequest()
	}
	if b.AllowRetry() {
		t.Errorf("the cap should have dropped the 0.2 above maxSaved, so 3 more requests (0.9) earn no retry; " +
			"AllowRetry said yes: was the cap checked before adding (if saved < max { saved += earn }), " +
			"keeping 1.2? Add, then cap the sum: saved = min(max, saved+earn)")
	}
}

func TestEx3OnlyRequestsEarn(t *testing.T) {
	started(t, "NewRatioBudget")
	b := newBudget(t, 0.5, 10)
	drain(b)
	for range 20 {
		b.OnResult(true)
		b.OnResult(false)
	}
	if b.AllowRetry() {
		t.Errorf("OnResult earned a retry; it should do nothing: this budget counts requests, not outcomes")
	}
	b.OnRequest()
	if b.AllowRetry() {
		t.Errorf("one request at ratio 0.5 earned a whole retry; it takes two")
	}
	b.OnRequest()
	if !b.AllowRetry() {
		t.Errorf("two requests at ratio 0.5 should earn one retry")
	}
	if b.AllowRetry() {
		t.Errorf("AllowRetry said yes twice for one earned retry: a yes must spend it")
	}
}

func TestEx3RejectsBadSettings(t *testing.T) {
	started(t, "NewRatioBudget")
	for _, tc := range []struct {
		ratio    float64
		maxSaved int
	}{{0, 5}, {-0.1, 5}, {1.5, 5}, {math.NaN(), 5}, {0.1, 0}, {0.1, -1}} {
		b, err := NewRatioBudget(tc.ratio, tc.maxSaved)
		if !errors.Is(err, ErrBadBudget) || b != nil {
			t.Errorf("NewRatioBudget(%v, %d) = %v, %v; want nil and an error matching ErrBadBudget",
				tc.ratio, tc.maxSaved, b, err)
		}
	}
	newBudget(t, 1, 1) // the edges are allowed
}

// 100 calls to a dependency that is down, through a retry layer of 3
// attempts: without a budget, 300 calls; with 10% and 5 saved, the first
// attempts plus the 14 retries the budget pays for (5 saved, then one per
// ten requests; the first request's earnings are lost to the cap).
func TestEx3LimitsRetriesDuringAnOutage(t *testing.T) {
	started(t, "NewRatioBudget")
	bubble(t, ex3Hint, func(t *testing.T) {
		b := newBudget(t, 0.1, 5)
		svc := newService(step{err: errTransient})
		p := retry.Policy{MaxAttempts: 3, InitialDelay: time.Millisecond, Jitter: retry.NoJitter}
		call := compose.Chain(svc.Call, compose.Retry(p, compose.WithBudget(b)))
		throttled := 0
		for range 100 {
			if err := call(t.Context()); errors.Is(err, compose.ErrRetryThrottled) {
				throttled++
			}
		}
		if got := svc.Calls(); got != 114 {
			t.Errorf("100 calls against a dead service made %d calls through the budget; want 114 "+
				"(100 first attempts and 14 retries: 5 saved, then one per ten requests)", got)
		}
		if throttled == 0 {
			t.Errorf("no call was refused a retry: the budget should run dry")
		}
	})
}

func TestEx3ConcurrentCallers(t *testing.T) {
	started(t, "NewRatioBudget")
	b := newBudget(t, 0.5, 10_000)
	drain(b)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 250 {
				b.OnRequest()
			}
		})
	}
	wg.Wait()
	var allowed sync.Map
	for g := range 8 {
		wg.Go(func() {
			n := 0
			for range 200 {
				if b.AllowRetry() {
					n++
				}
			}
			allowed.Store(g, n)
		})
	}
	wg.Wait()
	total := 0
	allowed.Range(func(_, v any) bool { total += v.(int); return true })
	if total != 1000 {
		t.Errorf("2000 requests at 0.5 earned 1000 retries, but 8 goroutines together were allowed %d: "+
			"updates were lost. Guard the balance with a sync.Mutex (run with -race to see it)", total)
	}
}
