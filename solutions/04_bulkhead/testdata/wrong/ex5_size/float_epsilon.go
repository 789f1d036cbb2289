// Mistake: float64 seconds with Ceil(x - 1e-9) to hide float error: a size just above whole is rounded down.
// Caught: "Subtracting an epsilon before rounding up"
package exercises

import (
	"errors"
	"fmt"
	"math"
	"time"
)

type Measurement struct {
	Calls       int
	Window      time.Duration
	MeanLatency time.Duration
}

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
	l := float64(m.Calls) / m.Window.Seconds() * m.MeanLatency.Seconds()
	x := math.Ceil(l*(1+float64(headroomPercent)/100) - 1e-9)
	if x > math.MaxInt32 {
		return 0, errTooManySlots
	}
	return max(int(x), 1), nil
}

var errTooManySlots = errors.New("more than math.MaxInt32 slots: check the measurement")
