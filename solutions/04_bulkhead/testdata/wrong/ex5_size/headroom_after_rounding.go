// Mistake: rounds L up first and then applies the headroom, rounding up twice.
// Caught: "Round once, at the end"
package exercises

import (
	"errors"
	"fmt"
	"math"
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
	num := big.NewInt(int64(m.Calls))
	num.Mul(num, big.NewInt(int64(m.MeanLatency)))
	l, rest := new(big.Int).QuoRem(num, big.NewInt(int64(m.Window)), new(big.Int))
	if rest.Sign() > 0 {
		l.Add(l, big.NewInt(1))
	}
	l.Mul(l, big.NewInt(int64(100+headroomPercent)))
	slots, rest := new(big.Int).QuoRem(l, big.NewInt(100), new(big.Int))
	if rest.Sign() > 0 {
		slots.Add(slots, big.NewInt(1))
	}
	if !slots.IsInt64() || slots.Int64() > math.MaxInt32 {
		return 0, errTooManySlots
	}
	return max(int(slots.Int64()), 1), nil
}

var errTooManySlots = errors.New("more than math.MaxInt32 slots: check the measurement")
