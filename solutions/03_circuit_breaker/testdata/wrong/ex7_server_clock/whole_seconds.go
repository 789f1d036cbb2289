// Mistake: the spell is set with EX in whole seconds, so an open spell of 1.5 s ends after 1 s.
// Caught: "too short (whole seconds? EX truncates 1.5s to 1s)"
package exercises

import (
	"context"
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
	// A whole-second expiry goes out as SET ... EX int(d.Seconds()).
	return o.Client.Set(ctx, o.Key, "open", d.Truncate(time.Second)).Err()
}

// IsOpen reports whether the key still lives.
func (o *OpenSpell) IsOpen(ctx context.Context) (bool, error) {
	n, err := o.Client.Exists(ctx, o.Key).Result()
	return n == 1, err
}
