package bulkhead

import (
	"context"
	"runtime"
	"testing"
)

// ok is the operation the benchmarks run: it returns at once, so only the
// bulkhead's own cost is measured.
func ok(context.Context) error { return nil }

// BenchmarkExecute measures acquire + release around an op that returns at
// once: the price every admitted call pays.
//
//   - serial: one goroutine, so a slot is always free.
//   - parallel: every core at once on one bulkhead with a slot per
//     goroutine, so nobody waits and what is measured is contention on the
//     bulkhead's own state.
//   - rejected: TryExecute on a full bulkhead, the price of saying no,
//     which is what an overloaded service pays on every call it sheds.
//
// The goal for the hand-rolled bulkhead: no slower than the library twin,
// and no allocation on any of these paths.
//
//	go test -run '^$' -bench . -benchtime=100ms ./04_bulkhead/bulkhead/
func BenchmarkExecute(b *testing.B) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for _, impl := range implementations {
			b.Run(impl.name, func(b *testing.B) {
				bh := impl.mustNew(b, 1, 0)
				b.ReportAllocs()
				for b.Loop() {
					if err := bh.Execute(ctx, ok); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
	b.Run("parallel", func(b *testing.B) {
		for _, impl := range implementations {
			b.Run(impl.name, func(b *testing.B) {
				// RunParallel starts GOMAXPROCS goroutines (times the
				// -cpu value); 64 slots leave room for every one of them.
				bh := impl.mustNew(b, 64, 0)
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := bh.Execute(ctx, ok); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	})
	b.Run("rejected", func(b *testing.B) {
		for _, impl := range implementations {
			b.Run(impl.name, func(b *testing.B) {
				bh := impl.mustNew(b, 1, 0)
				hold, held := make(chan struct{}), make(chan struct{})
				go func() {
					_ = bh.Execute(ctx, func(context.Context) error { close(held); <-hold; return nil })
				}()
				<-held
				b.ReportAllocs()
				for b.Loop() {
					if err := bh.TryExecute(ctx, ok); err != ErrBulkheadFull {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				close(hold)
				for bh.InFlight() > 0 {
					runtime.Gosched()
				}
			})
		}
	})
}
