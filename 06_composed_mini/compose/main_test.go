package compose

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	errTransient = errors.New("503 service unavailable")
	errPermanent = errors.New("400 bad request")
)

// step is what the fake service does on one call: wait, then return err.
type step struct {
	wait time.Duration
	err  error
	// deaf makes the call ignore its context and wait the full time.
	deaf bool
}

// fake is a scripted dependency: call n does script[n-1], and calls past
// the end of the script repeat its last step. It records what each call's
// context said when the call ended.
type fake struct {
	mu     sync.Mutex
	script []step
	calls  int
	ends   []error // the context's error as each call returned (nil: alive)
}

func newFake(script ...step) *fake { return &fake{script: script} }

func (f *fake) Call(ctx context.Context) error {
	f.mu.Lock()
	f.calls++
	s := f.script[min(f.calls, len(f.script))-1]
	f.mu.Unlock()

	err := s.err
	if ctx.Err() != nil && !s.deaf {
		// Like a real client: a request with a dead context fails at once.
		err = ctx.Err()
	} else if s.wait > 0 {
		t := time.NewTimer(s.wait)
		defer t.Stop()
		if s.deaf {
			<-t.C
		} else {
			select {
			case <-t.C:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
	}
	f.mu.Lock()
	f.ends = append(f.ends, ctx.Err())
	f.mu.Unlock()
	return err
}

func (f *fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}
