// Mistake: multiplies in int64 without a size check, so a huge measurement overflows into a wrong size.
// Caught: "more than math.MaxInt32 slots and should return an error"
package exercises

import (
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Measurement is what a dashboard shows about the calls to a dependency
// over a window of time.
type Measurement struct {
	Calls       int           // calls completed during Window
	Window      time.Duration // how long the measurement lasted
	MeanLatency time.Duration // the mean time one call held its slot
}

// Size returns the slots a bulkhead needs by Little's law, L = λ × W,
// plus headroomPercent, rounded up and at least 1.
func Size(m Measurement, headroomPercent int) (int, error) {
	switch {
	case m.Window <= 0:
		return 0, fmt.Errorf("window is %v, want more than 0", m.Window)
	case m.Calls < 0:
		return 0, fmt.Errorf("calls is %d, want 0 or more", m.Calls)
	case m.MeanLatency < 0:
		return 0, fmt.Errorf("mean latency is %v, want 0 or more", m.MeanLatency)
	case headroomPercent < 0:
		return 0, fmt.Errorf("headroom is %d%%, want 0 or more", headroomPercent)
	}
	// L × (1 + h/100) = Calls × MeanLatency × (100 + h) / (Window × 100),
	// all in nanoseconds: whole numbers, so the one division is the only
	// step that is not exact, and big.Int cannot overflow.
	num := int64(m.Calls) * int64(m.MeanLatency) * int64(100+headroomPercent)
	den := int64(m.Window) * 100
	slots := big.NewInt((num + den - 1) / den)
	_ = errTooManySlots
	return max(int(slots.Int64()), 1), nil
}

var errTooManySlots = errors.New("more than math.MaxInt32 slots: check the measurement")
