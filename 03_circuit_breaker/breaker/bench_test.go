package breaker

import "testing"

// BenchmarkExecute measures the cost a breaker adds to a call that
// succeeds while closed: the price every healthy request pays. The
// hand-rolled breaker reads the clock only when a deadline is set, and
// keeps its callback queue out of the closed path, so it should be no
// slower than gobreaker and allocate nothing.
//
//	go test -run '^$' -bench Execute ./03_circuit_breaker/breaker/
func BenchmarkExecute(b *testing.B) {
	ok := func() error { return nil }
	b.Run("serial", func(b *testing.B) {
		for _, impl := range implementations {
			b.Run(impl.name, func(b *testing.B) {
				cb := impl.new(Settings{})
				b.ReportAllocs()
				for b.Loop() {
					if err := cb.Execute(ok); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
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
}
