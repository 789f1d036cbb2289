// Mistake: Excluded results are added to the failures.
// Caught: "must not be added to either"
package exercises

import "reliability/03_circuit_breaker/breaker"

// FailureRatioTrip returns a ReadyToTrip for breaker.Settings that trips
// when at least minResults calls have finished in the current window and
// the share of failures among them is at least ratio (0.6 means 60%).
// With no finished call there is no ratio, and it does not trip.
//
// "Finished" means TotalSuccesses + TotalFailures: unlike Requests, it
// leaves out calls still in flight and calls whose result was excluded,
// which say nothing about the dependency. That is why the popular
// Requests >= 3 && TotalFailures/Requests >= 0.6 is the wrong answer here:
// such calls dilute the ratio (so it trips late, or not before the window
// ends) and make up the minimum.
func FailureRatioTrip(minResults uint32, ratio float64) func(breaker.Counts) bool {
	return func(c breaker.Counts) bool {
		// Add in uint64: two uint32 counts can overflow uint32.
		finished := uint64(c.TotalSuccesses) + uint64(c.TotalFailures)
		if finished == 0 || finished < uint64(minResults) {
			return false
		}
		return float64(c.TotalFailures+c.TotalExclusions)/float64(finished) >= ratio
	}
}
