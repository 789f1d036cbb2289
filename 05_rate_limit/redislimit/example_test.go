package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"reliability/05_rate_limit/redislimit"
	"reliability/flaky/redisenv"
)

// One client, three requests an hour, shared by every process that uses
// the same store and prefix; then the store goes away and the chosen
// policy, fail-closed, refuses.
func Example() {
	srv, err := redisenv.Start() // embedded, or the server in REDIS_URL
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rdb := srv.Client()
	defer rdb.Close()

	lim, err := redislimit.NewGCRA(rdb, srv.Key("api:"), redislimit.Limit{Rate: 3, Period: time.Hour, Burst: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	guard, err := redislimit.NewGuard(redislimit.GuardConfig{
		Limiter:     lim,
		OnStoreDown: redislimit.FailClosed,
		Timeout:     time.Second,
		Logger:      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for range 4 {
		d, err := guard.Allow(ctx, "203.0.113.7")
		fmt.Printf("allowed %v, remaining %d, retry after about %v, err %v\n",
			d.Allowed, d.Remaining, d.RetryAfter.Round(time.Minute), err)
	}
	srv.Stop()
	_, err = guard.Allow(ctx, "203.0.113.7")
	fmt.Println("store stopped:", errors.Is(err, redislimit.ErrStoreDown))
	// Output:
	// allowed true, remaining 2, retry after about 0s, err <nil>
	// allowed true, remaining 1, retry after about 0s, err <nil>
	// allowed true, remaining 0, retry after about 0s, err <nil>
	// allowed false, remaining 0, retry after about 20m0s, err <nil>
	// store stopped: true
}
