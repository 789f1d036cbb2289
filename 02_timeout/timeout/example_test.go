package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky"
)

func ExampleDo() {
	err := timeout.Do(context.Background(), 2*time.Second, func(ctx context.Context) error {
		// Real work would pass ctx on (to an HTTP request, a query, ...)
		// so that it stops when Do gives up.
		deadline, _ := ctx.Deadline()
		fmt.Println("op has a deadline:", !deadline.IsZero())
		return nil
	})
	fmt.Println("err:", err)
	// Output:
	// op has a deadline: true
	// err: <nil>
}

func ExampleDo_invalidTimeout() {
	err := timeout.Do(context.Background(), 0, func(context.Context) error { return nil })
	fmt.Println(errors.Is(err, timeout.ErrInvalidTimeout))
	fmt.Println(err)
	// Output:
	// true
	// timeout: invalid configuration: timeout is 0s, want a positive duration
}

func ExampleWorstCase() {
	// Three attempts with a 2s timeout each and 100ms, 200ms of backoff.
	fmt.Println(timeout.WorstCase(3, 2*time.Second, 100*time.Millisecond, 200*time.Millisecond))
	// Output: 6.3s
}

func ExampleBudget_Next() {
	budget, err := timeout.NewBudget(2*time.Second, 200*time.Millisecond)
	if err != nil {
		panic(err)
	}
	// The caller's overall deadline is far away: a full attempt fits.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	d, err := budget.Next(ctx)
	fmt.Println(d, err)

	// The overall deadline has passed: no attempt may start.
	spent, cancelSpent := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelSpent()
	_, err = budget.Next(spent)
	fmt.Println(errors.Is(err, timeout.ErrBudgetExhausted))
	// Output:
	// 2s <nil>
	// true
}

func ExampleGet() {
	srv := httptest.NewServer(flaky.MustNew(flaky.Config{}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	status, body, err := timeout.Get(ctx, srv.Client(), srv.URL)
	fmt.Printf("%d %q %v\n", status, body, err)
	// Output: 200 "ok\n" <nil>
}
