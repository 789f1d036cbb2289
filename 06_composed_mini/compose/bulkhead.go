package compose

import (
	"context"
	"errors"

	"reliability/04_bulkhead/bulkhead"
)

// ErrNoBulkhead is returned by every call through Bulkhead(nil).
var ErrNoBulkhead = errors.New("compose: Bulkhead layer without a bulkhead")

// Bulkhead returns a layer that runs each call in one of b's slots, lesson
// 04's hand-rolled bulkhead or its semaphore twin. When every slot is
// taken and none comes free within b's wait, the call fails at once with
// an error matching bulkhead.ErrBulkheadFull, which the Retry layer treats
// as final: the process is already at its limit for this dependency, and
// a retry would only queue up again.
//
// Where it sits decides what it limits. Outside a Retry layer it caps the
// requests in flight, each holding its slot through all its attempts and
// waits; inside, it caps the calls to the dependency, and a retry gives
// its slot back while it waits. Either way, it is what keeps one slow
// dependency from tying up every goroutine of the caller. A nil b makes
// every call return ErrNoBulkhead.
func Bulkhead(b bulkhead.Interface) Layer {
	if b == nil {
		return func(Call) Call {
			return func(context.Context) error { return ErrNoBulkhead }
		}
	}
	return func(next Call) Call {
		return func(ctx context.Context) error { return b.Execute(ctx, next) }
	}
}
