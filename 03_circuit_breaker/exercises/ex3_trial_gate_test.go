package exercises

import (
	"testing"

	"reliability/03_circuit_breaker/breaker"
)

func TestEx3AdmitsAtMostMaxProbesUnderContention(t *testing.T) {
	// A crowd released at the same instant, round after round, so that a
	// gate which checks for a free slot and takes it in two separate
	// critical sections lets two goroutines through on the last slot. That
	// window is a few instructions wide: without -race it almost never
	// shows; with -race (as make test runs the solutions), whose scheduling
	// is far less regular, 1000 rounds catch it every time in practice.
	// No test can make it certain without reaching into the gate.
	const crowd = 100
	for round := range 1000 {
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

func TestEx3ClosesAfterMaxProbesSuccesses(t *testing.T) {
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

func TestEx3OneFailureReopens(t *testing.T) {
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
		t.Fatalf("a failed trial should re-open the circuit, got %v", got)
	}
	if got := g.Report(nil); got != breaker.StateOpen {
		t.Errorf("a late success must not overturn the failure: want open, got %v", got)
	}
	if g.Admit() {
		t.Errorf("after a failed trial no more trials should be admitted")
	}
}

func TestEx3ZeroMaxProbesMeansOne(t *testing.T) {
	var g TrialGate
	if !g.Admit() {
		t.Fatalf("with MaxProbes 0 (treated as 1) the first trial should be admitted")
	}
	if g.Admit() {
		t.Fatalf("with MaxProbes 0 (treated as 1) a second trial should be refused")
	}
	if got := g.Report(nil); got != breaker.StateClosed {
		t.Fatalf("one successful trial out of 1 should close the circuit, got %v", got)
	}
}
