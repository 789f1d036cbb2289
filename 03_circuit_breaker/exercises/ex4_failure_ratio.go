package exercises

import "reliability/03_circuit_breaker/breaker"

// Exercise 4: trip on a failure ratio, not a streak.
//
// FailureRatioTrip returns a ReadyToTrip for breaker.Settings that trips
// when at least minResults calls have finished in the current window and
// the share of failures among them is at least ratio (0.6 means 60%).
// With no finished call there is no ratio, and it does not trip.
//
// "Finished" means TotalSuccesses + TotalFailures. This exercise makes the
// popular version, the one in gobreaker's own example,
//
//	counts.Requests >= 3 && float64(counts.TotalFailures)/float64(counts.Requests) >= 0.6
//
// the wrong answer on purpose, because it divides by Requests. Requests
// also counts calls still in flight and calls whose result was excluded,
// and neither kind says anything about the dependency's health. So ten
// slow calls in flight dilute two real failures to 2 in 12: the breaker
// does not trip yet, only once enough of the slow calls have failed too.
// The other way round, calls in flight count toward the minimum: two
// failures finished and one call still running make 2 in 3, 67%, so the
// breaker trips on only two results.
//
// Hint: a ratio with a minimum is what keeps one unlucky first call (1
// failure out of 1 = 100%) from opening the breaker. Do the arithmetic in
// float64 or uint64: two uint32 counts can overflow when added.
//
// Run: go test -run Ex4 ./03_circuit_breaker/exercises/
func FailureRatioTrip(minResults uint32, ratio float64) func(breaker.Counts) bool {
	return func(breaker.Counts) bool { return false }
}
