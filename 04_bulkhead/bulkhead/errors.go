package bulkhead

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

var (
	// ErrBulkheadFull means the bulkhead refused the call: every slot was
	// taken and none came free within maxWait (at once when maxWait is 0).
	// The operation was not run. Match it with errors.Is.
	ErrBulkheadFull = errors.New("bulkhead full")

	// ErrInvalidConfig is wrapped by New and NewLibrary when an argument is
	// out of range.
	ErrInvalidConfig = errors.New("bulkhead: invalid config")

	// errNilOp is returned for a nil op: a programming error, found before
	// a slot is taken or anything is counted.
	errNilOp = errors.New("bulkhead: op is nil")
)

// validate checks New's arguments. The mistakes it catches would otherwise
// fail silently: zero slots is a bulkhead that refuses (or hangs) every
// call, a negative wait has no sensible meaning, and more than
// math.MaxInt32 slots do not fit the hand-rolled bulkhead's state word
// (and are no limit at all in practice).
func validate(maxConcurrent int, maxWait time.Duration) error {
	switch {
	case maxConcurrent < 1 || maxConcurrent > math.MaxInt32:
		return fmt.Errorf("%w: maxConcurrent is %d, want 1 to %d", ErrInvalidConfig, maxConcurrent, math.MaxInt32)
	case maxWait < 0:
		return fmt.Errorf("%w: maxWait is %v, want 0 (never wait) or more", ErrInvalidConfig, maxWait)
	}
	return nil
}

// callerGaveUp is the error for a call whose caller's context ended before
// the call got a slot. It matches ctx.Err() and, when the caller gave a
// different cause (context.WithCancelCause, WithTimeoutCause), that cause
// too. It never matches ErrBulkheadFull: blaming the bulkhead for the
// caller's own deadline would make a dashboard show rejections that never
// happened.
func callerGaveUp(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("bulkhead: caller gave up before the call got a slot: %w (%w)", err, cause)
	}
	return fmt.Errorf("bulkhead: caller gave up before the call got a slot: %w", err)
}
