// Mistake: Open writes a deadline by the server's TIME, but IsOpen compares it with the replica's own clock.
// Caught: "the replica whose clock runs 2s behind says open after 1.501s, unlike the others"
package exercises

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// OpenSpell is a shared breaker's open spell, timed by the server's clock.
type OpenSpell struct {
	Client redis.Cmdable
	Key    string
	Clock  func() time.Time // this replica's clock: not to be trusted
}

// Open starts an open spell of d: a key that lives d by the server's clock.
func (o *OpenSpell) Open(ctx context.Context, d time.Duration) error {
	now, err := o.Client.Time(ctx).Result()
	if err != nil {
		return err
	}
	return o.Client.Set(ctx, o.Key, now.Add(d).UnixMilli(), 0).Err()
}

// IsOpen reports whether the key still lives.
func (o *OpenSpell) IsOpen(ctx context.Context) (bool, error) {
	deadline, err := o.Client.Get(ctx, o.Key).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return o.Clock().UnixMilli() < deadline, err
}
