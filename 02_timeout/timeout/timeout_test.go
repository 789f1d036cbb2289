package timeout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// doFunc is the shape shared by Do and its library twin, so one table can
// check both.
type doFunc func(context.Context, time.Duration, func(context.Context) error) error

var impls = []struct {
	name string
	do   doFunc
}{
	{"handrolled", Do},
	{"library", DoStdlib},
}

var errBoom = errors.New("boom")

// probe is a fake operation that takes a given time and records what it saw.
type probe struct {
	work      time.Duration // how long the work takes
	err       error         // what it returns when the work completes
	ignoreCtx bool          // keep working even after the context ends

	calls    atomic.Int32
	finished chan struct{} // closed when the op returns

	mu          sync.Mutex
	deadline    time.Time // the deadline on the op's context
	hasDeadline bool
}

func newProbe(work time.Duration, err error, ignoreCtx bool) *probe {
	return &probe{work: work, err: err, ignoreCtx: ignoreCtx, finished: make(chan struct{})}
}

func (p *probe) op(ctx context.Context) error {
	p.calls.Add(1)
	defer close(p.finished)
	p.mu.Lock()
	p.deadline, p.hasDeadline = ctx.Deadline()
	p.mu.Unlock()

	if p.ignoreCtx {
		time.Sleep(p.work)
		return p.err
	}
	t := time.NewTimer(p.work)
	defer t.Stop()
	select {
	case <-t.C:
		return p.err
	case <-ctx.Done():
		// A cooperative op stops and says why, wrapping its context's error
		// the way a database driver or HTTP client would.
		return fmt.Errorf("work interrupted: %w", ctx.Err())
	}
}

func (p *probe) seenDeadline() (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.deadline, p.hasDeadline
}

func (p *probe) isFinished() bool {
	select {
	case <-p.finished:
		return true
	default:
		return false
	}
}

// TestBehaviour runs one table over Do and DoStdlib: the contract they share.
func TestBehaviour(t *testing.T) {
	type parentKind int
	const (
		plain          parentKind = iota // no deadline, never cancelled
		earlyDeadline                    // deadline at 300ms
		cancelledAt400                   // cancelled at 400ms
		cancelledFirst                   // cancelled before the call
	)
	tests := []struct {
		name   string
		parent parentKind
		d      time.Duration
		probe  func() *probe
		nilOp  bool

		wantIs      []error
		wantNotIs   []error
		wantElapsed time.Duration
		wantCalls   int32
		// wantDeadline is the deadline op should see, as an offset from the
		// start; zero means the op is not called.
		wantDeadline time.Duration
		// wantWorkStopped: when the call returns, has op returned too?
		wantWorkStopped bool
	}{
		{
			name: "op succeeds in time", d: time.Second,
			probe:       func() *probe { return newProbe(100*time.Millisecond, nil, false) },
			wantElapsed: 100 * time.Millisecond, wantCalls: 1, wantDeadline: time.Second, wantWorkStopped: true,
		},
		{
			name: "op fails in time", d: time.Second,
			probe:  func() *probe { return newProbe(100*time.Millisecond, errBoom, false) },
			wantIs: []error{errBoom}, wantNotIs: []error{ErrTimeout, context.DeadlineExceeded},
			wantElapsed: 100 * time.Millisecond, wantCalls: 1, wantDeadline: time.Second, wantWorkStopped: true,
		},
		{
			name: "cooperative op too slow is cancelled", d: time.Second,
			probe:  func() *probe { return newProbe(5*time.Second, nil, false) },
			wantIs: []error{ErrTimeout, context.DeadlineExceeded}, wantNotIs: []error{context.Canceled},
			wantElapsed: time.Second, wantCalls: 1, wantDeadline: time.Second, wantWorkStopped: true,
		},
		{
			name: "op ignoring its context is abandoned on time", d: time.Second,
			probe:  func() *probe { return newProbe(5*time.Second, nil, true) },
			wantIs: []error{ErrTimeout, context.DeadlineExceeded}, wantNotIs: []error{context.Canceled},
			wantElapsed: time.Second, wantCalls: 1, wantDeadline: time.Second, wantWorkStopped: false,
		},
		{
			name: "caller's earlier deadline wins", d: time.Second, parent: earlyDeadline,
			probe:  func() *probe { return newProbe(5*time.Second, nil, false) },
			wantIs: []error{context.DeadlineExceeded}, wantNotIs: []error{context.Canceled},
			wantElapsed: 300 * time.Millisecond, wantCalls: 1, wantDeadline: 300 * time.Millisecond, wantWorkStopped: true,
		},
		{
			name: "caller's later deadline loses", d: 200 * time.Millisecond, parent: earlyDeadline,
			probe:  func() *probe { return newProbe(5*time.Second, nil, false) },
			wantIs: []error{ErrTimeout, context.DeadlineExceeded}, wantNotIs: []error{context.Canceled},
			wantElapsed: 200 * time.Millisecond, wantCalls: 1, wantDeadline: 200 * time.Millisecond, wantWorkStopped: true,
		},
		{
			name: "caller cancels mid-call", d: time.Second, parent: cancelledAt400,
			probe:  func() *probe { return newProbe(5*time.Second, nil, false) },
			wantIs: []error{context.Canceled}, wantNotIs: []error{ErrTimeout, context.DeadlineExceeded},
			wantElapsed: 400 * time.Millisecond, wantCalls: 1, wantDeadline: time.Second, wantWorkStopped: true,
		},
		{
			name: "caller cancelled before the call", d: time.Second, parent: cancelledFirst,
			probe:  func() *probe { return newProbe(100*time.Millisecond, nil, false) },
			wantIs: []error{context.Canceled}, wantNotIs: []error{ErrTimeout, context.DeadlineExceeded},
		},
		{
			name: "zero timeout is a configuration error", d: 0,
			probe:  func() *probe { return newProbe(100*time.Millisecond, nil, false) },
			wantIs: []error{ErrInvalidTimeout}, wantNotIs: []error{ErrTimeout, context.DeadlineExceeded},
		},
		{
			name: "negative timeout is a configuration error", d: -time.Second,
			probe:  func() *probe { return newProbe(100*time.Millisecond, nil, false) },
			wantIs: []error{ErrInvalidTimeout}, wantNotIs: []error{ErrTimeout, context.DeadlineExceeded},
		},
		{
			name: "nil op is a configuration error", d: time.Second, nilOp: true,
			probe:  func() *probe { return newProbe(0, nil, false) },
			wantIs: []error{ErrInvalidTimeout},
		},
	}
	for _, impl := range impls {
		for _, tt := range tests {
			t.Run(impl.name+"/"+tt.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := t.Context()
					switch tt.parent {
					case earlyDeadline:
						var cancel context.CancelFunc
						ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
						defer cancel()
					case cancelledAt400:
						var cancel context.CancelFunc
						ctx, cancel = context.WithCancel(ctx)
						defer cancel()
						time.AfterFunc(400*time.Millisecond, cancel)
					case cancelledFirst:
						var cancel context.CancelFunc
						ctx, cancel = context.WithCancel(ctx)
						cancel()
					}
					p := tt.probe()
					op := p.op
					if tt.nilOp {
						op = nil
					}

					start := time.Now()
					err := impl.do(ctx, tt.d, op)
					elapsed := time.Since(start)
					// Let every goroutine that can run do so, without moving
					// the clock: whatever is still working now outlived the call.
					synctest.Wait()

					for _, want := range tt.wantIs {
						if !errors.Is(err, want) {
							t.Errorf("error %v should match %q, it does not", err, want)
						}
					}
					if len(tt.wantIs) == 0 && err != nil {
						t.Errorf("want no error, got %v", err)
					}
					for _, unwanted := range tt.wantNotIs {
						if errors.Is(err, unwanted) {
							t.Errorf("error %v should not match %q, it does", err, unwanted)
						}
					}
					if elapsed != tt.wantElapsed {
						t.Errorf("call returned after %v, want %v", elapsed, tt.wantElapsed)
					}
					if got := p.calls.Load(); got != tt.wantCalls {
						t.Errorf("op called %d times, want %d", got, tt.wantCalls)
					}
					if tt.wantDeadline > 0 {
						deadline, ok := p.seenDeadline()
						if !ok {
							t.Errorf("op's context has no deadline, want one %v after the start", tt.wantDeadline)
						} else if got := deadline.Sub(start); got != tt.wantDeadline {
							t.Errorf("op's context deadline is %v after the start, want %v", got, tt.wantDeadline)
						}
					}
					if tt.wantCalls > 0 && p.isFinished() != tt.wantWorkStopped {
						t.Errorf("when the call returned, op had stopped = %v, want %v", p.isFinished(), tt.wantWorkStopped)
					}
					if tt.wantCalls > 0 {
						<-p.finished // let an abandoned op run out before the bubble ends
					}
				})
			})
		}
	}
}

// TestInheritedDeadline shows where the twins differ: Do tags a deadline it
// inherited from the caller as ErrTimeout too, while WithTimeoutCause only
// tags the deadline it created, so DoStdlib reports the caller's own error.
// Both keep the cause the caller gave its deadline.
func TestInheritedDeadline(t *testing.T) {
	errCheckout := errors.New("checkout budget spent")
	for _, tt := range []struct {
		impl        string
		do          doFunc
		wantTimeout bool
	}{
		{"handrolled", Do, true},
		{"library", DoStdlib, false},
	} {
		t.Run(tt.impl, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
				defer cancel()
				err := tt.do(ctx, time.Second, newProbe(time.Hour, nil, false).op)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("error %v should match context.DeadlineExceeded", err)
				}
				if got := errors.Is(err, ErrTimeout); got != tt.wantTimeout {
					t.Errorf("errors.Is(%v, ErrTimeout) = %v, want %v", err, got, tt.wantTimeout)
				}
			})
		})
		t.Run(tt.impl+"/with a cause", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeoutCause(t.Context(), 300*time.Millisecond, errCheckout)
				defer cancel()
				start := time.Now()
				err := tt.do(ctx, time.Second, newProbe(time.Hour, nil, false).op)
				if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errCheckout) {
					t.Errorf("error %v should match context.DeadlineExceeded and the caller's cause %q", err, errCheckout)
				}
				if elapsed := time.Since(start); elapsed != 300*time.Millisecond {
					t.Errorf("the call returned after %v, want 300ms", elapsed)
				}
			})
		})
	}
}

// TestNestedCallsNameTheRightDeadline nests one call inside another. The
// inner call inherits the outer deadline, error and cause included, so it
// must decide from the deadlines, not from the context, whose time ran out:
// the inner one gave up at its caller's deadline, not after its own 5s.
func TestNestedCallsNameTheRightDeadline(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var inner error
				start := time.Now()
				outer := impl.do(t.Context(), time.Second, func(ctx context.Context) error {
					inner = impl.do(ctx, 5*time.Second, newProbe(time.Hour, nil, false).op)
					return inner
				})
				if elapsed := time.Since(start); elapsed != time.Second {
					t.Errorf("the outer call returned after %v, want 1s", elapsed)
				}
				synctest.Wait() // the outer op has returned: inner is set
				if !errors.Is(outer, ErrTimeout) || !strings.Contains(outer.Error(), "after 1s") {
					t.Errorf("outer error %q should match ErrTimeout and say it gave up after its own 1s", outer)
				}
				if !errors.Is(inner, context.DeadlineExceeded) || inner == nil || strings.Contains(inner.Error(), "after 5s") {
					t.Errorf("inner error %q should match context.DeadlineExceeded and must not claim its own 5s ran out", inner)
				}
			})
		})
	}

	t.Run("budget inside Do", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mustBudget(t, 5*time.Second, 0)
			var inner error
			outer := Do(t.Context(), time.Second, func(ctx context.Context) error {
				inner = b.Do(ctx, newProbe(time.Hour, nil, false).op)
				return inner
			})
			synctest.Wait()
			if !errors.Is(outer, ErrTimeout) || !strings.Contains(outer.Error(), "after 1s") {
				t.Errorf("outer error %q should match ErrTimeout and say it gave up after its own 1s", outer)
			}
			if !errors.Is(inner, ErrBudgetExhausted) || strings.Contains(inner.Error(), "after 5s") {
				t.Errorf("the attempt's error %q should match ErrBudgetExhausted (the caller's deadline is the overall one) and must not claim 5s ran out", inner)
			}
		})
	})
}

// TestDoKeepsCancelCause checks that the reason a caller gave when it
// cancelled survives the call, next to context.Canceled, whether the caller
// cancels during the call or before it.
func TestDoKeepsCancelCause(t *testing.T) {
	errShutdown := errors.New("server shutting down")
	for _, impl := range impls {
		t.Run(impl.name+"/during the call", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancelCause(t.Context())
				time.AfterFunc(100*time.Millisecond, func() { cancel(errShutdown) })

				err := impl.do(ctx, time.Second, newProbe(time.Hour, nil, false).op)
				if !errors.Is(err, context.Canceled) || !errors.Is(err, errShutdown) {
					t.Errorf("error %v should match both context.Canceled and the cause %q", err, errShutdown)
				}
				if errors.Is(err, ErrTimeout) {
					t.Errorf("error %v should not match ErrTimeout: the caller cancelled, nothing timed out", err)
				}
			})
		})
		t.Run(impl.name+"/before the call", func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(t.Context())
			cancel(errShutdown)
			p := newProbe(0, nil, false)
			err := impl.do(ctx, time.Second, p.op)
			if !errors.Is(err, context.Canceled) || !errors.Is(err, errShutdown) {
				t.Errorf("error %v should match both context.Canceled and the cause %q", err, errShutdown)
			}
			if n := p.calls.Load(); n != 0 {
				t.Errorf("op was called %d times, want 0: the caller had already gone", n)
			}
		})
	}
}

// TestDoErrorMessages checks that each error says in words what happened.
func TestDoErrorMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

		own := Do(t.Context(), 2*time.Second, slow)
		if want := "timeout: gave up waiting after 2s: context deadline exceeded"; own == nil || own.Error() != want {
			t.Errorf("own deadline: got %q, want %q", own, want)
		}

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		inherited := Do(ctx, 2*time.Second, slow)
		if inherited == nil || !strings.Contains(inherited.Error(), "caller's deadline") {
			t.Errorf("inherited deadline: got %q, want a message naming the caller's deadline", inherited)
		}

		invalid := Do(t.Context(), 0, slow)
		if want := "timeout: invalid configuration: timeout is 0s, want a positive duration"; invalid == nil || invalid.Error() != want {
			t.Errorf("zero timeout: got %q, want %q", invalid, want)
		}
	})
}
