package exercises

import "reliability/03_circuit_breaker/breaker"

// FailureRatioTrip returns a ReadyToTrip for breaker.Settings that trips
// when at least minResults calls have finished in the current window and
// the share of failures among them is at least ratio (0.6 means 60%).
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
// Excluded calls (a canceled request, say) stay in Requests until the
// window ends and dilute the ratio all that time. The other way round,
// calls in flight count toward the minimum: two failures finished and one
// call still running make 2 in 3, 67%, so the breaker trips on only two
// results.
//
// Exercise 4: implement FailureRatioTrip. (The stub never trips.)
// Hint: a ratio with a minimum is what keeps one unlucky first call (1
// failure out of 1 = 100%) from opening the breaker.
func FailureRatioTrip(minResults uint32, ratio float64) func(breaker.Counts) bool {
	return func(breaker.Counts) bool { return false }
}
