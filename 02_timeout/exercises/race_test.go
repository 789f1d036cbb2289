//go:build race

package exercises

// The race detector also shuffles the scheduler's choices, which some
// tests need to know (see keptAtTheDeadline).
func init() { raceDetector = true }
