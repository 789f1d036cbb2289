package exercises

import (
	"errors"
	"fmt"
	"testing"

	"reliability/03_circuit_breaker/breaker"
)

// tripSafely calls trip and turns a panic into an error message.
func tripSafely(trip func(breaker.Counts) bool, c breaker.Counts) (tripped bool, panicked string) {
	defer func() {
		if v := recover(); v != nil {
			panicked = fmt.Sprint(v)
		}
	}()
	return trip(c), ""
}

func TestEx4TripsOnTheRatioOfFinishedCalls(t *testing.T) {
	trip := FailureRatioTrip(3, 0.6)
	cases := []struct {
		why    string
		counts breaker.Counts
		want   bool
	}{
		{"2 failures out of 3 finished is 67%",
			breaker.Counts{Requests: 3, TotalSuccesses: 1, TotalFailures: 2}, true},
		{"3 failures out of 5 finished is exactly 60%, and the ratio is a minimum: >=, not >",
			breaker.Counts{Requests: 5, TotalSuccesses: 2, TotalFailures: 3}, true},
		{"3 failures out of 3 finished is 100%",
			breaker.Counts{Requests: 3, TotalFailures: 3}, true},
		{"1 failure out of 3 finished is 33%",
			breaker.Counts{Requests: 3, TotalSuccesses: 2, TotalFailures: 1}, false},
		{"5 failures out of 9 finished is 56%",
			breaker.Counts{Requests: 9, TotalSuccesses: 4, TotalFailures: 5}, false},
		{"2 failures out of 2 finished is too few results to judge",
			breaker.Counts{Requests: 2, TotalFailures: 2}, false},
		{"2 failures and 1 success finished (67%), even with 1 excluded call and 4 in flight: the ratio is over finished calls, not Requests",
			breaker.Counts{Requests: 8, TotalSuccesses: 1, TotalFailures: 2, TotalExclusions: 1}, true},
		{"2 failures finished and 3 calls excluded is still too few results: excluded calls say nothing about the dependency",
			breaker.Counts{Requests: 5, TotalFailures: 2, TotalExclusions: 3}, false},
		{"2 failures finished and 1 call still in flight is too few results to judge: calls in flight have no result yet",
			breaker.Counts{Requests: 3, TotalFailures: 2}, false},
		{"3 billion successes and 3 billion failures are 50%, below 60%: TotalSuccesses + TotalFailures overflows a uint32 (add in uint64 or float64)",
			breaker.Counts{Requests: 4_000_000_000, TotalSuccesses: 3_000_000_000, TotalFailures: 3_000_000_000}, false},
	}
	for _, c := range cases {
		got, panicked := tripSafely(trip, c.counts)
		if panicked != "" {
			t.Errorf("FailureRatioTrip(3, 0.6) with %+v panicked: %s", c.counts, panicked)
			continue
		}
		if got != c.want {
			t.Errorf("FailureRatioTrip(3, 0.6) with %+v: %s, so it should return %v, got %v", c.counts, c.why, c.want, got)
		}
	}
}

func TestEx4WithoutAMinimum(t *testing.T) {
	// With minResults 0 there is no minimum: one failure out of one
	// finished call is 100%. But nothing then guards an empty window: 0
	// failures out of 0 finished calls is no ratio at all (0/0 is NaN in
	// float64, a panic in integers), and it must not trip.
	if got, panicked := tripSafely(FailureRatioTrip(0, 0.5), breaker.Counts{Requests: 1, TotalFailures: 1}); !got || panicked != "" {
		t.Errorf("FailureRatioTrip(0, 0.5) with 1 failure out of 1 finished (100%%) should trip, got %v (panic: %q)", got, panicked)
	}
	for _, c := range []breaker.Counts{{}, {Requests: 4}, {Requests: 3, TotalExclusions: 3}} {
		for _, ratio := range []float64{0, 0.5} {
			got, panicked := tripSafely(FailureRatioTrip(0, ratio), c)
			switch {
			case panicked != "":
				t.Errorf("FailureRatioTrip(0, %v) with %+v (no finished calls) panicked: %s. Is it dividing by zero?", ratio, c, panicked)
			case got:
				t.Errorf("FailureRatioTrip(0, %v) with %+v tripped, but no call has finished: with nothing to divide by there is no ratio, and it must not trip", ratio, c)
			}
		}
	}
}

func TestEx4OpensARealBreaker(t *testing.T) {
	b := breaker.New(breaker.Settings{ReadyToTrip: FailureRatioTrip(3, 0.6)})
	for i, fn := range []func() error{fail, succeed} {
		if err := b.Execute(fn); errors.Is(err, breaker.ErrOpenState) {
			t.Fatalf("call %d: the breaker opened too early", i+1)
		}
	}
	if err := b.Execute(fail); !errors.Is(err, errDown) {
		t.Fatalf("the third call should reach the dependency, got %v", err)
	}
	if got := b.State(); got != breaker.StateOpen {
		t.Fatalf("fail, succeed, fail is 2 failures out of 3 (67%% >= 60%%): the breaker should be open, got %v", got)
	}
}
