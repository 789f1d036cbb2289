package exercises

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestEx2FullJitterCoversTheRange(t *testing.T) {
	started(t, "FullJitter")
	rng := rand.New(rand.NewPCG(1, 1))
	capped := 800 * ms
	lo, hi := capped, time.Duration(0)
	for range 1000 {
		d := FullJitter(capped, scripted(t, rng.Int64N))
		if d < 0 || d > capped {
			t.Fatalf("FullJitter(%v) = %v, want a delay in [0, %v]", capped, d, capped)
		}
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo > capped/10 || hi < capped*9/10 {
		t.Errorf("1000 draws of FullJitter(%v) ranged over [%v, %v]; full jitter covers the whole range [0, %v] (is this equal jitter, or no jitter at all?)",
			capped, lo, hi, capped)
	}
}

func TestEx2FullJitterReachesBothEnds(t *testing.T) {
	started(t, "FullJitter")
	capped := 800 * ms
	a := FullJitter(capped, scripted(t, lowest))
	b := FullJitter(capped, scripted(t, highest))
	if min(a, b) != 0 || max(a, b) != capped {
		t.Errorf("FullJitter(%v) with the smallest and the largest draw of randN = %v and %v, want 0 and %v: both ends are included (randN(n) returns at most n-1, so the range [0, capped] needs randN(capped+1))",
			capped, a, b, capped)
	}
	for _, c := range []time.Duration{0, -time.Second} {
		calls := 0
		d := FullJitter(c, func(n int64) int64 { calls++; return 0 })
		if d != 0 || calls != 0 {
			t.Errorf("FullJitter(%v) = %v after %d calls of randN, want 0 without calling randN (randN(n) needs n > 0)", c, d, calls)
		}
	}
}

func TestEx2FullJitterIsUniform(t *testing.T) {
	started(t, "FullJitter")
	// With capped = 9ns there are exactly ten possible delays, 0ns to 9ns;
	// uniform means each comes up about a tenth of the time.
	rng := rand.New(rand.NewPCG(3, 3))
	const draws = 20000
	got := counts(func() time.Duration { return FullJitter(9, scripted(t, rng.Int64N)) }, draws)
	for d := time.Duration(0); d <= 9; d++ {
		if n := got[d]; n < draws/10*8/10 || n > draws/10*12/10 {
			t.Errorf("FullJitter(9ns) gave %v in %d of %d draws, want about %d: every delay in [0, capped] should be equally likely (not uniform: counts %v)",
				d, n, draws, draws/10, got)
			return
		}
	}
}

func TestEx2FullJitterUsesRandN(t *testing.T) {
	started(t, "FullJitter")
	calls := 0
	count := func(n int64) int64 { calls++; return n - 1 }
	first := FullJitter(time.Second, count)
	for range 20 {
		if d := FullJitter(time.Second, scripted(t, highest)); d != first {
			t.Fatalf("FullJitter(1s) with the same scripted randN returned %v, then %v: draw from the randN passed in, not from a global random source", first, d)
		}
	}
	if calls == 0 {
		t.Errorf("FullJitter(1s) never called randN: draw from the randN passed in, not from a global random source")
	}
}

// decorrelatedHi is the top of decorrelated jitter's range.
func decorrelatedHi(base, maxDelay, prev time.Duration) time.Duration {
	return min(maxDelay, 3*max(prev, base))
}

func TestEx2DecorrelatedStaysInRange(t *testing.T) {
	started(t, "DecorrelatedJitter")
	rng := rand.New(rand.NewPCG(2, 2))
	base, maxDelay := 10*ms, time.Second
	prev := time.Duration(0)
	for i := range 2000 {
		d := DecorrelatedJitter(base, maxDelay, prev, scripted(t, rng.Int64N))
		if hi := decorrelatedHi(base, maxDelay, prev); d < base || d > hi {
			t.Fatalf("draw %d: DecorrelatedJitter(base=%v, maxDelay=%v, prev=%v) = %v, want a delay in [base, min(maxDelay, 3·prev)] = [%v, %v]",
				i, base, maxDelay, prev, d, base, hi)
		}
		prev = d
	}
}

func TestEx2DecorrelatedEnds(t *testing.T) {
	started(t, "DecorrelatedJitter")
	base, maxDelay := 10*ms, time.Second
	const shrink = "delays can drop back to base: the range starts at base, not at prev (do the delays never shrink?)"
	cases := []struct {
		prev         time.Duration
		lo, hi       time.Duration
		whyLo, whyHi string
	}{
		{0, 10 * ms, 30 * ms, "the range starts at base",
			"before the first retry prev counts as base, so the first draw ranges up to 3·base (is the first draw always base?)"},
		{5 * ms, 10 * ms, 30 * ms, "the range starts at base",
			"a prev smaller than base counts as base, not only prev = 0: the range ends at 3·base"},
		{100 * ms, 10 * ms, 300 * ms, shrink, "each delay can reach 3·prev"},
		{500 * ms, 10 * ms, time.Second, shrink, "3·500ms is over the cap: the range ends at maxDelay"},
	}
	for _, c := range cases {
		// The smallest and the largest draw of randN give the two ends of
		// the range, in either order (lo+r and hi-r are both fine).
		a := DecorrelatedJitter(base, maxDelay, c.prev, scripted(t, lowest))
		b := DecorrelatedJitter(base, maxDelay, c.prev, scripted(t, highest))
		lo, hi := min(a, b), max(a, b)
		if lo != c.lo {
			t.Errorf("DecorrelatedJitter(base=%v, maxDelay=%v, prev=%v) ranges over [%v, %v], want the low end %v: %s",
				base, maxDelay, c.prev, lo, hi, c.lo, c.whyLo)
		}
		if hi != c.hi {
			t.Errorf("DecorrelatedJitter(base=%v, maxDelay=%v, prev=%v) ranges over [%v, %v], want the high end %v: %s",
				base, maxDelay, c.prev, lo, hi, c.hi, c.whyHi)
		}
	}
}

func TestEx2DecorrelatedCapsTheRangeNotTheDraw(t *testing.T) {
	started(t, "DecorrelatedJitter")
	base, maxDelay := 10*ms, time.Second
	if d := DecorrelatedJitter(base, maxDelay, maxDelay, scripted(t, middle)); d >= maxDelay || d <= base {
		t.Errorf("DecorrelatedJitter(base=%v, maxDelay=%v, prev=%v) with a middle draw = %v, want a delay strictly inside (%v, %v): "+
			"is the cap applied after the draw, min(maxDelay, random in [base, 3·prev])? Then two thirds of the draws land on exactly maxDelay",
			base, maxDelay, maxDelay, d, base, maxDelay)
	}
	// Over many draws at the cap, every delay in [base, maxDelay] is equally
	// likely: with base 10ns and maxDelay 30ns, each of the 21 values
	// comes up about 1 time in 21, the cap included.
	rng := rand.New(rand.NewPCG(5, 5))
	const draws = 21000
	got := counts(func() time.Duration { return DecorrelatedJitter(10, 30, 30, scripted(t, rng.Int64N)) }, draws)
	for d := time.Duration(10); d <= 30; d++ {
		if n := got[d]; n < 700 || n > 1300 {
			t.Errorf("DecorrelatedJitter(base=10ns, maxDelay=30ns, prev=30ns) gave %v in %d of %d draws, want about 1000: the draw is uniform over [base, min(maxDelay, 3·prev)]; clamping a wider draw to maxDelay or to base piles draws up on that value (not uniform: counts %v)",
				d, n, draws, got)
			return
		}
	}
}

func TestEx2DecorrelatedGrowsAndShrinks(t *testing.T) {
	started(t, "DecorrelatedJitter")
	rng := rand.New(rand.NewPCG(7, 7))
	base, maxDelay := 10*ms, time.Second
	var prev, highestSeen time.Duration
	grew, shrank := 0, 0
	for range 500 {
		d := DecorrelatedJitter(base, maxDelay, prev, scripted(t, rng.Int64N))
		if d > prev && prev > 0 {
			grew++
		}
		if d < prev {
			shrank++
		}
		highestSeen = max(highestSeen, d)
		prev = d
	}
	if highestSeen < maxDelay*8/10 {
		t.Errorf("over 500 draws the delay never passed %v; each delay can reach 3× the previous one, up to maxDelay = %v", highestSeen, maxDelay)
	}
	if grew < 100 || shrank < 100 {
		t.Errorf("over 500 draws the delay grew %d times and shrank %d times; decorrelated jitter does both about as often (do the delays never shrink? is the lower end prev instead of base?)", grew, shrank)
	}
}

func TestEx2DecorrelatedNeverOverflowsOrExceedsTheCap(t *testing.T) {
	started(t, "DecorrelatedJitter")
	huge := time.Duration(math.MaxInt64)
	for _, c := range []struct {
		base, maxDelay, prev time.Duration
		why                  string
	}{
		{time.Second, huge, huge / 2, "must not overflow: 3·prev is beyond the largest time.Duration (compare prev with maxDelay/3 before multiplying)"},
		{time.Second, huge / 2, huge / 2, "must not overflow: 3·prev is beyond the largest time.Duration (compare prev with maxDelay/3 before multiplying)"},
		{2 * time.Second, time.Second, 0, "never exceeds maxDelay, even when base does"},
		{2 * time.Second, time.Second, 5 * time.Second, "never exceeds maxDelay, even when base does"},
	} {
		for _, pick := range []func(int64) int64{lowest, middle, highest} {
			d := DecorrelatedJitter(c.base, c.maxDelay, c.prev, scripted(t, pick))
			if d < min(c.base, c.maxDelay) || d > c.maxDelay {
				t.Errorf("DecorrelatedJitter(base=%v, maxDelay=%v, prev=%v) = %v, want a delay in [%v, %v]: %s",
					c.base, c.maxDelay, c.prev, d, min(c.base, c.maxDelay), c.maxDelay, c.why)
			}
		}
	}
	// 3·prev wraps to a negative number for prev = maxDelay/2 but to a
	// positive one for prev = 3/4·maxDelay or maxDelay, so checking the
	// sign of the product does not catch every overflow.
	for _, p := range []struct {
		prev time.Duration
		name string
	}{{huge / 2, "maxDelay/2"}, {huge / 4 * 3, "3/4·maxDelay"}, {huge, "maxDelay"}} {
		if d := DecorrelatedJitter(time.Second, huge, p.prev, scripted(t, highest)); d != huge {
			t.Errorf("DecorrelatedJitter(base=1s, maxDelay=%v, prev=%s) with the largest draw = %v, want maxDelay: 3·prev saturates at the cap (must not overflow; a product that wraps around can come out positive, so its sign proves nothing: compare prev with maxDelay/3 before multiplying)", huge, p.name, d)
		}
	}
}

func TestEx2DecorrelatedUsesRandN(t *testing.T) {
	started(t, "DecorrelatedJitter")
	calls := 0
	first := DecorrelatedJitter(10*ms, time.Second, 100*ms, func(n int64) int64 { calls++; return n / 3 })
	for range 20 {
		if d := DecorrelatedJitter(10*ms, time.Second, 100*ms, scripted(t, func(n int64) int64 { return n / 3 })); d != first {
			t.Fatalf("DecorrelatedJitter with the same scripted randN returned %v, then %v: draw from the randN passed in, not from a global random source", first, d)
		}
	}
	if calls == 0 {
		t.Errorf("DecorrelatedJitter(base=10ms, maxDelay=1s, prev=100ms) never called randN: draw from the randN passed in, not from a global random source")
	}
}
