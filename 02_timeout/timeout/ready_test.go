package timeout

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// finishesAtTheDeadline is an op whose work ends at the very moment its
// deadline passes: it returns nil once a context derived from its own has
// ended. When the deadline fires, the context package closes op's Done
// channel first and the derived context's after, so the goroutine waiting
// in Do is woken by the deadline, and op's goroutine is made ready after
// it. On one processor op then runs first and its result is in the channel
// before Do looks again; on several, it almost always is.
func finishesAtTheDeadline(ctx context.Context) error {
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	<-inner.Done()
	return nil
}

// TestReadyResultWins: a result that is ready when the deadline is seen
// must be returned, not thrown away as a timeout. A plain select over the
// result and ctx.Done() loses it every time here: Do is woken by the
// deadline, and a woken select takes the case that woke it.
func TestReadyResultWins(t *testing.T) {
	const tries = 20
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			kept := 0
			for range tries {
				synctest.Test(t, func(t *testing.T) {
					err := impl.do(t.Context(), time.Second, finishesAtTheDeadline)
					switch {
					case err == nil:
						kept++
					case !errors.Is(err, ErrTimeout):
						t.Errorf("got %v, want nil (the result) or, at worst, ErrTimeout", err)
					}
				})
			}
			// On one processor every try keeps the result; on several, a try
			// may lose when Do's goroutine runs before op's has sent, which
			// no select can help. Never keeping it is the bug.
			if kept == 0 {
				t.Errorf("op finished at its deadline with its result ready, and the result was thrown away "+
					"in all %d tries: look at the result channel again before reporting a timeout", tries)
			}
		})
	}
}
