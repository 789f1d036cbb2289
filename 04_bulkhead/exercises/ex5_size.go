package exercises

import "time"

// Measurement is what a dashboard shows about the calls to a dependency
// over a window of time.
type Measurement struct {
	Calls       int           // calls completed during Window
	Window      time.Duration // how long the measurement lasted
	MeanLatency time.Duration // the mean time one call held its slot
}

// Exercise 5: size a bulkhead with Little's law.
//
// Little's law says that the mean number of calls in flight is L = λ × W:
// the throughput λ (calls per unit of time) times the mean latency W. A
// bulkhead with fewer slots than L throttles a healthy dependency; one
// with far more protects nothing when the dependency turns slow. Implement
// Size:
//
//   - λ is m.Calls / m.Window and W is m.MeanLatency. Size returns
//     L × (1 + headroomPercent/100), rounded up to a whole number of
//     slots, and at least 1: an idle dependency still needs a slot.
//   - Round up only what is not whole already: 300 calls in 1s at 70ms
//     each is exactly 21 slots, not 22.
//   - Return an error for a Window of 0 or less, a negative Calls,
//     MeanLatency or headroomPercent, or a size above math.MaxInt32 (no
//     bulkhead has that many slots; bulkhead.New refuses them).
//
// Hint: keep the arithmetic in whole nanoseconds and divide last. Most
// durations have no exact d.Seconds() (70ms is not exactly 0.07 in
// binary), and rounding up turns 21.000000000000004 into 22. Integers are
// exact but can overflow; math/big cannot.
//
// Run: go test -run Ex5 ./04_bulkhead/exercises/
func Size(m Measurement, headroomPercent int) (int, error) {
	return 0, errNotImplemented
}
