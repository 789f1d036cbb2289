package exercises

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestFullJitter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	capped := 800 * time.Millisecond
	var lowest, highest time.Duration = capped, 0
	for range 1000 {
		d := FullJitter(capped, rng.Int64N)
		if d < 0 || d > capped {
			t.Fatalf("FullJitter(%v) = %v, want a delay in [0, %v]", capped, d, capped)
		}
		lowest, highest = min(lowest, d), max(highest, d)
	}
	if lowest > capped/10 || highest < capped*9/10 {
		t.Errorf("1000 draws of FullJitter(%v) ranged over [%v, %v]; full jitter should cover the whole range [0, %v]",
			capped, lowest, highest, capped)
	}
	// The top of the range must be reachable: with randN always returning
	// its largest value, the delay is exactly capped.
	if d := FullJitter(capped, func(n int64) int64 { return n - 1 }); d != capped {
		t.Errorf("with the largest random draw FullJitter(%v) = %v, want %v (the range includes capped)", capped, d, capped)
	}
}

func TestDecorrelatedJitter(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	base, maxDelay := 10*time.Millisecond, time.Second
	prev := time.Duration(0)
	grew := false
	for i := range 200 {
		d := DecorrelatedJitter(base, maxDelay, prev, rng.Int64N)
		hi := min(maxDelay, 3*max(prev, base))
		if d < base || d > hi {
			t.Fatalf("draw %d: DecorrelatedJitter(base=%v, max=%v, prev=%v) = %v, want a delay in [%v, %v]",
				i, base, maxDelay, prev, d, base, hi)
		}
		grew = grew || d > 3*base
		prev = d
	}
	if !grew {
		t.Errorf("over 200 draws the delay never grew past 3·base = %v; each delay should be able to reach 3× the previous one", 3*base)
	}
	top := func(n int64) int64 { return n - 1 }
	if d := DecorrelatedJitter(base, maxDelay, 500*time.Millisecond, top); d != maxDelay {
		t.Errorf("DecorrelatedJitter with prev=500ms and the largest draw = %v, want the cap %v", d, maxDelay)
	}
}
