package compose_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reliability/01_retry/retry"
	"reliability/03_circuit_breaker/breaker"
	"reliability/06_composed_mini/compose"
	"reliability/flaky"
)

// The chain of the lesson around a service that is down: the breaker
// counts every attempt, opens after the third failure, and the next call
// fails fast without a retry.
func ExampleChain() {
	svc := flaky.MustNew(flaky.Config{FailFirst: 100})
	cb := breaker.New(breaker.Settings{
		Name:        "flaky",
		ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		OnStateChange: func(name string, from, to breaker.State) {
			fmt.Printf("breaker %s: %v -> %v\n", name, from, to)
		},
	})
	call := compose.Chain(svc.Call,
		compose.Timeout(time.Second), // the whole call
		compose.Retry(retry.Policy{MaxAttempts: 3, InitialDelay: time.Millisecond}),
		compose.Timeout(100*time.Millisecond), // each attempt
		compose.Breaker(cb),
	)

	err := call(context.Background())
	fmt.Println("first call:", err)
	err = call(context.Background())
	fmt.Println("second call:", err, errors.Is(err, breaker.ErrOpenState))
	fmt.Println("service calls:", svc.Stats().Calls)
	// Output:
	// breaker flaky: closed -> open
	// first call: retry: giving up after 3 attempts: flaky: call 3: transient failure (fail-first)
	// second call: circuit breaker is open true
	// service calls: 3
}

// Settings builds the same chain twice, by hand and with failsafe-go.
func ExampleSettings() {
	s := compose.Settings{
		Retry:          &retry.Policy{MaxAttempts: 3, InitialDelay: time.Millisecond},
		AttemptTimeout: 100 * time.Millisecond,
		Breaker:        &compose.BreakerSettings{Failures: 3, OpenFor: time.Second, Trials: 1},
	}
	for _, build := range []func() (compose.Layer, error){s.HandRolled, s.Failsafe} {
		chain, err := build()
		if err != nil {
			fmt.Println(err)
			return
		}
		svc := flaky.MustNew(flaky.Config{FailFirst: 2})
		fmt.Println(chain(svc.Call)(context.Background()), svc.Stats().Calls)
	}
	// Output:
	// <nil> 3
	// <nil> 3
}
