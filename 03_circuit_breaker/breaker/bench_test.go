package breaker

import (
	"testing"
	"time"
)

// BenchmarkExecute measures the cost a breaker adds to a call that
// succeeds while closed: the price every healthy request pays.
//
//   - serial: one goroutine, default Settings.
//   - parallel: every core at once on one breaker, default Settings; this
//     is mostly the cost of the contended mutex.
//   - interval: one goroutine with an Interval set, so that both breakers
//     must read the clock on every call to see whether the window ended.
//
// The hand-rolled breaker reads the clock only when a deadline is set and
// keeps its callback queue out of the closed path, so it should be no
// slower than gobreaker and allocate nothing. The interval pair shows how
// much of the difference in the other two is the clock.
//
//	go test -run '^$' -bench Execute ./03_circuit_breaker/breaker/
func BenchmarkExecute(b *testing.B) {
	ok := func() error { return nil }
	serial := func(s Settings) func(b *testing.B) {
		return func(b *testing.B) {
			for _, impl := range implementations {
				b.Run(impl.name, func(b *testing.B) {
					cb := impl.new(s)
					b.ReportAllocs()
					for b.Loop() {
						if err := cb.Execute(ok); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
	b.Run("serial", serial(Settings{}))
	b.Run("parallel", func(b *testing.B) {
		for _, impl := range implementations {
			b.Run(impl.name, func(b *testing.B) {
				cb := impl.new(Settings{})
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := cb.Execute(ok); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	})
	// An hour is long enough that no window ends during the benchmark, so
	// the clock is read on every call but the counts are never cleared.
	b.Run("interval", serial(Settings{Interval: time.Hour}))
}
