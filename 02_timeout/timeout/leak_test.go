package timeout

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"reliability/flaky"
)

// TestLeakMadeVisible shows the difference between giving up waiting and
// cancelling the work. Do returns on time in every case; only the op that
// watches its context actually stops, and even that one needs its wind-down
// time after Do has returned.
func TestLeakMadeVisible(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name+"/op ignoring its context outlives the call", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				before := bubbleGoroutines()
				beforeLeak := goleak.IgnoreCurrent()
				release := make(chan struct{})
				var running atomic.Int32
				stubborn := func(ctx context.Context) error {
					running.Add(1)
					defer running.Add(-1)
					<-release // never looks at ctx
					return nil
				}

				start := time.Now()
				err := impl.do(t.Context(), time.Second, stubborn)
				if !errors.Is(err, ErrTimeout) || time.Since(start) != time.Second {
					t.Fatalf("want ErrTimeout after 1s, got %v after %v", err, time.Since(start))
				}
				checkLeft(t, "after the call returned (the abandoned op keeps going)", &running, before, 1)
				// goleak, the tool the package's TestMain relies on, sees it
				// too. Finding a leak, it retries with sleeps that move the
				// bubble's clock; harmless here, as the op waits for release,
				// not for time.
				if goleak.Find(beforeLeak) == nil {
					t.Error("goleak found no leftover goroutine, want the abandoned op's goroutine")
				}

				close(release) // the op finally finishes; its result goes nowhere
				checkLeft(t, "after release", &running, before, 0)
			})
		})

		t.Run(impl.name+"/cooperative op stops with the call", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				before := bubbleGoroutines()
				var running atomic.Int32
				cooperative := func(ctx context.Context) error {
					running.Add(1)
					defer running.Add(-1)
					<-ctx.Done() // stops as soon as nobody wants the result
					return ctx.Err()
				}

				err := impl.do(t.Context(), time.Second, cooperative)
				if !errors.Is(err, ErrTimeout) {
					t.Fatalf("want ErrTimeout, got %v", err)
				}
				// No time passes in checkLeft: only what was already
				// unblocked runs.
				checkLeft(t, "after the call returned (nothing should outlive it)", &running, before, 0)
			})
		})

		t.Run(impl.name+"/cooperative op's wind-down outlives the call", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				before := bubbleGoroutines()
				var running atomic.Int32
				const cleanup = 500 * time.Millisecond
				cooperative := func(ctx context.Context) error {
					running.Add(1)
					defer running.Add(-1)
					<-ctx.Done()
					time.Sleep(cleanup) // e.g. rolling back a transaction
					return ctx.Err()
				}

				start := time.Now()
				err := impl.do(t.Context(), time.Second, cooperative)
				if !errors.Is(err, ErrTimeout) || time.Since(start) != time.Second {
					t.Fatalf("want ErrTimeout after 1s, got %v after %v", err, time.Since(start))
				}
				checkLeft(t, "right after the call returned (the op is still winding down)", &running, before, 1)

				time.Sleep(cleanup) // the wind-down ends on its own schedule
				checkLeft(t, "after its clean-up", &running, before, 0)
			})
		})
	}

	t.Run("synchronous idiom waits for a cooperative op's wind-down", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			before := bubbleGoroutines()
			var running atomic.Int32
			cooperative := func(ctx context.Context) error {
				running.Add(1)
				defer running.Add(-1)
				<-ctx.Done()
				time.Sleep(500 * time.Millisecond) // clean-up
				return ctx.Err()
			}

			start := time.Now()
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			err := cooperative(ctx) // no goroutine: the caller waits for the clean-up too
			cancel()
			if elapsed := time.Since(start); elapsed != 1500*time.Millisecond {
				t.Errorf("the call returned after %v, want 1.5s: the 1s deadline plus the op's 500ms clean-up", elapsed)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the op returned %v, want context.DeadlineExceeded", err)
			}
			checkLeft(t, "after the synchronous call returned (nothing should outlive it)", &running, before, 0)
		})
	})

	t.Run("flaky dependency ignoring its context keeps working", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc := flaky.MustNew(flaky.Config{Latency: 2 * time.Second, IgnoreContext: true})

			err := Do(t.Context(), 300*time.Millisecond, svc.Call)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("want ErrTimeout, got %v", err)
			}
			synctest.Wait()
			if st := svc.Stats(); st.InFlight != 1 || st.Canceled != 0 {
				t.Errorf("right after the timeout: %v; want the call still in flight and not canceled", st)
			}

			time.Sleep(2 * time.Second) // the dependency finishes on its own schedule
			synctest.Wait()
			if st := svc.Stats(); st.InFlight != 0 || st.Successes != 1 {
				t.Errorf("after its latency: %v; want the call finished as a success nobody received", st)
			}
		})
	})

	t.Run("flaky dependency honouring its context is cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc := flaky.MustNew(flaky.Config{Latency: 2 * time.Second})

			err := Do(t.Context(), 300*time.Millisecond, svc.Call)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("want ErrTimeout, got %v", err)
			}
			synctest.Wait()
			if st := svc.Stats(); st.InFlight != 0 || st.Canceled != 1 {
				t.Errorf("right after the timeout: %v; want nothing in flight and one canceled call", st)
			}
		})
	})

	t.Run("synchronous idiom waits for an op ignoring its context", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			before := bubbleGoroutines()
			p := newProbe(5*time.Second, nil, true)

			start := time.Now()
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			err := p.op(ctx) // no goroutine: the caller waits for as long as op takes
			cancel()
			if elapsed := time.Since(start); elapsed != 5*time.Second {
				t.Errorf("the call returned after %v, want 5s: a timeout op ignores cannot cut the wait short", elapsed)
			}
			if err != nil {
				t.Errorf("the stubborn op finished its work and returned %v, want nil", err)
			}
			synctest.Wait()
			if extra := newGoroutines(before); len(extra) != 0 {
				t.Errorf("nothing should outlive a synchronous call:\n%s", strings.Join(extra, "\n\n"))
			}
		})
	})
}

// checkLeft lets the bubble settle (synctest.Wait moves no clock) and checks
// that exactly want ops are still running, each in a goroutine that was not
// in before.
func checkLeft(t *testing.T, when string, running *atomic.Int32, before map[string]string, want int) {
	t.Helper()
	synctest.Wait()
	if n := running.Load(); n != int32(want) {
		t.Errorf("%s: %d ops were running, want %d", when, n, want)
	}
	if extra := newGoroutines(before); len(extra) != want {
		t.Errorf("%s: %d new goroutines were alive, want %d:\n%s", when, len(extra), want, strings.Join(extra, "\n\n"))
	}
}
