package exercises

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"reliability/flaky"
)

// slowService returns a flaky service that takes latency to answer, and a
// client that reaches it in memory (so the test runs in virtual time).
func slowService(latency, clientTimeout time.Duration) (*flaky.Service, *http.Client, *handlerTransport) {
	svc := flaky.MustNew(flaky.Config{Latency: latency})
	rt := &handlerTransport{h: svc}
	return svc, &http.Client{Transport: rt, Timeout: clientTimeout}, rt
}

func checkBodiesClosed(t *testing.T, rt *handlerTransport) {
	t.Helper()
	if n := rt.unclosed.Load(); n != 0 {
		t.Errorf("%d response bodies were left open; close every body, or the connection (and its goroutines) stays busy", n)
	}
}

func TestEx4ReturnsBody(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		_, client, rt := slowService(100*time.Millisecond, 0)
		start := time.Now()
		body, err := Fetch(t.Context(), client, "http://flaky.test/")
		if err != nil || body != "ok\n" {
			t.Errorf("the service answers 200 %q; Fetch returned %q, %v", "ok\n", body, err)
		}
		if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
			t.Errorf("the service takes 100ms; Fetch returned after %v", elapsed)
		}
		checkBodiesClosed(t, rt)
	})
}

func TestEx4ReportsBadStatus(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		svc := flaky.MustNew(flaky.Config{FailFirst: 1})
		rt := &handlerTransport{h: svc}
		client := &http.Client{Transport: rt}
		body, err := Fetch(t.Context(), client, "http://flaky.test/")
		if err == nil || !strings.Contains(err.Error(), "503") || errors.Is(err, ErrTimedOut) {
			t.Errorf("the service answers 503; Fetch should return an error mentioning 503 (not a timeout); got %q, %v", body, err)
		}
		if svc.Stats().Calls != 1 {
			t.Errorf("the service saw %d calls, want 1", svc.Stats().Calls)
		}
		checkBodiesClosed(t, rt)
	})
}

func TestEx4HonoursCallerDeadline(t *testing.T) {
	for _, tt := range []struct {
		name     string
		deadline func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"context.WithTimeout", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 200*time.Millisecond)
		}},
		// With a cause, the transport reports the cause, which is not
		// context.DeadlineExceeded: only ctx.Err() still says it.
		{"context.WithTimeoutCause", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeoutCause(ctx, 200*time.Millisecond, errors.New("checkout budget spent"))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				svc, client, _ := slowService(time.Second, 0)
				ctx, cancel := tt.deadline(t.Context())
				defer cancel()

				start := time.Now()
				_, err := Fetch(ctx, client, "http://flaky.test/")
				elapsed := time.Since(start)
				synctest.Wait()

				if !errors.Is(err, ErrTimedOut) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the caller's 200ms deadline passed first; the error should match ErrTimedOut and context.DeadlineExceeded; got %v", err)
				}
				if elapsed != 200*time.Millisecond {
					t.Errorf("Fetch should give up at the caller's 200ms deadline; it returned after %v", elapsed)
				}
				if st := svc.Stats(); st.Canceled != 1 {
					t.Errorf("the service should see its call cancelled (the deadline travels with the request); its stats: %v", st)
				}
			})
		})
	}
}

func TestEx4HonoursClientTimeout(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		_, client, _ := slowService(time.Second, 300*time.Millisecond)

		start := time.Now()
		_, err := Fetch(t.Context(), client, "http://flaky.test/")
		elapsed := time.Since(start)
		synctest.Wait()

		if !errors.Is(err, ErrTimedOut) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the client's 300ms Timeout passed first; the error should match ErrTimedOut and context.DeadlineExceeded; got %v", err)
		}
		if elapsed != 300*time.Millisecond {
			t.Errorf("Fetch should give up at the client's 300ms Timeout; it returned after %v", elapsed)
		}
	})
}

func TestEx4TellsCancellationFromTimeout(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cancel func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"context.WithCancel", context.WithCancel},
		// With a cause, the transport reports the cause, which is not
		// context.Canceled: only ctx.Err() still says it.
		{"context.WithCancelCause", func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancelCause(ctx)
			return ctx, func() { cancel(errors.New("user closed the page")) }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				_, client, _ := slowService(time.Second, 0)
				ctx, cancel := tt.cancel(t.Context())
				defer cancel()
				time.AfterFunc(50*time.Millisecond, cancel)

				_, err := Fetch(ctx, client, "http://flaky.test/")
				synctest.Wait()
				if !errors.Is(err, context.Canceled) {
					t.Errorf("the caller cancelled; the error should match context.Canceled; got %v", err)
				}
				if errors.Is(err, ErrTimedOut) || errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the caller cancelled, nothing timed out; the error should not match ErrTimedOut or DeadlineExceeded; got %v", err)
				}
			})
		})
	}
}

// TestEx4OverLoopback talks to a real server on 127.0.0.1. It waits on no
// clock: the server answers at once.
func TestEx4OverLoopback(t *testing.T) {
	srv := httptest.NewServer(flaky.MustNew(flaky.Config{}))
	defer srv.Close()
	body, err := Fetch(t.Context(), srv.Client(), srv.URL)
	if err != nil || body != "ok\n" {
		t.Errorf("a real server answers 200 %q; Fetch returned %q, %v", "ok\n", body, err)
	}
}
