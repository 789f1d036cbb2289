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
	started(t, "FailureRatioTrip")
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
		{"119 failures out of 200 finished is 59.5%, below 60% (is the share rounded to whole percent?)",
			breaker.Counts{Requests: 200, TotalSuccesses: 81, TotalFailures: 119}, false},
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
		{"2,576,980,378 failures out of 4,294,967,296 finished are 60%, far more than the minimum of 3: TotalSuccesses + TotalFailures overflows a uint32, to 0 here (add in uint64 or float64, for the minimum too)",
			breaker.Counts{Requests: 4_000_000_000, TotalSuccesses: 1_717_986_918, TotalFailures: 2_576_980_378}, true},
		{"1 failure out of 4 finished is 25%: the 2 excluded calls are neither failures nor successes, and must not be added to either",
			breaker.Counts{Requests: 6, TotalSuccesses: 3, TotalFailures: 1, TotalExclusions: 2}, false},
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

func TestEx4RatioIsAtLeast(t *testing.T) {
	started(t, "FailureRatioTrip")
	// k failures out of 10 are exactly the ratio k/10, so they trip, and
	// k-1 are below it, so they do not. In float64, TotalFailures/finished
	// and ratio round the same way; 1-ratio, ratio*finished or a success
	// share each round differently and miss the boundary for some k.
	for k := uint32(1); k <= 9; k++ {
		ratio := float64(k) / 10
		trip := FailureRatioTrip(10, ratio)
		for _, failures := range []uint32{k, k - 1} {
			c := breaker.Counts{Requests: 10, TotalSuccesses: 10 - failures, TotalFailures: failures}
			want := failures == k
			got, panicked := tripSafely(trip, c)
			if panicked != "" {
				t.Errorf("FailureRatioTrip(10, %v) with %+v panicked: %s", ratio, c, panicked)
				continue
			}
			if got != want {
				t.Errorf("FailureRatioTrip(10, %v) with %d failures out of 10 finished (%d%%) should return %v, got %v: it trips when the share of failures, TotalFailures / (TotalSuccesses + TotalFailures), is at least ratio; compare that share with ratio itself",
					ratio, failures, failures*10, want, got)
			}
		}
	}
}

func TestEx4WithoutAMinimum(t *testing.T) {
	started(t, "FailureRatioTrip")
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
	started(t, "FailureRatioTrip")
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
