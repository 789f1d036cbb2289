package compose

import (
	"context"
	"testing"
	"time"

	"reliability/01_retry/retry"
	"reliability/03_circuit_breaker/breaker"
)

// The success path, the price every call pays: retry → timeout → breaker
// around a service that answers at once.
//
//	go test -run '^$' -bench Chain -benchmem ./06_composed_mini/compose/
var benchSettings = Settings{
	Retry:          &retry.Policy{MaxAttempts: 3},
	AttemptTimeout: time.Second,
	Breaker:        &BreakerSettings{Failures: 5, OpenFor: time.Minute, Trials: 1},
}

func benchSvc(context.Context) error { return nil }

// BenchmarkChain compares the chain as built from the same Settings, by
// hand and with failsafe-go. The hand-rolled Timeout returns at the
// deadline even when the call ignores its context, which takes a goroutine
// per attempt; failsafe-go's runs the call on the caller's goroutine and
// only cancels its context. That goroutine, with its channel, context and
// timer, is all the hand-rolled chain allocates, and most of its time, so
// this pair measures the price of returning on time more than the
// composition: see the README for the ratios.
func BenchmarkChain(b *testing.B) {
	for _, bld := range builders {
		b.Run(bld.name, func(b *testing.B) {
			chain, err := bld.build(benchSettings)
			if err != nil {
				b.Fatal(err)
			}
			run(b, chain(benchSvc))
		})
	}
}

// BenchmarkChainCooperative compares like with like: the hand-rolled chain
// with ContextTimeout, which, like failsafe-go's Timeout, only sets the
// deadline and runs the call on the caller's goroutine.
func BenchmarkChainCooperative(b *testing.B) {
	b.Run("handrolled", func(b *testing.B) {
		cb := breaker.New(breaker.Settings{Timeout: time.Minute,
			ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 5 }})
		run(b, Chain(benchSvc, Retry(*benchSettings.Retry), ContextTimeout(time.Second), Breaker(cb)))
	})
	b.Run("library", func(b *testing.B) {
		chain, err := benchSettings.Failsafe()
		if err != nil {
			b.Fatal(err)
		}
		run(b, chain(benchSvc))
	})
}

func run(b *testing.B, call Call) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
