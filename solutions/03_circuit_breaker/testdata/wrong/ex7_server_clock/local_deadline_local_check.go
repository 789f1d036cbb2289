// Mistake: Open writes a deadline from the opener's clock and IsOpen compares it with the reader's clock, so two replicas' skews add up.
// Caught: "replicas disagree because a deadline came from a replica's own clock"
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
	deadline := o.Clock().Add(d).UnixMilli()
	return o.Client.Set(ctx, o.Key, deadline, 0).Err()
}

// IsOpen reports whether the key still lives.
func (o *OpenSpell) IsOpen(ctx context.Context) (bool, error) {
	deadline, err := o.Client.Get(ctx, o.Key).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return o.Clock().UnixMilli() < deadline, err
}
