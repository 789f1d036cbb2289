package sharedbreaker

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

// BenchmarkExecute measures what a breaker adds to a call that succeeds
// while closed, the price every healthy request pays, in three places:
//
//   - inprocess: lesson 03's breaker (handrolled) and gobreaker's own
//     CircuitBreaker (library), a mutex and a few counters;
//   - embedded: the shared breakers on the in-process Redis server, which
//     is loopback TCP and a Lua interpreter started for every script;
//   - real: the same on the server REDIS_URL names (skipped without it).
//
// The shared hand-rolled breaker makes two round trips per call (one
// script before, one after); gobreaker's distributed breaker makes four
// (read the state, lock, write the state, unlock).
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench Execute ./03_circuit_breaker/sharedbreaker/
func BenchmarkExecute(b *testing.B) {
	ctx := context.Background()
	ok := func() error { return nil }
	b.Run("inprocess/handrolled", func(b *testing.B) {
		cb := breaker.New(breaker.Settings{})
		b.ReportAllocs()
		for b.Loop() {
			if err := cb.Execute(ok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inprocess/library", func(b *testing.B) {
		cb := breaker.NewLibrary(breaker.Settings{})
		b.ReportAllocs()
		for b.Loop() {
			if err := cb.Execute(ok); err != nil {
				b.Fatal(err)
			}
		}
	})
	servers := []struct {
		name  string
		start func() (*redisenv.Server, error)
	}{{"embedded", redisenv.StartEmbedded}}
	if os.Getenv(redisenv.EnvURL) != "" {
		servers = append(servers, struct {
			name  string
			start func() (*redisenv.Server, error)
		}{"real", redisenv.Start})
	}
	for _, sv := range servers {
		b.Run(sv.name+"/handrolled", func(b *testing.B) {
			srv, c := benchServer(b, sv.start)
			cb := New(c, srv.Key("bench"), Settings{Name: "bench"})
			b.ReportAllocs()
			for b.Loop() {
				if err := cb.Execute(ctx, ok); err != nil {
					b.Fatal(err)
				}
			}
			if st := cb.Stats(); st.Fallback > 0 {
				b.Fatalf("%d calls fell back: the benchmark did not measure the store", st.Fallback)
			}
		})
		b.Run(sv.name+"/library", func(b *testing.B) {
			srv, c := benchServer(b, sv.start)
			cb, err := NewLibrary(NewRedisStore(c, srv.Key("bench")+":", 0), Settings{Name: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := cb.Execute(ctx, ok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchServer starts a server and a client with patient timeouts, both
// closed when the benchmark ends.
func benchServer(b *testing.B, start func() (*redisenv.Server, error)) (*redisenv.Server, *redis.Client) {
	srv, err := start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	o := srv.Options()
	o.ReadTimeout, o.WriteTimeout = 2*time.Second, 2*time.Second
	c := redis.NewClient(o)
	b.Cleanup(func() { c.Close() })
	return srv, c
}

// BenchmarkEightConcurrentCalls makes eight 50 ms calls at once through one
// shared breaker on the embedded server, in real time: the hand-rolled
// breaker runs them side by side (about 50 ms an operation), gobreaker's
// runs them one at a time, each loser retrying the lock every 500 ms
// (about 3.5 s an operation).
func BenchmarkEightConcurrentCalls(b *testing.B) {
	for _, impl := range []string{"handrolled", "library"} {
		b.Run(impl, func(b *testing.B) {
			srv, err := redisenv.StartEmbedded()
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(srv.Close)
			var rs []Shared
			for range concurrentCalls {
				c := redis.NewClient(srv.Options())
				b.Cleanup(func() { c.Close() })
				if impl == "handrolled" {
					rs = append(rs, New(c, srv.Key("eight"), Settings{Name: "eight"}))
					continue
				}
				l, err := NewLibrary(NewRedisStore(c, srv.Key("eight")+":", 0), Settings{Name: "eight"})
				if err != nil {
					b.Fatal(err)
				}
				rs = append(rs, l)
			}
			b.ReportAllocs()
			for b.Loop() {
				got := fire(concurrentCalls, rs, nil)
				for _, err := range got.errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
