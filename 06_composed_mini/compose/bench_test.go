package compose

import (
	"context"
	"testing"
	"time"

	"reliability/01_retry/retry"
)

// BenchmarkChain measures the success path, the price every call pays:
// retry → timeout → breaker around a service that answers at once, built
// from the same Settings by hand and with failsafe-go.
//
//	go test -run '^$' -bench Chain -benchmem ./06_composed_mini/compose/
func BenchmarkChain(b *testing.B) {
	s := Settings{
		Retry:          &retry.Policy{MaxAttempts: 3},
		AttemptTimeout: time.Second,
		Breaker:        &BreakerSettings{Failures: 5, OpenFor: time.Minute, Trials: 1},
	}
	svc := func(context.Context) error { return nil }
	for _, bld := range builders {
		b.Run(bld.name, func(b *testing.B) {
			chain, err := bld.build(s)
			if err != nil {
				b.Fatal(err)
			}
			call := chain(svc)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
