package redislimit

import (
	"context"
	"fmt"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Library is the library twin: github.com/go-redis/redis_rate/v10, the
// same algorithm (GCRA in a Lua script, time from the server) maintained by
// the go-redis authors. It keeps its keys under "rate:" + prefix + key.
//
// Where it differs from GCRA (the package tests show each):
//   - it computes in float seconds, and stores the TAT as a decimal string:
//     at a standing clock a burst of 10 admits 9, because 0.1 added ten
//     times is a hair over 1.0;
//   - it keeps a key for whole seconds (EX, rounded up), a little longer
//     than needed;
//   - its Remaining counts fractions down, and its RetryAfter is -1 when
//     allowed (Decision says 0);
//   - it has no way to pass the time in: tests that need time to pass must
//     move the server's clock.
type Library struct {
	lim    *redis_rate.Limiter
	prefix string
	limit  redis_rate.Limit
}

// NewLibrary returns the library twin with keys under prefix. It checks l
// as NewGCRA does.
func NewLibrary(rdb *redis.Client, prefix string, l Limit) (*Library, error) {
	if _, err := l.interval(); err != nil {
		return nil, err
	}
	return &Library{
		lim:    redis_rate.NewLimiter(rdb),
		prefix: prefix,
		limit:  redis_rate.Limit{Rate: l.Rate, Period: l.Period, Burst: l.Burst},
	}, nil
}

// Allow counts one request for key. See Limiter.
func (l *Library) Allow(ctx context.Context, key string) (Decision, error) {
	res, err := l.lim.Allow(ctx, l.prefix+key, l.limit)
	if err != nil {
		return Decision{}, fmt.Errorf("redislimit: redis_rate %q: %w", key, err)
	}
	d := Decision{Allowed: res.Allowed > 0, Remaining: res.Remaining}
	if !d.Allowed {
		d.RetryAfter = res.RetryAfter
	}
	return d, nil
}

var (
	_ Limiter = (*GCRA)(nil)
	_ Limiter = (*Library)(nil)
)
