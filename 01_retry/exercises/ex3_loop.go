package exercises

import (
	"context"
	"time"
)

// Retry calls op up to attempts times (the first call included), waiting
// delay between attempts, and returns nil as soon as op succeeds. An
// attempts value below 1 counts as 1: op always gets one chance. There is
// no wait after the last attempt: nothing follows it.
//
//   - If op's error is marked permanent (retry.IsPermanent from
//     reliability/01_retry/retry reports true), return it at once.
//   - If every attempt fails, return an error that wraps the last one
//     (so errors.Is finds it).
//   - If ctx ends while waiting between attempts, return at once with an
//     error that matches ctx.Err(). Do not start an attempt after ctx has
//     ended.
//
// Hint: wait with a select over time.After(delay) (or a timer) and
// ctx.Done(); plain time.Sleep cannot be interrupted.
func Retry(ctx context.Context, attempts int, delay time.Duration, op func(context.Context) error) error {
	return errNotImplemented
}
