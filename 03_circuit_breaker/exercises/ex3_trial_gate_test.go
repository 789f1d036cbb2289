package exercises

import (
	"testing"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/lockwatch"
)

func TestEx3ClosesAfterMaxProbesSuccesses(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	g := &TrialGate{MaxProbes: 3}
	for i := 1; i <= 3; i++ {
		if !g.Admit() {
			t.Fatalf("trial %d of 3 should be admitted", i)
		}
		want := breaker.StateHalfOpen
		if i == 3 {
			want = breaker.StateClosed
		}
		if got := g.Report(nil); got != want {
			t.Fatalf("after %d of 3 successful trials the verdict should be %v, got %v", i, want, got)
		}
	}
	if g.Admit() {
		t.Errorf("once the verdict is in, no more trials should be admitted")
	}
}

func TestEx3ClosesOnSuccessesNotAdmissions(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	g := &TrialGate{MaxProbes: 3}
	for i := 1; i <= 3; i++ {
		if !g.Admit() {
			t.Fatalf("trial %d of 3 should be admitted", i)
		}
	}
	if g.Admit() {
		t.Fatalf("a 4th trial was admitted with MaxProbes 3")
	}
	for i := 1; i <= 3; i++ {
		want := breaker.StateHalfOpen
		if i == 3 {
			want = breaker.StateClosed
		}
		if got := g.Report(nil); got != want {
			t.Fatalf("all 3 trials admitted, %d of them succeeded so far: the verdict should be %v, got %v (the gate closes on MaxProbes successes, not on MaxProbes admissions)",
				i, want, got)
		}
		if i < 3 && g.Admit() {
			t.Fatalf("after %d of 3 admitted trials reported success, a new trial was admitted: a finished trial does not give its slot back, or the gate admits more than MaxProbes in all", i)
		}
	}
}

func TestEx3OneFailureReopens(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	g := &TrialGate{MaxProbes: 3}
	for i := 1; i <= 2; i++ {
		if !g.Admit() {
			t.Fatalf("trial %d (of 3 allowed) should be admitted", i)
		}
	}
	if got := g.Report(nil); got != breaker.StateHalfOpen {
		t.Fatalf("one success out of 3 needed leaves the verdict open to question: want half-open, got %v", got)
	}
	if got := g.Report(errDown); got != breaker.StateOpen {
		t.Fatalf("a failed trial should re-open the circuit at once, got %v", got)
	}
	for i := range 3 {
		if got := g.Report(nil); got != breaker.StateOpen {
			t.Fatalf("late success %d after the failure must not overturn it (the verdict is final once one trial failed): want open, got %v", i+1, got)
		}
	}
	if g.Admit() {
		t.Errorf("after a failed trial no more trials should be admitted, although a slot is still free")
	}
}

func TestEx3FailureDecidesWithoutWaitingForTheOthers(t *testing.T) {
	started(t, "TrialGate")
	// All three trials are admitted and the first to report has failed.
	// The two others are still running, but the verdict is already known:
	// one failure is enough.
	lockwatch.Guard(t)
	g := &TrialGate{MaxProbes: 3}
	for i := 1; i <= 3; i++ {
		if !g.Admit() {
			t.Fatalf("trial %d of 3 should be admitted", i)
		}
	}
	if got := g.Report(errDown); got != breaker.StateOpen {
		t.Fatalf("the first of 3 admitted trials failed: the circuit should re-open at once, without waiting for the trials still running, got %v", got)
	}
	for i := range 2 {
		if got := g.Report(nil); got != breaker.StateOpen {
			t.Fatalf("late success %d after the failure must not overturn it: want open, got %v", i+1, got)
		}
	}
}

func TestEx3VerdictIsFinal(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	g := &TrialGate{MaxProbes: 2}
	for range 2 {
		if !g.Admit() {
			t.Fatalf("2 trials (MaxProbes 2) should be admitted")
		}
	}
	for i := 1; i <= 2; i++ {
		_ = g.Report(nil)
	}
	for _, late := range []error{errDown, nil, errDown} {
		if got := g.Report(late); got != breaker.StateClosed {
			t.Fatalf("after 2 of 2 trials succeeded the verdict is closed, and a late report (%v) must not overturn it: want closed, got %v", late, got)
		}
	}
	if g.Admit() {
		t.Errorf("once the verdict is in, no more trials should be admitted")
	}
}

func TestEx3MaxProbesBelowOneMeansOne(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	for _, maxProbes := range []int{0, -2} {
		g := TrialGate{MaxProbes: maxProbes}
		if !g.Admit() {
			t.Fatalf("with MaxProbes %d (treated as 1) the first trial should be admitted", maxProbes)
		}
		if g.Admit() {
			t.Fatalf("with MaxProbes %d (treated as 1) a second trial should be refused", maxProbes)
		}
		if got := g.Report(nil); got != breaker.StateClosed {
			t.Fatalf("with MaxProbes %d (treated as 1) one successful trial should close the circuit, got %v", maxProbes, got)
		}
	}
}

// The next tests force the interleavings that concurrency mistakes need,
// so they fail the same way every run, with or without -race.

func TestEx3LastSlotGoesToOneCaller(t *testing.T) {
	started(t, "TrialGate")
	// Two callers want the last free slot. The test pauses the first just
	// after it releases the lock for the first time and lets the second
	// run meanwhile. A gate that checks for a free slot in one critical
	// section and takes it in another admits both.
	lockwatch.Guard(t)
	for _, maxProbes := range []int{1, 3} {
		g := &TrialGate{MaxProbes: maxProbes}
		for range maxProbes - 1 {
			if !g.Admit() {
				t.Fatalf("MaxProbes %d: the first %d trials should be admitted", maxProbes, maxProbes-1)
			}
		}
		paused, resume := lockwatch.PauseAfterUnlock(&g.mu)
		first := make(chan bool, 1)
		go func() { first <- g.Admit() }()
		select {
		case <-paused:
		case ok := <-first:
			resume()
			t.Fatalf("MaxProbes %d: Admit returned %v without ever releasing mu: does it take the lock?", maxProbes, ok)
		case <-after(realTimeout):
			resume()
			t.Fatalf("MaxProbes %d: Admit neither released mu nor returned within %v", maxProbes, realTimeout)
		}
		second := g.Admit()
		resume()
		if <-first && second {
			t.Fatalf("MaxProbes %d: two callers were both admitted to the last trial slot: check for a free slot and take it in the same critical section", maxProbes)
		}
	}
}

func TestEx3VerdictIsOneCriticalSection(t *testing.T) {
	started(t, "TrialGate")
	// The last success and a failure are reported at the same time. The
	// test pauses the success just after it first releases the lock and
	// lets the failure through meanwhile. Whichever comes first decides,
	// but both reports must name the same verdict.
	lockwatch.Guard(t)
	g := &TrialGate{MaxProbes: 2}
	for range 2 {
		if !g.Admit() {
			t.Fatalf("2 trials (MaxProbes 2) should be admitted")
		}
	}
	if got := g.Report(nil); got != breaker.StateHalfOpen {
		t.Fatalf("1 of 2 trials succeeded: the verdict should be half-open, got %v", got)
	}
	paused, resume := lockwatch.PauseAfterUnlock(&g.mu)
	success := make(chan breaker.State, 1)
	go func() { success <- g.Report(nil) }()
	select {
	case <-paused:
	case <-success:
		resume()
		t.Fatalf("Report returned without ever releasing mu: does it take the lock?")
	case <-after(realTimeout):
		resume()
		t.Fatalf("Report neither released mu nor returned within %v", realTimeout)
	}
	failure := g.Report(errDown)
	resume()
	first := <-success
	final := g.Report(nil)
	if first != failure || final != first {
		t.Fatalf("the last success and a failure reported at once got the verdicts %v and %v, and a later report says %v: the verdict changed after it was given. Read and update the counts and the verdict in ONE critical section",
			first, failure, final)
	}
}

func TestEx3EachReportNamesItsOwnVerdict(t *testing.T) {
	started(t, "TrialGate")
	// Two successes close a gate with MaxProbes 2. The test pauses the
	// first report just after it releases the lock and lets the second
	// one close the gate meanwhile. The first success did not close the
	// gate, so its report must say half-open, not what the gate became
	// after the second: a verdict read after unlocking is someone else's.
	lockwatch.Guard(t)
	g := &TrialGate{MaxProbes: 2}
	for range 2 {
		if !g.Admit() {
			t.Fatalf("2 trials (MaxProbes 2) should be admitted")
		}
	}
	paused, resume := lockwatch.PauseAfterUnlock(&g.mu)
	defer resume()
	first := make(chan breaker.State, 1)
	go func() { first <- g.Report(nil) }()
	select {
	case <-paused:
	case <-first:
		t.Fatalf("Report returned without ever releasing mu: does it take the lock?")
	case <-after(realTimeout):
		t.Fatalf("Report neither released mu nor returned within %v", realTimeout)
	}
	second := g.Report(nil)
	resume()
	if got := <-first; got != breaker.StateHalfOpen || second != breaker.StateClosed {
		t.Fatalf("the first of 2 successes (MaxProbes 2) should report half-open and the second closed, got %v and %v: is the verdict read after the lock is released?",
			got, second)
	}
}

// decidedGate returns a gate with MaxProbes 1 whose one trial has
// reported result, so that its verdict is known.
func decidedGate(t *testing.T, result error) *TrialGate {
	t.Helper()
	g := &TrialGate{MaxProbes: 1}
	if !g.Admit() {
		t.Fatalf("with MaxProbes 1 the first trial should be admitted")
	}
	_ = g.Report(result)
	return g
}

func TestEx3AdmitTakesTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	g := &TrialGate{MaxProbes: 2}
	if got := firstWhileHeld(&g.mu, nil, func() { g.Admit() }); got != "asked" {
		t.Fatalf("while another goroutine held mu, Admit %s: it reads or changes the counts without the lock", didText(got))
	}
	// Once the verdict is known, Admit still reads it under the lock.
	for _, result := range []error{nil, errDown} {
		g := decidedGate(t, result)
		if got := firstWhileHeld(&g.mu, nil, func() { g.Admit() }); got != "asked" {
			t.Fatalf("once a trial had reported %v and the verdict was known, while another goroutine held mu, Admit %s: it reads the verdict without the lock, a data race (go test -race reports it)",
				result, didText(got))
		}
	}
}

func TestEx3ReportTakesTheLock(t *testing.T) {
	lockwatch.Guard(t)
	started(t, "TrialGate")
	for _, result := range []error{nil, errDown} {
		g := &TrialGate{MaxProbes: 2}
		_ = g.Admit()
		if got := firstWhileHeld(&g.mu, nil, func() { g.Report(result) }); got != "asked" {
			t.Fatalf("while another goroutine held mu, Report(%v) %s: it reads or changes the counts without the lock", result, didText(got))
		}
	}
	// A late report, after the verdict, still reads it under the lock.
	for _, result := range []error{nil, errDown} {
		g := decidedGate(t, result)
		if got := firstWhileHeld(&g.mu, nil, func() { g.Report(nil) }); got != "asked" {
			t.Fatalf("once a trial had reported %v and the verdict was known, while another goroutine held mu, a late Report %s: it reads the verdict without the lock, a data race (go test -race reports it)",
				result, didText(got))
		}
	}
}

func TestEx3AdmitsAtMostMaxProbesUnderContention(t *testing.T) {
	started(t, "TrialGate")
	// A crowd released at the same instant, round after round: a net for
	// go test -race. TestEx3LastSlotGoesToOneCaller catches a
	// check-then-act race every time, race detector or not.
	lockwatch.Guard(t)
	const crowd = 100
	for round := range 100 {
		g := &TrialGate{MaxProbes: 3}
		admitted := 0
		for _, ok := range together(crowd, g.Admit) {
			if ok {
				admitted++
			}
		}
		if admitted != 3 {
			t.Fatalf("round %d: %d goroutines asked at once; exactly MaxProbes=3 should be admitted, got %d", round, crowd, admitted)
		}
	}
}
