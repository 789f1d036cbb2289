// Mistake: IsOpen reads the key with GET and returns redis.Nil as an error when the breaker was never opened.
// Caught: "a breaker never opened is closed, not an error"
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
	return o.Client.Set(ctx, o.Key, "open", d).Err()
}

// IsOpen reports whether the key still lives.
func (o *OpenSpell) IsOpen(ctx context.Context) (bool, error) {
	err := o.Client.Get(ctx, o.Key).Err()
	return err == nil, err
}
