package exercises

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"reliability/flaky"
)

// inMemoryURL is the URL the in-memory tests fetch. Their transports ignore
// it; it names no host to look up and a port nothing listens on, so code
// that sends the request through another client fails at once.
const inMemoryURL = "http://127.0.0.1:1/"

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
		t.Errorf("%d response bodies were left open; close every body, whatever the status (defer resp.Body.Close() "+
			"right after client.Do succeeds), or the connection and its goroutines stay busy", n)
	}
}

func TestEx4ReturnsBody(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		svc, client, rt := slowService(100*time.Millisecond, 0)
		var method string
		rt.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			method = r.Method
			svc.ServeHTTP(w, r)
		})
		start := time.Now()
		body, err := Fetch(t.Context(), client, inMemoryURL)
		if rt.requests.Load() == 0 {
			t.Fatalf("the request never reached the client's transport (Fetch returned %q, %v): send it with the "+
				"client you were given, client.Do(req), not http.DefaultClient or http.Get", body, err)
		}
		if err != nil || body != "ok\n" {
			t.Errorf("the service answers 200 %q; Fetch returned %q, %v", "ok\n", body, err)
		}
		if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
			t.Errorf("the service takes 100ms; Fetch returned after %v", elapsed)
		}
		if method != http.MethodGet {
			t.Errorf("the server saw a %s request; Fetch should send a GET (http.MethodGet)", method)
		}
		checkBodiesClosed(t, rt)
	})
}

// TestEx4ReturnsLongBody: one Read returns what is at hand, not the
// whole body.
func TestEx4ReturnsLongBody(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		want := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
		rt := &handlerTransport{h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, want)
		})}
		body, err := Fetch(t.Context(), &http.Client{Transport: rt}, inMemoryURL)
		switch {
		case err != nil:
			t.Errorf("the server answered 200 with a %d-byte body; Fetch returned %v", len(want), err)
		case body != want:
			t.Errorf("the server answered 200 with a %d-byte body; Fetch returned %d bytes of it: read the whole body "+
				"(io.ReadAll), since one Read returns only what has arrived so far", len(want), len(body))
		}
		checkBodiesClosed(t, rt)
	})
}

func TestEx4ReportsBadStatus(t *testing.T) {
	started(t)
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such page", http.StatusNotFound)
	})
	for _, tt := range []struct {
		name   string
		status int
		h      http.Handler
	}{
		{"503", http.StatusServiceUnavailable, flaky.MustNew(flaky.Config{FailFirst: 1})},
		{"404", http.StatusNotFound, notFound},
		// A 3xx that the client does not follow is not a success either.
		{"304", http.StatusNotModified, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		})},
		// Other 2xx codes are not 200 either: the task asks for 200.
		{"201", http.StatusCreated, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, "made a new one\n")
		})},
		{"204", http.StatusNoContent, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				rt := &handlerTransport{h: tt.h}
				client := &http.Client{Transport: rt}
				body, err := Fetch(t.Context(), client, inMemoryURL)
				switch code := http.StatusText(tt.status); {
				case err == nil:
					t.Errorf("the server answered %d %s; Fetch returned it as a success (%q, nil): only 200 is a success, "+
						"any other status must be an error", tt.status, code, body)
				case !strings.Contains(err.Error(), tt.name):
					t.Errorf("the server answered %d %s; Fetch's error should mention %s; got %v", tt.status, code, tt.name, err)
				case errors.Is(err, ErrTimedOut) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
					t.Errorf("the server answered %d %s at once; that is not a timeout or a cancellation, but the error matches one: %v",
						tt.status, code, err)
				}
				if n := rt.requests.Load(); n != 1 {
					t.Errorf("the server saw %d requests, want 1", n)
				}
				checkBodiesClosed(t, rt)
			})
		})
	}
}

func TestEx4HonoursCallerDeadline(t *testing.T) {
	started(t)
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
				_, err := Fetch(ctx, client, inMemoryURL)
				elapsed := time.Since(start)
				synctest.Wait()

				switch {
				case elapsed > 200*time.Millisecond:
					t.Errorf("Fetch should give up at the caller's 200ms deadline; it returned after %v: "+
						"does the request carry ctx (http.NewRequestWithContext)?", elapsed)
				case elapsed != 200*time.Millisecond:
					t.Errorf("Fetch should give up at the caller's 200ms deadline; it returned after %v", elapsed)
				}
				if !errors.Is(err, ErrTimedOut) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the caller's 200ms deadline passed first; the error should match ErrTimedOut and context.DeadlineExceeded; got %v%s",
						err, askCtxHint(ctx, err))
				}
				if st := svc.Stats(); st.Canceled != 1 {
					t.Errorf("the service should see its call cancelled (the deadline travels with the request); its stats: %v", st)
				}
			})
		})
	}
}

// askCtxHint names the likely mistake when ctx has ended but the error
// does not say so: the client's error carries the cause the caller gave.
func askCtxHint(ctx context.Context, err error) string {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) && !errors.Is(err, context.DeadlineExceeded) {
		return " (the client's error carries the caller's cause; ask ctx.Err() which way ctx ended)"
	}
	return ""
}

func TestEx4HonoursClientTimeout(t *testing.T) {
	started(t)
	inBubble(t, func(t *testing.T) {
		_, client, _ := slowService(time.Second, 300*time.Millisecond)

		start := time.Now()
		_, err := Fetch(t.Context(), client, inMemoryURL)
		elapsed := time.Since(start)
		synctest.Wait()

		if !errors.Is(err, ErrTimedOut) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the client's 300ms Timeout passed first (ctx is still alive); the error should match ErrTimedOut and "+
				"context.DeadlineExceeded; got %v", err)
		}
		if elapsed != 300*time.Millisecond {
			t.Errorf("Fetch should give up at the client's 300ms Timeout; it returned after %v", elapsed)
		}
	})
}

func TestEx4TellsCancellationFromTimeout(t *testing.T) {
	started(t)
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

				_, err := Fetch(ctx, client, inMemoryURL)
				synctest.Wait()
				checkCancelled(t, ctx, err)
			})
		})
	}
}

func checkCancelled(t *testing.T, ctx context.Context, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the caller cancelled; the error should match context.Canceled; got %v%s", err, askCtxHint(ctx, err))
	}
	if errors.Is(err, ErrTimedOut) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the caller cancelled, nothing timed out; the error should not match ErrTimedOut or DeadlineExceeded; got %v", err)
	}
}

// stalledBody returns a client whose server, at the other end of an
// in-memory connection, sends 200 and the first 5 of 100 promised bytes,
// then stalls until the client hangs up. The client is the real
// net/http transport, so the test sees what a real stalled body does; an
// in-memory connection, unlike a socket, works in a synctest bubble.
func stalledBody(t *testing.T, clientTimeout time.Duration) *http.Client {
	srvConn, cliConn := net.Pipe()
	tr := &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return cliConn, nil },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srvConn.Close()
		if _, err := http.ReadRequest(bufio.NewReader(srvConn)); err != nil {
			return
		}
		if _, err := io.WriteString(srvConn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst"); err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, srvConn) // until the client closes the connection
	}()
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		cliConn.Close()
		<-done
	})
	return &http.Client{Transport: tr, Timeout: clientTimeout}
}

// TestEx4BodyTimeout: the headers arrive in time, then the body stalls. The
// deadline cuts off the read, and that is a timeout as much as one before
// the headers.
func TestEx4BodyTimeout(t *testing.T) {
	started(t)
	for _, tt := range []struct {
		name          string
		ctx           func(context.Context) (context.Context, context.CancelFunc)
		clientTimeout time.Duration
	}{
		{"context.WithTimeout", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 200*time.Millisecond)
		}, 0},
		{"context.WithTimeoutCause", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeoutCause(ctx, 200*time.Millisecond, errors.New("checkout budget spent"))
		}, 0},
		{"http.Client.Timeout", context.WithCancel, 200 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) {
				client := stalledBody(t, tt.clientTimeout)
				ctx, cancel := tt.ctx(t.Context())
				defer cancel()

				start := time.Now()
				body, err := Fetch(ctx, client, inMemoryURL)
				if elapsed := time.Since(start); elapsed != 200*time.Millisecond {
					t.Errorf("the body stalls; Fetch should give up at the 200ms deadline; it returned after %v", elapsed)
				}
				if !errors.Is(err, ErrTimedOut) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("the headers arrived in time, then the body stalled until the 200ms deadline cut the read off; "+
						"the error should match ErrTimedOut and context.DeadlineExceeded; got %q, %v%s. A timeout while "+
						"reading the body is a timeout too: sort that error the same way as one from client.Do",
						body, err, askCtxHint(ctx, err))
				}
			})
		})
	}
	t.Run("caller cancels", func(t *testing.T) {
		inBubble(t, func(t *testing.T) {
			client := stalledBody(t, 0)
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			time.AfterFunc(200*time.Millisecond, func() { cancel(errors.New("user closed the page")) })

			_, err := Fetch(ctx, client, inMemoryURL)
			checkCancelled(t, ctx, err)
		})
	})
}

// TestEx4OtherFailures: a failure that is neither the deadline nor the
// caller's cancellation must not be reported as either.
func TestEx4OtherFailures(t *testing.T) {
	started(t)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, refused })}
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	_, err := Fetch(ctx, client, inMemoryURL)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("the connection was refused; the error should say so (match syscall.ECONNREFUSED); got %v", err)
	}
	if errors.Is(err, ErrTimedOut) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Errorf("the connection was refused at once, with an hour left: that is neither a timeout nor a cancellation, "+
			"but the error matches one: %v. Only a deadline that passed is a timeout", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// TestEx4OverLoopback talks to a real server on 127.0.0.1. It waits on no
// clock: the server answers at once.
func TestEx4OverLoopback(t *testing.T) {
	started(t)
	srv := httptest.NewServer(flaky.MustNew(flaky.Config{}))
	defer srv.Close()
	body, err := Fetch(t.Context(), srv.Client(), srv.URL)
	if err != nil || body != "ok\n" {
		t.Errorf("a real server answers 200 %q; Fetch returned %q, %v", "ok\n", body, err)
	}
}
