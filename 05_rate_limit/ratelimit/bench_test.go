package ratelimit

import (
	"testing"

	"golang.org/x/time/rate"
)

// BenchmarkAllow measures Allow, the price of asking the bucket: one
// clock read, one lock, a little float arithmetic. Both limiters get the
// same settings, a rate of a million per second with bursts of 1000, so
// the loop mixes allowed and refused calls.
//
//   - serial: one goroutine.
//   - parallel: every core at once on one limiter; mostly the cost of the
//     contended mutex.
//
// The goal: the hand-rolled limiter no slower than x/time/rate, and zero
// allocations for both.
//
//	go test -run '^$' -bench Allow -benchtime 200ms ./05_rate_limit/ratelimit/
func BenchmarkAllow(b *testing.B) {
	const r, burst = 1e6, 1000
	allowers := []struct {
		name string
		new  func() Allower
	}{
		{"handrolled", func() Allower { return NewLimiter(r, burst) }},
		{"library", func() Allower { return rate.NewLimiter(r, burst) }},
	}
	b.Run("serial", func(b *testing.B) {
		for _, a := range allowers {
			b.Run(a.name, func(b *testing.B) {
				lim := a.new()
				b.ReportAllocs()
				for b.Loop() {
					lim.Allow()
				}
			})
		}
	})
	b.Run("parallel", func(b *testing.B) {
		for _, a := range allowers {
			b.Run(a.name, func(b *testing.B) {
				lim := a.new()
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						lim.Allow()
					}
				})
			})
		}
	})
}

// BenchmarkMiddleware measures the per-client table and Retry-After path
// that Middleware adds on top of the bucket, for 1000 clients.
//
//	go test -run '^$' -bench Middleware -benchtime 200ms ./05_rate_limit/ratelimit/
func BenchmarkMiddleware(b *testing.B) {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "client-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	for _, impl := range implementations {
		b.Run(impl.name, func(b *testing.B) {
			m, err := NewMiddleware(Config{Rate: 100, Burst: 10, NewBucket: impl.newBucket})
			if err != nil {
				b.Fatal(err)
			}
			now := t0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m.Allow(keys[i%len(keys)], now)
				now = now.Add(100)
				i++
			}
		})
	}
}
