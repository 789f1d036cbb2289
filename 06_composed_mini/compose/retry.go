package compose

import (
	"context"
	"errors"
	"fmt"

	"reliability/01_retry/retry"
	"reliability/02_timeout/timeout"
	"reliability/03_circuit_breaker/breaker"
	"reliability/04_bulkhead/bulkhead"
)

// ErrRetryThrottled is matched by the error a Retry layer returns when its
// RetryBudget refused a retry. The error also wraps the last attempt's
// error.
var ErrRetryThrottled = errors.New("compose: retry refused by the retry budget")

// RetryOption configures a Retry layer.
type RetryOption func(*retryConfig)

// RetryIf narrows which errors are retried: an error is retried only if
// IsTransient reports true and so does transient. Use it to retry only
// what you know to be transient, such as a 503 or a timeout, rather than
// every error you did not think of. A nil transient changes nothing.
func RetryIf(transient func(error) bool) RetryOption {
	return func(c *retryConfig) { c.transient = transient }
}

// WithBudget shares a retry budget among all the calls through the layer.
// The layer tells b about each call as its first attempt starts, reports
// every attempt's outcome, and asks b just before each retry's attempt
// starts: after the backoff, with the caller's context alive and the
// attempt due before its deadline. If b says no, the call ends with an
// error matching ErrRetryThrottled. So a retry that b pays for is always
// made; the price is that a refused call has waited its backoff first. A
// nil b means no budget.
func WithBudget(b RetryBudget) RetryOption {
	return func(c *retryConfig) { c.budget = b }
}

type retryConfig struct {
	policy    retry.Policy
	transient func(error) bool
	budget    RetryBudget
}

// Retry returns a layer that calls next again, as p says (attempts,
// backoff, jitter), when an attempt fails with a transient error. It runs
// lesson 01's retry.Do, so it never sleeps past the caller's deadline and
// stops as soon as the caller's context ends.
//
// An error is retried only if IsTransient reports true for it (and the
// RetryIf option, if given, agrees). So the call ends at once, with that
// error, when an attempt returns:
//
//   - breaker.ErrOpenState or breaker.ErrTooManyRequests: the breaker has
//     just said the dependency is failing, and trying again a few
//     milliseconds later would only be refused again (or, worse, queue
//     every caller up for the moment it turns half-open);
//   - bulkhead.ErrBulkheadFull: this process is at its limit for the
//     dependency, and a retry would only queue up again;
//   - an error marked with retry.Permanent;
//   - timeout.ErrBudgetExhausted: retrying cannot buy more time;
//   - context.Canceled: whoever cancelled is not waiting any more;
//   - a configuration error (see IsTransient): the same settings fail the
//     same way every time, and retrying one would only hide it behind
//     every backoff and spend a budget's retries on it.
//
// Every error the layer returns is marked with retry.Permanent (keeping
// its message and its chain for errors.Is), so a Retry layer or retry.Do
// further out does not retry it again: retries at several layers multiply
// (3 attempts at each of 5 layers are 3^5 = 243 calls), retry at one
// layer only. Success returns nil. An invalid p makes every call return an
// error wrapping retry.ErrInvalidPolicy without calling next.
func Retry(p retry.Policy, opts ...RetryOption) Layer {
	c := &retryConfig{policy: p}
	for _, o := range opts {
		o(c)
	}
	return func(next Call) Call {
		if c.budget != nil {
			return func(ctx context.Context) error { return c.withBudget(ctx, next) }
		}
		// Without a budget an attempt keeps no state of its own, so the
		// function retry.Do calls is made once here, not once per call.
		attempt := func(ctx context.Context) error {
			err := next(ctx)
			if err != nil && !c.retryable(err) {
				return retry.Permanent(err)
			}
			return err
		}
		return func(ctx context.Context) error { return final(retry.Do(ctx, c.policy, attempt)) }
	}
}

// final marks err so that no retry loop further out retries it.
func final(err error) error {
	if err != nil && !retry.IsPermanent(err) {
		return retry.Permanent(err)
	}
	return err
}

// withBudget is a call through the layer when it has a RetryBudget, which
// must hear about every attempt and be asked before every retry.
//
// The budget is told about the call and asked for a retry only from
// inside the function retry.Do calls, that is, when an attempt is really
// starting: retry.Do has already checked that the caller's context is
// alive and that the attempt starts before its deadline, and has waited
// the backoff. Asked any earlier, a budget that counts retries would pay
// for retries that a deadline or a cancellation then called off, and a
// budget that counts requests would earn for calls that never made an
// attempt (an invalid policy, a context that had already ended).
func (c *retryConfig) withBudget(ctx context.Context, next Call) error {
	attempt := 0
	var last error
	return final(retry.Do(ctx, c.policy, func(ctx context.Context) error {
		attempt++
		if attempt == 1 {
			c.budget.OnRequest()
		} else if !c.budget.AllowRetry() {
			return retry.Permanent(fmt.Errorf("%w after %d attempts: %w", ErrRetryThrottled, attempt-1, last))
		}
		err := next(ctx)
		if err == nil {
			c.budget.OnResult(true)
			return nil
		}
		if !c.retryable(err) {
			return retry.Permanent(err)
		}
		c.budget.OnResult(false)
		last = err
		return err
	}))
}

func (c *retryConfig) retryable(err error) bool {
	return IsTransient(err) && (c.transient == nil || c.transient(err))
}

// IsTransient reports whether err is worth another attempt as far as the
// chain's own rules go. It is false for
//
//   - nil, and errors marked with retry.Permanent;
//   - a breaker's rejections (breaker.ErrOpenState,
//     breaker.ErrTooManyRequests) and a bulkhead's
//     (bulkhead.ErrBulkheadFull);
//   - timeout.ErrBudgetExhausted and context.Canceled;
//   - configuration errors: ErrNoBreaker, ErrNoBulkhead,
//     ErrInvalidSettings, ErrInvalidThrottle, retry.ErrInvalidPolicy,
//     retry.ErrNilOp, timeout.ErrInvalidTimeout and
//     bulkhead.ErrInvalidConfig. A layer built with bad settings fails
//     every call the same way, so the first answer is the last.
//
// It is true for anything else, timeouts included. The Retry layer retries
// nothing that IsTransient rejects; RetryIf narrows it further to what the
// dependency's errors say.
func IsTransient(err error) bool {
	switch {
	case err == nil, retry.IsPermanent(err):
		return false
	case errors.Is(err, breaker.ErrOpenState), errors.Is(err, breaker.ErrTooManyRequests),
		errors.Is(err, bulkhead.ErrBulkheadFull):
		return false
	case errors.Is(err, timeout.ErrBudgetExhausted), errors.Is(err, context.Canceled):
		return false
	case isConfigError(err):
		return false
	}
	return true
}

// configErrors are the errors that say a layer was built wrong.
var configErrors = []error{
	ErrNoBreaker, ErrNoBulkhead, ErrInvalidSettings, ErrInvalidThrottle,
	retry.ErrInvalidPolicy, retry.ErrNilOp, timeout.ErrInvalidTimeout, bulkhead.ErrInvalidConfig,
}

func isConfigError(err error) bool {
	for _, c := range configErrors {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}
