package timeout

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// online is the timeout wrapper most often found online, in our own words.
// Each test below shows one of its defects next to Do. errc is kept on the
// struct only so that a test can free the goroutine the wrapper strands.
type online struct{ errc chan error }

func (o *online) WithTimeout(ctx context.Context, d time.Duration, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	o.errc = make(chan error) // no room: a send nobody receives blocks forever
	go func() { o.errc <- op(ctx) }()
	select {
	case err := <-o.errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cooperative stops as soon as its context ends.
func cooperative(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestOnlineVersionLeaksOnEveryTimeout: with an unbuffered channel, op's
// goroutine blocks on its send once the wrapper has stopped listening, even
// when op stopped the moment it was told to. Every timeout leaks a
// goroutine, forever.
func TestOnlineVersionLeaksOnEveryTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		before := bubbleGoroutines()
		var o online
		if err := o.WithTimeout(t.Context(), time.Second, cooperative); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("online version: got %v, want a deadline error", err)
		}
		synctest.Wait()
		leaked := newGoroutines(before)
		if len(leaked) != 1 || !strings.Contains(leaked[0], "[chan send") {
			t.Errorf("online version: want its op's goroutine stuck on the send, got %d goroutines left:\n%s",
				len(leaked), strings.Join(leaked, "\n\n"))
		}
		<-o.errc // free it, so the bubble can end

		if err := Do(t.Context(), time.Second, cooperative); !errors.Is(err, ErrTimeout) {
			t.Fatalf("Do: got %v, want ErrTimeout", err)
		}
		synctest.Wait()
		if left := newGoroutines(before); len(left) != 0 {
			t.Errorf("Do: %d goroutines left, want none:\n%s", len(left), strings.Join(left, "\n\n"))
		}
	})
}

// TestOnlineVersionDropsAReadyResult: when op's result and the deadline are
// ready together, the single select reports a timeout, and a caller that
// retries redoes work that succeeded. Do keeps the result.
func TestOnlineVersionDropsAReadyResult(t *testing.T) {
	const tries = 20
	var onlineKept, doKept int
	for range tries {
		synctest.Test(t, func(t *testing.T) {
			var o online
			if o.WithTimeout(t.Context(), time.Second, finishesAtTheDeadline) == nil {
				onlineKept++
			} else {
				<-o.errc // the result nobody took
			}
			if Do(t.Context(), time.Second, finishesAtTheDeadline) == nil {
				doKept++
			}
		})
	}
	if onlineKept != 0 || doKept == 0 {
		t.Errorf("results kept in %d tries: online version %d, Do %d; want 0 and at least 1", tries, onlineKept, doKept)
	}
}

// TestOnlineVersionRunsOpWithoutTime: a zero timeout, nearly always a
// missing setting, starts op with a context that is already dead and
// reports an ordinary timeout. Do refuses it and says why.
func TestOnlineVersionRunsOpWithoutTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		op := func(ctx context.Context) error { calls++; return ctx.Err() }
		var o online
		err := o.WithTimeout(t.Context(), 0, op)
		synctest.Wait()
		if calls != 1 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("online version: op called %d times, error %v; want 1 call and an ordinary deadline error", calls, err)
		}
		<-o.errc

		calls = 0
		if err := Do(t.Context(), 0, op); calls != 0 || !errors.Is(err, ErrInvalidTimeout) {
			t.Errorf("Do: op called %d times, error %v; want no call and ErrInvalidTimeout", calls, err)
		}
	})
}

// TestOnlineVersionPanicKillsTheProcess: op panics on the wrapper's
// goroutine, where the caller's recover cannot reach, so the whole program
// dies, here a copy of this test binary run on purpose. With Do, the
// caller's recover catches it (TestPanicReachesTheCaller).
func TestOnlineVersionPanicKillsTheProcess(t *testing.T) {
	if os.Getenv("TIMEOUT_ONLINE_PANIC") == "1" {
		defer func() { _ = recover() }() // the caller's recover, which never sees the panic
		var o online
		_ = o.WithTimeout(context.Background(), time.Hour, func(context.Context) error { panic("bug in op") })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOnlineVersionPanicKillsTheProcess$")
	cmd.Env = append(os.Environ(), "TIMEOUT_ONLINE_PANIC=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "panic: bug in op") {
		t.Errorf("the program should die of op's panic despite the caller's recover; it ended with %v:\n%s", err, out)
	}
}
