package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

func ExampleLimiter_AllowN() {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lim := ratelimit.NewLimiter(2, 3) // 2 per second, bursts of 3
	var got []bool
	for range 5 {
		got = append(got, lim.AllowN(start, 1))
	}
	fmt.Println(got)
	fmt.Println(lim.AllowN(start.Add(500*time.Millisecond), 1)) // one token earned
	// Output:
	// [true true true false false]
	// true
}

func ExampleReservation() {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lim := ratelimit.NewLimiter(1, 1)
	lim.AllowN(start, 1)
	r := lim.ReserveN(start, 1)
	fmt.Println(r.OK(), r.DelayFrom(start))
	r.CancelAt(start) // changed our mind: the token goes back
	fmt.Println(lim.TokensAt(start.Add(time.Second)))
	// Output:
	// true 1s
	// 1
}

func ExampleLimiter_WaitN() {
	lim := ratelimit.NewLimiter(10, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	fmt.Println(lim.WaitN(ctx, 1)) // the bucket starts full
	// The next token comes in 100ms, after the deadline: WaitN says so
	// at once instead of waiting in vain.
	fmt.Println(lim.WaitN(ctx, 1))
	// Output:
	// <nil>
	// ratelimit: the wait would end after the context's deadline: Wait(n=1)
}

func ExampleMiddleware() {
	mw, err := ratelimit.NewMiddleware(ratelimit.Config{
		Rate:  ratelimit.Every(2 * time.Second), // one request every 2s per client
		Burst: 1,
	})
	if err != nil {
		panic(err)
	}
	h := mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	for range 2 {
		r := httptest.NewRequest(http.MethodGet, "/", nil) // from 192.0.2.1
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d Retry-After=%q\n", w.Code, w.Header().Get("Retry-After"))
	}
	// Output:
	// 200 Retry-After=""
	// 429 Retry-After="2"
}
