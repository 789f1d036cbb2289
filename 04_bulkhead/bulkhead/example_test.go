package bulkhead_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"reliability/04_bulkhead/bulkhead"
)

// One bulkhead per dependency: here two slots for a payment service, and
// a caller that would rather fail fast than queue.
func Example() {
	payments, err := bulkhead.New(2, 50*time.Millisecond)
	if err != nil {
		panic(err) // a configuration mistake: fix the arguments
	}

	charge := func(ctx context.Context) error { return nil } // the real call goes here
	err = payments.TryExecute(context.Background(), charge)
	switch {
	case err == nil:
		fmt.Println("charged")
	case errors.Is(err, bulkhead.ErrBulkheadFull):
		fmt.Println("busy: shed the request, answer 503")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		fmt.Println("the caller left: nothing to answer")
	default:
		fmt.Println("the payment failed:", err)
	}
	fmt.Printf("%+v\n", payments.Stats())
	// Output:
	// charged
	// {Admitted:1 Rejected:0 GaveUp:0 InFlight:0 Waiting:0}
}

// The error tells a refusal from a caller who left.
func ExampleBulkhead_Execute() {
	bh, _ := bulkhead.New(1, 0) // one slot, no waiting
	inside := make(chan struct{})
	release := make(chan struct{})
	go func() {
		_ = bh.Execute(context.Background(), func(context.Context) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside // the only slot is taken

	err := bh.Execute(context.Background(), func(context.Context) error { return nil })
	fmt.Println(errors.Is(err, bulkhead.ErrBulkheadFull), err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = bh.Execute(ctx, func(context.Context) error { return nil })
	fmt.Println(errors.Is(err, bulkhead.ErrBulkheadFull), errors.Is(err, context.Canceled))

	close(release)
	st := bh.Stats()
	fmt.Println(st.Admitted, st.Rejected, st.GaveUp)
	// Output:
	// true bulkhead full
	// false true
	// 1 1 1
}

func ExampleNew_invalid() {
	_, err := bulkhead.New(0, time.Second)
	fmt.Println(err)
	fmt.Println(errors.Is(err, bulkhead.ErrInvalidConfig))
	// Output:
	// bulkhead: invalid config: maxConcurrent is 0, want 1 to 2147483647
	// true
}
