package redislimit

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/redisenv"
)

// BenchmarkAllow measures what one request's limit check costs:
//
//   - inprocess: lesson 05's token bucket, a mutex and a little arithmetic;
//   - embedded/...: the Lua script on the embedded server, over loopback
//     TCP (the server is in the process, but go-redis still speaks the
//     protocol over a socket);
//   - real/...: a real server on loopback, only when REDIS_URL is set.
//
// handrolled is GCRA, library is redis_rate, the twins paired for make
// bench. The limit (a million per hour) keeps most calls allowed. Clients
// go straight to the server, not through redisenv's proxy.
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench Allow ./05_rate_limit/redislimit/
func BenchmarkAllow(b *testing.B) {
	l := Limit{Rate: 1_000_000, Period: time.Hour, Burst: 1_000_000}
	b.Run("inprocess", func(b *testing.B) {
		lim := ratelimit.NewLimiter(ratelimit.Every(3600*time.Microsecond), l.Burst)
		b.ReportAllocs()
		for b.Loop() {
			lim.AllowN(time.Now(), 1)
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
	for _, srv := range servers {
		b.Run(srv.name, func(b *testing.B) {
			s, err := srv.start()
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			o := s.DirectOptions()
			// A benchmark measures the calls; it should not fail one
			// because a shared machine was slow for a moment.
			o.ReadTimeout, o.WriteTimeout = 5*time.Second, 5*time.Second
			c := redis.NewClient(o)
			defer c.Close()
			for _, tw := range twins {
				b.Run(tw.name, func(b *testing.B) {
					lim, err := tw.new(c, s.Key("bench:"), l)
					if err != nil {
						b.Fatal(err)
					}
					ctx := context.Background()
					b.ReportAllocs()
					for b.Loop() {
						if _, err := lim.Allow(ctx, "client"); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
