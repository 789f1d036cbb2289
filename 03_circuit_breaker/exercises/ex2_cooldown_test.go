package exercises

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

// In these tests the breaker opens after 2 failures in a row and stays
// open for a 1s cooldown; they run in virtual time, so sleeping is instant.
func newCooldown() *CooldownBreaker { return &CooldownBreaker{Threshold: 2, Cooldown: time.Second} }

// tripCooldown opens b with Threshold failures.
func tripCooldown(t *testing.T, b *CooldownBreaker) {
	t.Helper()
	for i := range b.Threshold {
		if err := b.Call(fail); !errors.Is(err, errDown) {
			t.Fatalf("failure %d of %d should reach the dependency and return %q, got %v", i+1, b.Threshold, errDown, err)
		}
	}
	if got := b.State(); got != breaker.StateOpen {
		t.Fatalf("after %d failures in a row (threshold %d) the breaker should be open, got %v (it opens when the count reaches the threshold: >=, not >)",
			b.Threshold, b.Threshold, got)
	}
}

// wantState fails the test if b is not in state want; why explains it.
func wantState(t *testing.T, b *CooldownBreaker, want breaker.State, why string) {
	t.Helper()
	if got := b.State(); got != want {
		t.Fatalf("%s: want %v, got %v", why, want, got)
	}
}

// heldInBubble starts a call inside a synctest bubble and checks that fn
// was called.
func heldInBubble(t *testing.T, b *CooldownBreaker, result error, when string) *heldCall {
	t.Helper()
	h := startHeld(b.Call, &b.mu, result)
	synctest.Wait()
	if !h.hasEntered() {
		h.let()
		t.Fatalf("%s, the breaker should let a call through to fn, but fn was not called", when)
	}
	return h
}

// ex2FnCheck runs fnRunsUnlocked once for all the tests that keep a call
// inside fn in a synctest bubble: they would hang, not fail, if the mutex
// were held while fn runs.
var ex2FnCheck struct {
	once    sync.Once
	problem string
}

func requireEx2FnRunsUnlocked(t *testing.T) {
	t.Helper()
	ex2FnCheck.once.Do(func() {
		b := &CooldownBreaker{Threshold: 3, Cooldown: time.Hour}
		ex2FnCheck.problem = fnRunsUnlocked(b.Call, b.State, &b.mu)
	})
	if ex2FnCheck.problem != "" {
		t.Fatal(ex2FnCheck.problem)
	}
}

func TestEx2StaysOpenDuringCooldown(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		tripCooldown(t, b)
		time.Sleep(time.Second)
		wantState(t, b, breaker.StateOpen,
			"at exactly the 1s cooldown the breaker should still be open (it half-opens once MORE than Cooldown has passed)")
		called := false
		if err := b.Call(func() error { called = true; return nil }); err != breaker.ErrOpenState {
			t.Fatalf("at exactly the 1s cooldown a call should still fail fast with breaker.ErrOpenState, got %v", err)
		}
		if called {
			t.Fatalf("an open breaker must not call fn")
		}
	})
}

func TestEx2HalfOpenAfterCooldown(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		tripCooldown(t, b)
		for range 5 {
			time.Sleep(100 * time.Millisecond)
			if err := b.Call(succeed); err != breaker.ErrOpenState {
				t.Fatalf("during the 1s cooldown a call should fail fast with breaker.ErrOpenState, got %v", err)
			}
		}
		time.Sleep(500*time.Millisecond + time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen,
			"1s + 1ms after it opened, with calls rejected along the way, the breaker should be half-open (a call rejected while open must not restart the cooldown, or steady traffic keeps the breaker open for ever)")
	})
}

func TestEx2CooldownCountsFromTheTrip(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		_ = b.Call(fail)
		time.Sleep(600 * time.Millisecond)
		_ = b.Call(fail) // the second failure in a row opens it, 600ms in
		wantState(t, b, breaker.StateOpen, "two failures in a row (threshold 2) should open the breaker")
		time.Sleep(time.Second - time.Millisecond)
		wantState(t, b, breaker.StateOpen,
			"the cooldown counts from the moment the breaker opened, not from the first failure of the streak: 999ms after the trip it should still be open")
		time.Sleep(2 * time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen, "1s + 1ms after the trip the breaker should be half-open")
	})
}

func TestEx2CooldownStartsWhenTheFailureReturns(t *testing.T) {
	started(t, "CooldownBreaker")
	// The call that trips the breaker, and later the trial that re-opens
	// it, are slow: their fn takes 600ms to fail. The breaker opens when
	// the failure arrives, so the cooldown counts from fn's return, not
	// from the moment the call was admitted.
	lockwatch.Guard(t)
	synctest.Test(t, func(t *testing.T) {
		slowFail := func() error {
			time.Sleep(600 * time.Millisecond)
			return errDown
		}
		b := newCooldown()
		_ = b.Call(fail)
		if err := b.Call(slowFail); err != errDown {
			t.Fatalf("the second failure should reach the dependency and return %q unchanged, got %v", errDown, err)
		}
		wantState(t, b, breaker.StateOpen, "two failures in a row (threshold 2) should open the breaker")
		time.Sleep(time.Second - time.Millisecond)
		wantState(t, b, breaker.StateOpen,
			"the cooldown counts from the moment the breaker opened, when the failing fn returned, not from when that call was admitted: 999ms after the trip it should still be open (is time.Now read before fn runs?)")
		time.Sleep(2 * time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen, "1s + 1ms after the trip the breaker should be half-open")

		if err := b.Call(slowFail); err != errDown {
			t.Fatalf("the trial call should reach the dependency and return %q unchanged, got %v", errDown, err)
		}
		wantState(t, b, breaker.StateOpen, "a failed trial should open the breaker again")
		time.Sleep(time.Second - time.Millisecond)
		wantState(t, b, breaker.StateOpen,
			"the new cooldown counts from the moment the trial failed, when its fn returned, not from when the trial was admitted: 999ms after it the breaker should still be open (is time.Now read before fn runs?)")
		time.Sleep(2 * time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen, "a full cooldown after the failed trial the breaker should be half-open again")
	})
}

func TestEx2SuccessResetsTheStreak(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		for i, fn := range []func() error{fail, succeed, fail} {
			if err := b.Call(fn); err == errNotImplemented || errors.Is(err, breaker.ErrOpenState) {
				t.Fatalf("call %d of fail, succeed, fail (threshold 2) should reach the dependency, got %v: a success in between resets the streak", i+1, err)
			}
		}
		wantState(t, b, breaker.StateClosed,
			"a success in between resets the streak, so fail, succeed, fail (threshold 2) is one failure in a row and should leave it closed")
		_ = b.Call(fail)
		wantState(t, b, breaker.StateOpen, "the second failure in a row should open the breaker")
	})
}

func TestEx2ZeroCooldownMeansNoWait(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := &CooldownBreaker{Threshold: 1}
		_ = b.Call(fail)
		time.Sleep(time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen,
			"Cooldown 0: 1ms after the trip more than Cooldown has passed, so the breaker should be half-open (zero means no wait, not a default such as gobreaker's 60s)")
		if err := b.Call(succeed); err != nil {
			t.Fatalf("Cooldown 0: the trial call 1ms after the trip should run and succeed, got %v", err)
		}
		wantState(t, b, breaker.StateClosed, "Cooldown 0: a successful trial should close the breaker")
	})
}

func TestEx2TrialSuccessCloses(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		tripCooldown(t, b)
		time.Sleep(2 * time.Second)
		if err := b.Call(succeed); err != nil {
			t.Fatalf("the trial call after the cooldown should run and succeed, got %v", err)
		}
		wantState(t, b, breaker.StateClosed, "a successful trial should close the breaker")
		if err := b.Call(fail); err != errDown {
			t.Fatalf("a closed breaker should run fn and return its error %q unchanged, got %v", errDown, err)
		}
		wantState(t, b, breaker.StateClosed,
			"after closing, the failure count starts from zero: one failure (threshold 2) should leave it closed")
	})
}

func TestEx2TrialFailureReopensForAWholeCooldown(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		tripCooldown(t, b)
		time.Sleep(2 * time.Second)
		if err := b.Call(fail); err != errDown {
			t.Fatalf("the trial call should reach the dependency and return %q unchanged, got %v", errDown, err)
		}
		switch got := b.State(); got {
		case breaker.StateOpen:
		case breaker.StateHalfOpen:
			t.Fatalf("right after a failed trial the breaker should be open for a whole new cooldown, got half-open: the cooldown restarts when the trial fails")
		default:
			t.Fatalf("a failed trial should open the breaker again, at once (one failure is enough in half-open): want open, got %v", got)
		}
		time.Sleep(time.Second - time.Millisecond)
		wantState(t, b, breaker.StateOpen, "the cooldown restarts when the trial fails: 999ms later it should still be open")
		time.Sleep(2 * time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen, "a full cooldown after the failed trial it should be half-open again")
	})
}

// The next tests are about results that arrive late: a call admitted in
// one state whose fn returns after the breaker has moved on.

func TestEx2StaleFailureDoesNotRestartTheCooldown(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		slow := heldInBubble(t, b, errDown, "while closed")
		defer slow.let()
		tripCooldown(t, b) // two quick failures open it meanwhile
		time.Sleep(500 * time.Millisecond)
		if err := slow.finish(); err != errDown {
			t.Fatalf("the slow call's fn failed, so Call should return %q unchanged, got %v", errDown, err)
		}
		time.Sleep(500*time.Millisecond + time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen,
			"a failure from a call admitted before the breaker opened is stale and must not restart the cooldown: 1s + 1ms after the trip it should be half-open")
	})
}

func TestEx2StaleSuccessDoesNotClose(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		whileOpen := heldInBubble(t, b, nil, "while closed")
		defer whileOpen.let()
		whileHalfOpen := heldInBubble(t, b, nil, "while closed")
		defer whileHalfOpen.let()
		tripCooldown(t, b)

		if err := whileOpen.finish(); err != nil {
			t.Fatalf("the slow call's fn returned nil, so Call should return nil, got %v", err)
		}
		wantState(t, b, breaker.StateOpen,
			"a success from a call admitted before the breaker opened is stale and must not close it")

		time.Sleep(time.Second + time.Millisecond)
		if err := whileHalfOpen.finish(); err != nil {
			t.Fatalf("the slow call's fn returned nil, so Call should return nil, got %v", err)
		}
		wantState(t, b, breaker.StateHalfOpen,
			"a success from a call admitted before the breaker opened, arriving once it is half-open, is stale: only a trial admitted while half-open may close it")
	})
}

func TestEx2StaleFailureDoesNotReopen(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		slow := heldInBubble(t, b, errDown, "while closed")
		defer slow.let()
		tripCooldown(t, b)
		time.Sleep(time.Second + time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen, "1s + 1ms after the trip the breaker should be half-open")
		_ = slow.finish()
		wantState(t, b, breaker.StateHalfOpen,
			"a failure from a call admitted before the breaker opened, arriving once it is half-open, is stale: only a trial admitted while half-open may re-open it")
	})
}

func TestEx2StaleFailureAfterAFullCycle(t *testing.T) {
	started(t, "CooldownBreaker")
	// The breaker trips, half-opens and closes again while one slow call,
	// admitted in the first closed period, is still running. Its failure
	// then arrives in a closed breaker again, but in another closed
	// period: it must not count there.
	lockwatch.Guard(t)
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		slow := heldInBubble(t, b, errDown, "while closed")
		defer slow.let()
		tripCooldown(t, b)
		time.Sleep(time.Second + time.Millisecond)
		if err := b.Call(succeed); err != nil {
			t.Fatalf("the trial call after the cooldown should run and succeed, got %v", err)
		}
		wantState(t, b, breaker.StateClosed, "a successful trial should close the breaker")
		_ = slow.finish()
		_ = b.Call(fail)
		wantState(t, b, breaker.StateClosed,
			"a failure from a call admitted before the trip, arriving after the breaker closed again, belongs to an older closed period: with it uncounted, one fresh failure (threshold 2) should leave the breaker closed. The state looking the same is not enough: number the periods")
	})
}

func TestEx2StaleSuccessDoesNotResetANewerCount(t *testing.T) {
	started(t, "CooldownBreaker")
	// A slow call admitted in the first closed period succeeds after the
	// breaker has tripped and closed again. Its success belongs to the old
	// period: it must not reset the failure count of the new one.
	lockwatch.Guard(t)
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		slow := heldInBubble(t, b, nil, "while closed")
		defer slow.let()
		tripCooldown(t, b)
		time.Sleep(time.Second + time.Millisecond)
		if err := b.Call(succeed); err != nil {
			t.Fatalf("the trial call after the cooldown should run and succeed, got %v", err)
		}
		wantState(t, b, breaker.StateClosed, "a successful trial should close the breaker")
		_ = b.Call(fail)
		wantState(t, b, breaker.StateClosed, "one failure after closing (threshold 2) should leave the breaker closed")
		if err := slow.finish(); err != nil {
			t.Fatalf("the slow call's fn returned nil, so Call should return nil, got %v", err)
		}
		_ = b.Call(fail)
		wantState(t, b, breaker.StateOpen,
			"a success from a call admitted before the trip, arriving after the breaker closed again, belongs to an older closed period and must not reset the new period's failure count: two fresh failures in a row (threshold 2) should open the breaker. Are only stale failures ignored, and stale successes still counted?")
	})
}

func TestEx2FirstTrialResultDecides(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	requireEx2FnRunsUnlocked(t)
	for _, first := range []error{nil, errDown} {
		synctest.Test(t, func(t *testing.T) {
			b := newCooldown()
			tripCooldown(t, b)
			time.Sleep(time.Second + time.Millisecond)
			second := errDown
			if first != nil {
				second = nil
			}
			a := heldInBubble(t, b, first, "while half-open")
			defer a.let()
			c := heldInBubble(t, b, second, "while half-open (exercise 2 does not limit the trials)")
			defer c.let()

			_ = a.finish()
			verdict := breaker.StateClosed
			if first != nil {
				verdict = breaker.StateOpen
			}
			wantState(t, b, verdict,
				"the first trial to return decides: the breaker has not changed state since it was admitted, so its result is not stale")
			_ = c.finish()
			wantState(t, b, verdict,
				"a trial that returns after another trial has decided is stale (the breaker has moved on since it was admitted) and must not overturn the verdict")
			if first != nil {
				time.Sleep(time.Second + time.Millisecond)
				wantState(t, b, breaker.StateHalfOpen, "a full cooldown after the failed trial the breaker should be half-open")
			}
		})
	}
}

func TestEx2OverlappingCallsAllCount(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		first := heldInBubble(t, b, errDown, "while closed")
		defer first.let()
		second := heldInBubble(t, b, errDown, "while closed")
		defer second.let()
		_ = first.finish()
		_ = second.finish()
		wantState(t, b, breaker.StateOpen,
			"two failures from calls admitted while closed (threshold 2) must both count, even when their fns overlap: is each call given a generation of its own, instead of one per change of state?")
	})
}

// The next tests force the interleavings that concurrency mistakes need,
// so they fail the same way every run, with or without -race.

func TestEx2FnRunsWithoutTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	requireEx2FnRunsUnlocked(t)
}

func TestEx2StateTakesTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	for _, open := range []bool{false, true} {
		b := &CooldownBreaker{Threshold: 1, Cooldown: time.Hour}
		if open {
			_ = b.Call(fail)
		}
		if got := firstWhileHeld(&b.mu, nil, func() { b.State() }); got != "asked" {
			t.Fatalf("while another goroutine held mu, State() %s: it reads the state without the lock, a data race (go test -race reports it)",
				didText(got))
		}
	}
}

func TestEx2CallChecksTheStateUnderTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	b := &CooldownBreaker{Threshold: 1, Cooldown: time.Hour}
	entered := make(chan struct{})
	got := firstWhileHeld(&b.mu, entered, func() { _ = b.Call(func() error { close(entered); return nil }) })
	if got != "asked" {
		t.Fatalf("while another goroutine held mu, Call on a closed breaker %s: it checks the state without the lock",
			didText(got))
	}
	_ = b.Call(fail)
	if got := firstWhileHeld(&b.mu, nil, func() { _ = b.Call(succeed) }); got != "asked" {
		t.Fatalf("while another goroutine held mu, Call on an open breaker %s: it reads the state without the lock",
			didText(got))
	}
}

func TestEx2CallRecordsTheResultUnderTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	for _, result := range []error{errDown, nil} {
		b := &CooldownBreaker{Threshold: 1, Cooldown: time.Hour}
		if got := recordsUnderLock(b.Call, &b.mu, result); got != "asked" {
			t.Fatalf("fn returned %v while another goroutine held mu, and Call %s: it records the result without the lock",
				result, didText(got))
		}
	}
}

func TestEx2AdmissionIsOneCriticalSection(t *testing.T) {
	started(t, "CooldownBreaker")
	// A call is admitted: the test pauses it just after it first releases
	// the lock, opens the breaker meanwhile, and then lets it go on. If the
	// call checked the state in one critical section and read the
	// generation in another, it now carries the new generation, and its
	// (stale) failure counts in the open breaker's.
	lockwatch.Guard(t)
	requireEx2FnRunsUnlocked(t)
	synctest.Test(t, func(t *testing.T) {
		b := newCooldown()
		paused, resume := lockwatch.PauseAfterUnlock(&b.mu)
		defer resume()
		done := make(chan error, 1)
		go func() { done <- b.Call(fail) }()
		synctest.Wait()
		select {
		case <-paused:
		case err := <-done:
			t.Fatalf("Call returned %v without ever releasing mu", err)
		}
		tripCooldown(t, b)
		time.Sleep(500 * time.Millisecond)
		resume()
		if err := <-done; err != errDown && err != breaker.ErrOpenState {
			t.Fatalf("the paused call should either run fn and return %q, or find the breaker open and return breaker.ErrOpenState, got %v",
				errDown, err)
		}
		time.Sleep(500*time.Millisecond + time.Millisecond)
		wantState(t, b, breaker.StateHalfOpen,
			"a call admitted while closed, whose failure arrived after the breaker opened, restarted the cooldown: check the state and note the generation in ONE critical section (1s + 1ms after the trip it should be half-open)")
	})
}

func TestEx2SafeForConcurrentUse(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	synctest.Test(t, func(t *testing.T) {
		const n = 50
		for round := range 10 {
			b := &CooldownBreaker{Threshold: n, Cooldown: time.Second}
			// Threshold failures at once: every one must be counted.
			for i, err := range together(n, func() error { return b.Call(fail) }) {
				if !errors.Is(err, errDown) {
					t.Fatalf("round %d: %d goroutines each made one failing call (threshold %d); every call should reach the dependency and return %q, but call %d returned %v",
						round, n, n, errDown, i, err)
				}
			}
			wantState(t, b, breaker.StateOpen, "failures from many goroutines at once, as many as the threshold, should all be counted and open the breaker")

			// After the cooldown a crowd of trials, all successful: the
			// first closes the breaker and nothing re-opens it.
			time.Sleep(time.Second + time.Millisecond)
			for i, err := range together(n, func() error { return b.Call(succeed) }) {
				if err != nil {
					t.Fatalf("round %d: after the cooldown every trial should run and succeed (exercise 2 does not limit them), but call %d returned %v", round, i, err)
				}
			}
			wantState(t, b, breaker.StateClosed, "successful trials at once should leave the breaker closed")
		}
	})
}

func TestEx2ThresholdBelowOneMeansOne(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "CooldownBreaker")
	// A negative Threshold too: a default applied only to 0 (the zero
	// value) leaves -2 as it is, and no count of failures equals it.
	for _, threshold := range []int{0, -2} {
		synctest.Test(t, func(t *testing.T) {
			b := &CooldownBreaker{Threshold: threshold, Cooldown: time.Second}
			wantState(t, b, breaker.StateClosed,
				fmt.Sprintf("Threshold %d (treated as 1): a new breaker should be closed", threshold))
			_ = b.Call(fail)
			wantState(t, b, breaker.StateOpen, fmt.Sprintf("Threshold %d (treated as 1): one failure should open "+
				"the breaker (every Threshold below 1 means 1, not only 0)", threshold))
		})
	}
}
