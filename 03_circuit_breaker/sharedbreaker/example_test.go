package sharedbreaker_test

import (
	"context"
	"errors"
	"fmt"

	"reliability/03_circuit_breaker/breaker"
	"reliability/03_circuit_breaker/sharedbreaker"
	"reliability/flaky/redisenv"
)

// Two replicas share one breaker: the first one's failures open it, and
// the second one's call is refused without reaching the dependency.
func ExampleBreaker() {
	srv, err := redisenv.StartEmbedded() // or a real server, as in production
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	settings := sharedbreaker.Settings{Name: "payments", MaxConsecutiveFailures: 2}
	newReplica := func() (*sharedbreaker.Breaker, func() error) {
		c := srv.Client() // each replica has its own connection
		return sharedbreaker.New(c, srv.Key("breaker:payments"), settings), c.Close
	}
	a, closeA := newReplica()
	defer closeA()
	b, closeB := newReplica()
	defer closeB()

	ctx := context.Background()
	down := errors.New("payments is down")
	for range 3 {
		_ = a.Execute(ctx, func() error { return down })
	}
	err = b.Execute(ctx, func() error { return nil })
	state, _ := b.State(ctx)
	fmt.Println(errors.Is(err, breaker.ErrOpenState), state)
	// Output: true open
}
