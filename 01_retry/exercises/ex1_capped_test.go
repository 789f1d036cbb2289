package exercises

import (
	"testing"
	"time"
)

func TestCappedDelay(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		initial, max time.Duration
		mult         float64
		k            int
		want         time.Duration
	}{
		{100 * ms, 10 * time.Second, 2, 1, 100 * ms},
		{100 * ms, 10 * time.Second, 2, 2, 200 * ms},
		{100 * ms, 10 * time.Second, 2, 4, 800 * ms},
		{100 * ms, time.Second, 2, 5, time.Second},
		{5 * ms, 2 * time.Second, 3, 3, 45 * ms},
		{time.Second, time.Minute, 2, 100, time.Minute},
		{time.Second, time.Minute, 2, 0, 0},
	}
	for _, c := range cases {
		got := CappedDelay(c.initial, c.max, c.mult, c.k)
		if got != c.want {
			t.Errorf("CappedDelay(initial=%v, max=%v, multiplier=%v, k=%d) = %v, want %v",
				c.initial, c.max, c.mult, c.k, got, c.want)
		}
	}
}
