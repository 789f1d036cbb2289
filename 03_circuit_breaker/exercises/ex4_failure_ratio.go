package exercises

import "reliability/03_circuit_breaker/breaker"

// FailureRatioTrip returns a ReadyToTrip for breaker.Settings that trips
// when at least minResults calls have finished in the current window and
// the share of failures among them is at least ratio (0.6 means 60%).
//
// "Finished" means TotalSuccesses + TotalFailures. The popular version,
//
//	counts.Requests >= 3 && float64(counts.TotalFailures)/float64(counts.Requests) >= 0.6
//
// divides by Requests, which also counts calls still in flight and calls
// whose result was excluded: ten slow calls in flight dilute two real
// failures into a ratio that never trips.
//
// Exercise 4: implement FailureRatioTrip. (The stub never trips.)
// Hint: a ratio with a minimum is what keeps one unlucky first call (1
// failure out of 1 = 100%) from opening the breaker.
func FailureRatioTrip(minResults uint32, ratio float64) func(breaker.Counts) bool {
	return func(breaker.Counts) bool { return false }
}
