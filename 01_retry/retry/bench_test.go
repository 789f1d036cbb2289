package retry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"reliability/01_retry/retry"
)

// The benchmarks measure the retry loop itself. Delays are 1ns on both
// sides: a zero delay would mean "use the default" for Do, and real sleeps
// would measure the clock, not the code.
var benchPolicy = retry.Policy{MaxAttempts: 3, InitialDelay: time.Nanosecond, MaxDelay: time.Nanosecond, Jitter: retry.NoJitter}

func BenchmarkRetry(b *testing.B) {
	errTransient := errors.New("transient")
	ctx := context.Background()
	for _, impl := range impls {
		b.Run("success/"+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			op := func(context.Context) error { return nil }
			for b.Loop() {
				if err := impl.do(ctx, benchPolicy, op); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, impl := range impls {
		b.Run("fail-twice/"+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			calls := 0
			op := func(context.Context) error {
				calls++
				if calls%3 != 0 {
					return errTransient
				}
				return nil
			}
			for b.Loop() {
				if err := impl.do(ctx, benchPolicy, op); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
