package breaker_test

import (
	"errors"
	"fmt"

	"reliability/03_circuit_breaker/breaker"
)

func Example() {
	cb := breaker.New(breaker.Settings{
		Name: "inventory",
		// Trip after three failures in a row instead of the default six.
		ReadyToTrip: func(c breaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		OnStateChange: func(name string, from, to breaker.State) {
			fmt.Printf("%s: %v -> %v\n", name, from, to)
		},
	})
	down := errors.New("connection refused")

	for i := 1; i <= 5; i++ {
		err := cb.Execute(func() error { return down })
		fmt.Printf("call %d: %v\n", i, err)
	}
	err := cb.Execute(func() error {
		fmt.Println("never printed: an open breaker does not call fn")
		return nil
	})
	fmt.Println("fast fails are ErrOpenState:", errors.Is(err, breaker.ErrOpenState))
	// Output:
	// call 1: connection refused
	// call 2: connection refused
	// inventory: closed -> open
	// call 3: connection refused
	// call 4: circuit breaker is open
	// call 5: circuit breaker is open
	// fast fails are ErrOpenState: true
}

func ExampleDo() {
	cb := breaker.New(breaker.Settings{})
	price, err := breaker.Do(cb, func() (int, error) { return 42, nil })
	fmt.Println(price, err, cb.Counts().TotalSuccesses)
	// Output: 42 <nil> 1
}
