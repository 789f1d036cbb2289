package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reliability/01_retry/retry"
	"reliability/flaky"
)

// Retry a dependency that fails twice while it warms up. NoJitter keeps
// the printed delays predictable; real callers keep the default full jitter.
func ExampleDo() {
	svc := flaky.MustNew(flaky.Config{FailFirst: 2})
	p := retry.Policy{
		MaxAttempts:  4,
		InitialDelay: time.Millisecond,
		Jitter:       retry.NoJitter,
		OnRetry: func(attempt int, err error, delay time.Duration) {
			fmt.Printf("attempt %d failed (%v); waiting %v\n", attempt, err, delay)
		},
	}
	err := retry.Do(context.Background(), p, svc.Call)
	fmt.Println("result:", err, "after", svc.Stats().Calls, "calls")
	// Output:
	// attempt 1 failed (flaky: call 1: transient failure (fail-first)); waiting 1ms
	// attempt 2 failed (flaky: call 2: transient failure (fail-first)); waiting 2ms
	// result: <nil> after 3 calls
}

// A permanent error is returned at once: retrying a bad request only
// repeats it.
func ExamplePermanent() {
	errNotFound := errors.New("user not found")
	calls := 0
	err := retry.Do(context.Background(), retry.Policy{}, func(context.Context) error {
		calls++
		return retry.Permanent(errNotFound)
	})
	fmt.Println(err, errors.Is(err, errNotFound), calls)
	// Output: user not found true 1
}

// Capped shows the envelope a policy draws its delays from.
func ExamplePolicy_Capped() {
	p := retry.Policy{InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for k := 1; k <= 6; k++ {
		fmt.Print(p.Capped(k), " ")
	}
	fmt.Println()
	// Output: 100ms 200ms 400ms 800ms 1s 1s
}
