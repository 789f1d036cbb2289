package exercises

import (
	"math"
	"testing"
	"time"
)

// size calls Size, turning a panic into a plain failure.
func size(t *testing.T, m Measurement, headroom int) (n int, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			hint := "A Window of 0 divides by zero: check the arguments first."
			if m.Window > 0 {
				hint = "The Window is not 0: is it cut to whole seconds or milliseconds before dividing?"
			}
			t.Fatalf("Size(%+v, %d) panicked: %v. (%s)", m, headroom, r, hint)
		}
	}()
	return Size(m, headroom)
}

type sizeCase struct {
	m        Measurement
	headroom int
	want     int
	why      string
}

func checkSizes(t *testing.T, cases []sizeCase) {
	t.Helper()
	for _, c := range cases {
		got, err := size(t, c.m, c.headroom)
		if err != nil {
			t.Errorf("Size(%+v, %d) should be %d, got error %v", c.m, c.headroom, c.want, err)
			continue
		}
		if got != c.want {
			t.Errorf("Size(%+v, %d) = %d, want %d: %s", c.m, c.headroom, got, c.want, c.why)
		}
	}
}

func TestEx5LittlesLaw(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{300, time.Second, 70 * time.Millisecond}, 0, 21,
			"300 calls per second × 70ms is exactly 21 slots. A whole number must not be rounded up: is a " +
				"floating-point error being rounded up? (70ms as d.Seconds() is not exactly 0.07)"},
		{Measurement{300, time.Second, 100 * time.Millisecond}, 10, 33,
			"300 calls per second × 100ms is 30 slots, plus 10% is exactly 33. A whole number must not be " +
				"rounded up: is a floating-point error being rounded up?"},
		{Measurement{1200, time.Minute, 1500 * time.Millisecond}, 0, 30,
			"1200 calls a minute is 20 per second; × 1.5s is 30 slots"},
		{Measurement{3, time.Second, time.Second}, 0, 3,
			"3 calls per second that take 1s each keep 3 slots busy"},
		{Measurement{100, 10 * time.Second, 2 * time.Second}, 0, 20,
			"100 calls in 10s is 10 per second; × 2s is 20 slots"},
	})
}

func TestEx5RoundsUp(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{50, time.Second, 30 * time.Millisecond}, 0, 2,
			"50 per second × 30ms is 1.5 slots; a half slot does not exist, so round up to 2"},
		{Measurement{30001, time.Second, time.Millisecond}, 0, 31,
			"30001 per second × 1ms is 30.001 slots: round up to 31, or the 30.001st call waits"},
		{Measurement{7, time.Second, 100 * time.Millisecond}, 0, 1,
			"7 per second × 100ms is 0.7 slots: round up to 1"},
	})
}

func TestEx5Headroom(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{300, time.Second, 100 * time.Millisecond}, 20, 36,
			"30 slots plus 20% headroom is 30 × 1.2 = 36 (headroom multiplies; it is not added)"},
		{Measurement{1000, 10 * time.Second, 250 * time.Millisecond}, 50, 38,
			"100 per second × 250ms is 25 slots; plus 50% headroom is 37.5, rounded up to 38"},
		{Measurement{100, time.Second, 100 * time.Millisecond}, 100, 20,
			"10 slots plus 100% headroom is 20"},
		{Measurement{50, time.Second, 50 * time.Millisecond}, 10, 3,
			"50 per second × 50ms is 2.5 slots; plus 10% headroom is 2.75, rounded up to 3. Round once, at the " +
				"end: rounding L up to 3 first and then adding the headroom gives 3.3, so 4"},
		{Measurement{300, time.Second, 300 * time.Millisecond}, 10, 99,
			"90 slots plus 10% headroom is exactly 99. A whole number must not be rounded up: is a " +
				"floating-point error being rounded up? (1.1 has no exact binary form; 90 × 1.1 is " +
				"99.00000000000001 in float64)"},
	})
}

func TestEx5SubMillisecondLatency(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{1000, time.Second, 2500 * time.Microsecond}, 0, 3,
			"1000 per second × 2.5ms is 2.5 slots, so 3: sub-millisecond parts of the latency count " +
				"(d.Milliseconds() drops them)"},
		{Measurement{10000, time.Second, 500 * time.Microsecond}, 0, 5,
			"10000 per second × 0.5ms is 5 slots: sub-millisecond parts of the latency count " +
				"(d.Milliseconds() drops them)"},
	})
}

func TestEx5SubSecondWindow(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{150, 1500 * time.Millisecond, 100 * time.Millisecond}, 0, 10,
			"150 calls in 1.5s is 100 per second; × 100ms is 10 slots: sub-second parts of the Window count " +
				"(whole seconds of it drop them)"},
		{Measurement{30, 250 * time.Millisecond, 10 * time.Millisecond}, 0, 2,
			"30 calls in 250ms is 120 per second; × 10ms is 1.2 slots, so 2: a Window under a second is a " +
				"Window, not 0"},
	})
}

// TestEx5TinyFraction: a size just above a whole number is not whole. A
// float computation that subtracts a small epsilon before rounding up, to
// hide its own error, rounds such a size down.
func TestEx5TinyFraction(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{5_000_000_000_001, 1000 * time.Second, time.Nanosecond}, 0, 6,
			"5000000000001 calls in 1000s × 1ns is 5.000000000001 slots: not whole, so 6. Subtracting an " +
				"epsilon before rounding up hides a floating-point error by rounding true fractions down; " +
				"keep whole nanoseconds and divide last"},
	})
}

func TestEx5AtLeastOne(t *testing.T) {
	started(t, "Size")
	checkSizes(t, []sizeCase{
		{Measurement{0, time.Minute, 10 * time.Millisecond}, 0, 1,
			"no calls measured: the size should be at least 1, or the bulkhead refuses the first call"},
		{Measurement{100, time.Second, 0}, 0, 1,
			"calls that take no time: the size should be at least 1"},
		{Measurement{1, time.Hour, time.Millisecond}, 50, 1,
			"one call an hour: the size should be at least 1"},
	})
}

func TestEx5RejectsNonsense(t *testing.T) {
	started(t, "Size")
	if _, err := size(t, Measurement{300, time.Second, 100 * time.Millisecond}, 20); err != nil {
		t.Fatalf("Size(%+v, 20) is a valid measurement and should not be an error, got %v",
			Measurement{300, time.Second, 100 * time.Millisecond}, err)
	}
	for _, c := range []struct {
		m        Measurement
		headroom int
		what     string
	}{
		{Measurement{100, 0, time.Millisecond}, 0, "a Window of 0"},
		{Measurement{0, 0, time.Millisecond}, 0, "a Window of 0 (with no calls either: 0/0 is no size)"},
		{Measurement{100, -time.Second, time.Millisecond}, 0, "a negative Window"},
		{Measurement{-1, time.Second, time.Millisecond}, 0, "a negative number of Calls"},
		{Measurement{100, time.Second, -time.Millisecond}, 0, "a negative MeanLatency"},
		{Measurement{100, time.Second, time.Millisecond}, -10, "a negative headroom"},
	} {
		if n, err := size(t, c.m, c.headroom); err == nil {
			t.Errorf("Size(%+v, %d) has %s and should return an error, got %d", c.m, c.headroom, c.what, n)
		}
	}
}

func TestEx5TooManySlots(t *testing.T) {
	started(t, "Size")
	if n, err := size(t, Measurement{1_000_000, time.Second, 30 * time.Second}, 0); err != nil || n != 30_000_000 {
		t.Fatalf("a million calls per second that take 30s each need 30000000 slots, got %d (error %v)", n, err)
	}
	if n, err := size(t, Measurement{math.MaxInt32, time.Nanosecond, time.Nanosecond}, 0); err != nil || n != math.MaxInt32 {
		t.Errorf("math.MaxInt32 calls in 1ns that take 1ns each need exactly math.MaxInt32 slots, the most "+
			"allowed: only a size above math.MaxInt32 is an error; got %d (error %v)", n, err)
	}
	for _, m := range []Measurement{
		{math.MaxInt32 + 1, time.Nanosecond, time.Nanosecond},
		{math.MaxInt32, time.Second, 2 * time.Second},
		{math.MaxInt64, time.Nanosecond, time.Hour},
	} {
		if n, err := size(t, m, 0); err == nil {
			hint := "an int64 product this large overflows"
			if n > math.MaxInt32 {
				hint = "no bulkhead has that many slots: refuse a size above math.MaxInt32"
			}
			t.Errorf("Size(%+v, 0) is more than math.MaxInt32 slots and should return an error, got %d (%s)", m, n, hint)
		}
	}
}
