package exercises

import (
	"errors"
	"testing"

	"reliability/03_circuit_breaker/breaker"
)

func TestEx4TripsOnTheRatioOfFinishedCalls(t *testing.T) {
	trip := FailureRatioTrip(3, 0.6)
	cases := []struct {
		why    string
		counts breaker.Counts
		want   bool
	}{
		{"2 failures out of 3 finished is 67%",
			breaker.Counts{Requests: 3, TotalSuccesses: 1, TotalFailures: 2}, true},
		{"3 failures out of 5 finished is exactly 60%",
			breaker.Counts{Requests: 5, TotalSuccesses: 2, TotalFailures: 3}, true},
		{"1 failure out of 3 finished is 33%",
			breaker.Counts{Requests: 3, TotalSuccesses: 2, TotalFailures: 1}, false},
		{"2 failures out of 2 finished is too few results to judge",
			breaker.Counts{Requests: 2, TotalFailures: 2}, false},
		{"2 failures and 1 success finished (67%), even with 1 excluded call and 4 in flight",
			breaker.Counts{Requests: 8, TotalSuccesses: 1, TotalFailures: 2, TotalExclusions: 1}, true},
		{"2 failures finished and 3 calls excluded is still too few results",
			breaker.Counts{Requests: 5, TotalFailures: 2, TotalExclusions: 3}, false},
		{"2 failures finished and 1 call still in flight is too few results to judge",
			breaker.Counts{Requests: 3, TotalFailures: 2}, false},
	}
	for _, c := range cases {
		if got := trip(c.counts); got != c.want {
			t.Errorf("FailureRatioTrip(3, 0.6) with %+v: %s, so it should return %v, got %v", c.counts, c.why, c.want, got)
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
