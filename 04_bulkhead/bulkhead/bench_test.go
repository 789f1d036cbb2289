package bulkhead

import (
	"context"
	"runtime"
	"testing"

	"golang.org/x/sync/semaphore"
)

// ok is the operation the benchmarks run: it returns at once, so only the
// bulkhead's own cost is measured.
func ok(context.Context) error { return nil }

// BenchmarkExecute measures acquire + release around an op that returns at
// once: the price every admitted call pays.
//
//   - serial: one goroutine, so a slot is always free.
//   - parallel: every core at once on one bulkhead with a slot per
//     goroutine (RunParallel starts GOMAXPROCS of them, whatever -cpu
//     says), so nobody waits and what is measured is contention on the
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
				bh := impl.mustNew(b, runtime.GOMAXPROCS(0), 0)
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

// BenchmarkVersusBareSemaphore puts the hand-rolled bulkhead next to the
// least that semaphore.Weighted can do for the same three cases: acquire,
// run, release, with no counters, no wrapper and no check of the caller's
// context. BenchmarkExecute compares two bulkheads that keep the same
// counters; this one shows what the wrapper around Weighted costs, and
// whether the hand-rolled bulkhead, counters and all, still beats the
// bare lock. Its "library" is the bare Weighted, so make bench prints the
// ratio for it too.
//
//	go test -run '^$' -bench VersusBare -benchtime=100ms ./04_bulkhead/bulkhead/
func BenchmarkVersusBareSemaphore(b *testing.B) {
	ctx := context.Background()
	type contender struct {
		name string
		// execute runs op in a slot, try refuses when none is free.
		execute, try func(context.Context, func(context.Context) error) error
	}
	contenders := func(b *testing.B, slots int) []contender {
		bh, err := New(slots, 0)
		if err != nil {
			b.Fatal(err)
		}
		sem := semaphore.NewWeighted(int64(slots))
		bare := func(ctx context.Context, op func(context.Context) error) error {
			if !sem.TryAcquire(1) {
				return ErrBulkheadFull
			}
			defer sem.Release(1)
			return op(ctx)
		}
		return []contender{{"handrolled", bh.Execute, bh.TryExecute}, {"library", bare, bare}}
	}
	b.Run("serial", func(b *testing.B) {
		for _, c := range contenders(b, 1) {
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.execute(ctx, ok); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
	b.Run("parallel", func(b *testing.B) {
		for _, c := range contenders(b, runtime.GOMAXPROCS(0)) {
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := c.execute(ctx, ok); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	})
	b.Run("rejected", func(b *testing.B) {
		for _, c := range contenders(b, 1) {
			b.Run(c.name, func(b *testing.B) {
				hold, held, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
				go func() {
					defer close(done)
					_ = c.execute(ctx, func(context.Context) error { close(held); <-hold; return nil })
				}()
				<-held
				b.ReportAllocs()
				for b.Loop() {
					if err := c.try(ctx, ok); err != ErrBulkheadFull {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				close(hold)
				<-done
			})
		}
	})
}
