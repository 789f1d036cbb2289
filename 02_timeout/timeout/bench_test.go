package timeout

import (
	"context"
	"testing"
	"time"
)

// BenchmarkDo measures what Do's guarantee costs: a goroutine, a channel
// and a context per call, against the bare standard idiom
// (context.WithTimeout and a direct call), which cannot return before op
// does. The op returns at once, so only the wrapper is measured.
func BenchmarkDo(b *testing.B) {
	ctx := context.Background()
	op := func(context.Context) error { return nil }

	b.Run("handrolled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := Do(ctx, time.Second, op); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(ctx, time.Second)
			err := op(ctx)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAbandoningWrapper compares the two wrappers that can return
// before op does: Do, and DoStdlib built on context.WithTimeoutCause.
func BenchmarkAbandoningWrapper(b *testing.B) {
	ctx := context.Background()
	op := func(context.Context) error { return nil }
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.do(ctx, time.Second, op); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
