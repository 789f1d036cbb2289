package exercises

import (
	"context"
	"time"

	"reliability/01_retry/retry"
)

// Exercise 3: the retry loop.
//
// Retry calls op up to attempts times (the first call included), waiting
// delay between attempts, and returns nil as soon as op succeeds. An
// attempts value below 1 counts as 1: op always gets one chance. There is
// no wait after the last attempt: nothing follows it.
//
//   - op gets ctx, the caller's context, so that cancelling the caller
//     reaches the work in progress.
//   - If op's error is marked permanent (retry.IsPermanent from
//     reliability/01_retry/retry reports true), return it at once, with
//     the mark kept, so that a retry loop around this one stops too.
//   - If every attempt fails, return an error that wraps the last one
//     (so errors.Is finds it).
//   - If ctx ends while waiting between attempts, return at once with an
//     error that matches ctx.Err() and wraps op's last error. Do not start
//     an attempt after ctx has ended.
//
// Hint: wait with a select over a timer's channel (or time.After) and
// ctx.Done(); plain time.Sleep cannot be interrupted. fmt.Errorf accepts
// several %w verbs, so one error can wrap both ctx.Err() and op's error.
//
// Run: go test -run Ex3 ./01_retry/exercises/
func Retry(ctx context.Context, attempts int, delay time.Duration, op func(context.Context) error) error {
	return errNotImplemented
}

// The permanent mark is read with retry.IsPermanent, from the lesson's
// package, imported above for it.
var _ = retry.IsPermanent
