package retry

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// DoBackoff is the library twin of Do: the same job done with
// github.com/cenkalti/backoff/v5, configured from the same Policy so the
// two can run the same tests and benchmarks.
//
// Where their contracts agree, so do they: op is called at most
// MaxAttempts times, success returns nil, an error marked with Permanent
// stops at once, a canceled context ends the wait, and with NoJitter,
// InitialDelay <= MaxDelay and a whole-number Multiplier the delays are the
// same capped exponential sequence. Where they differ, DoBackoff keeps the
// library's behaviour, because that is what a learner who picks the
// library gets:
//
//   - Jitter: the library draws from its own global random source, so
//     Policy.Rand is ignored, and it spreads each delay uniformly over
//     ±RandomizationFactor around the exponential value. DoBackoff uses 0.5
//     for every jitter strategy but NoJitter; there is no full, equal or
//     decorrelated jitter in the library.
//   - The cap: MaxInterval caps the exponential value before jitter, so a
//     jittered wait can reach 1.5×MaxDelay; and the first wait is
//     InitialDelay even when that exceeds MaxDelay.
//   - Errors: when attempts run out the library returns op's last error as
//     it is, without an attempt count; when ctx ends it returns only
//     context.Cause(ctx), dropping the last error. A context given its
//     own cause (WithCancelCause) therefore gives an error that matches
//     that cause but not context.Canceled, unless the cause wraps it.
//   - Cancellation: the library always calls op once, even with a context
//     that has already ended, and may then return nil.
//   - Deadlines: the library sleeps even when the next attempt would start
//     after ctx's deadline; it only notices when the deadline fires, and
//     then returns context.Cause(ctx). There is no ErrNoTimeLeft.
//
// A bad Policy gives an error wrapping ErrInvalidPolicy and a nil op
// ErrNilOp, as with Do (the library itself would call the nil op and
// panic).
func DoBackoff(ctx context.Context, p Policy, op func(context.Context) error) error {
	if op == nil {
		return ErrNilOp
	}
	p, err := p.withDefaults()
	if err != nil {
		return err
	}
	randomization := backoff.DefaultRandomizationFactor
	if p.Jitter == NoJitter {
		randomization = 0
	}
	attempt := 0
	opts := []backoff.RetryOption{
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     p.InitialDelay,
			RandomizationFactor: randomization,
			Multiplier:          p.Multiplier,
			MaxInterval:         p.MaxDelay,
		}),
		backoff.WithMaxTries(uint(p.MaxAttempts)),
		// The library's default gives up after 15 minutes in all; Do has
		// no such limit (the context is the place for one), so turn it off.
		backoff.WithMaxElapsedTime(0),
	}
	if p.OnRetry != nil {
		// The library's Notify does not say which attempt failed; count.
		opts = append(opts, backoff.WithNotify(func(err error, d time.Duration) {
			p.OnRetry(attempt, err, d)
		}))
	}
	_, err = backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		err := op(ctx)
		if IsPermanent(err) {
			// Translate this package's marker into the library's.
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}, opts...)
	return err
}
