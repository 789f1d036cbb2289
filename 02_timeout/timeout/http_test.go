package timeout

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"reliability/flaky"
)

// handlerTransport is an in-memory http.RoundTripper: it hands each request
// straight to a handler, with the request's context, and gives up when that
// context ends, as the real transport does. Real sockets are not durably
// blocking, so they do not work inside a synctest bubble; this transport
// does, which lets the HTTP tests run in virtual time.
type handlerTransport struct{ h http.Handler }

func (rt handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
		return rec.Result(), nil
	case <-req.Context().Done():
		return nil, context.Cause(req.Context())
	}
}

func inMemoryClient(h http.Handler, timeout time.Duration) *http.Client {
	return &http.Client{Transport: handlerTransport{h}, Timeout: timeout}
}

func TestGet(t *testing.T) {
	const slow = time.Second // the flaky service's latency
	tests := []struct {
		name          string
		svc           flaky.Config
		clientTimeout time.Duration
		ctx           func(context.Context) (context.Context, context.CancelFunc)

		wantStatus   int
		wantBody     string
		wantIs       []error
		wantNotIs    []error
		wantElapsed  time.Duration
		wantCanceled int // calls the service saw cancelled: the deadline reached it
	}{
		{
			name:       "answer in time",
			svc:        flaky.Config{Latency: 100 * time.Millisecond},
			ctx:        func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, slow) },
			wantStatus: http.StatusOK, wantBody: "ok\n", wantElapsed: 100 * time.Millisecond,
		},
		{
			name:       "an error status is an answer, not a failure",
			svc:        flaky.Config{FailFirst: 1},
			ctx:        func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithCancel(ctx) },
			wantStatus: http.StatusServiceUnavailable,
		},
		{
			name: "caller's deadline cuts the request off",
			svc:  flaky.Config{Latency: slow},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 50*time.Millisecond)
			},
			wantIs:      []error{ErrTimeout, context.DeadlineExceeded},
			wantNotIs:   []error{context.Canceled},
			wantElapsed: 50 * time.Millisecond, wantCanceled: 1,
		},
		{
			name: "caller's deadline with its own cause is still a timeout",
			svc:  flaky.Config{Latency: slow},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeoutCause(ctx, 50*time.Millisecond, errors.New("checkout budget spent"))
			},
			wantIs:      []error{ErrTimeout, context.DeadlineExceeded},
			wantElapsed: 50 * time.Millisecond, wantCanceled: 1,
		},
		{
			name:          "client timeout cuts the request off",
			svc:           flaky.Config{Latency: slow},
			clientTimeout: 80 * time.Millisecond,
			ctx:           func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithCancel(ctx) },
			wantIs:        []error{ErrTimeout, context.DeadlineExceeded},
			wantNotIs:     []error{context.Canceled},
			wantElapsed:   80 * time.Millisecond, wantCanceled: 1,
		},
		{
			name: "caller cancels",
			svc:  flaky.Config{Latency: slow},
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(30*time.Millisecond, cancel)
				return ctx, cancel
			},
			wantIs:      []error{context.Canceled},
			wantNotIs:   []error{ErrTimeout, context.DeadlineExceeded},
			wantElapsed: 30 * time.Millisecond, wantCanceled: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := flaky.MustNew(tt.svc)
				client := inMemoryClient(svc, tt.clientTimeout)
				ctx, cancel := tt.ctx(t.Context())
				defer cancel()

				start := time.Now()
				status, body, err := Get(ctx, client, "http://flaky.test/")
				elapsed := time.Since(start)
				synctest.Wait()

				if len(tt.wantIs) == 0 && err != nil {
					t.Fatalf("want an answer, got error %v", err)
				}
				for _, want := range tt.wantIs {
					if !errors.Is(err, want) {
						t.Errorf("error %v should match %q, it does not", err, want)
					}
				}
				for _, unwanted := range tt.wantNotIs {
					if errors.Is(err, unwanted) {
						t.Errorf("error %v should not match %q, it does", err, unwanted)
					}
				}
				if status != tt.wantStatus {
					t.Errorf("status %d, want %d", status, tt.wantStatus)
				}
				if tt.wantBody != "" && string(body) != tt.wantBody {
					t.Errorf("body %q, want %q", body, tt.wantBody)
				}
				if elapsed != tt.wantElapsed {
					t.Errorf("Get returned after %v, want %v", elapsed, tt.wantElapsed)
				}
				if got := svc.Stats().Canceled; got != tt.wantCanceled {
					t.Errorf("the service saw %d cancelled calls, want %d (does the deadline travel with the request?)", got, tt.wantCanceled)
				}
			})
		})
	}
}

// TestTimeoutHandler shows the server side: http.TimeoutHandler answers 503
// at its deadline and cancels the handler's request context, so a handler
// that honours it (like the flaky service) stops working too.
func TestTimeoutHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := flaky.MustNew(flaky.Config{Latency: time.Second})
		h := http.TimeoutHandler(svc, 100*time.Millisecond, "too slow\n")

		start := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil))
		synctest.Wait()

		if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != "too slow\n" {
			t.Errorf("got %d %q, want 503 %q", rec.Code, rec.Body.String(), "too slow\n")
		}
		if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
			t.Errorf("the handler answered after %v, want 100ms", elapsed)
		}
		if st := svc.Stats(); st.Canceled != 1 || st.InFlight != 0 {
			t.Errorf("service stats %v; want the slow call cancelled and nothing in flight", st)
		}
	})
}

// The tests below use a real loopback server, outside synctest. They never
// wait on a clock: the outcome is settled by channels and contexts that are
// already done.

func TestGetLoopback(t *testing.T) {
	srv := httptest.NewServer(flaky.MustNew(flaky.Config{}))
	defer srv.Close()

	status, body, err := Get(t.Context(), srv.Client(), srv.URL)
	if err != nil || status != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("Get = %d %q %v, want 200 %q and no error", status, body, err, "ok\n")
	}
}

func TestGetLoopbackDeadlineAlreadyPassed(t *testing.T) {
	srv := httptest.NewServer(flaky.MustNew(flaky.Config{}))
	defer srv.Close()

	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, _, err := Get(ctx, srv.Client(), srv.URL)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get with an expired deadline returned %v, want ErrTimeout and context.DeadlineExceeded", err)
	}
}

// TestGetLoopbackCancelReachesServer checks that cancelling the caller's
// context closes the connection and so cancels the server's request
// context too: the deadline propagates across the network.
func TestGetLoopbackCancelReachesServer(t *testing.T) {
	arrived := make(chan struct{})
	serverSawCancel := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
		close(serverSawCancel)
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel()
	}()
	got := make(chan error, 1)
	go func() {
		_, _, err := Get(ctx, srv.Client(), srv.URL)
		got <- err
	}()

	// A guard, not a sleep: on success Get returns and the server sees the
	// cancellation within microseconds. The timer only turns a regression
	// (a request that does not carry ctx, so nothing ever ends it) into a
	// clear failure instead of a test binary hung until go test's limit.
	guard := time.NewTimer(10 * time.Second)
	defer guard.Stop()
	select {
	case err := <-got:
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			t.Errorf("Get returned %v, want context.Canceled and not ErrTimeout", err)
		}
	case <-guard.C:
		// Cut the connection so that the handler and Get can return and
		// the server can close.
		srv.CloseClientConnections()
		<-got
		t.Fatal("Get did not return after the caller cancelled: does the request carry ctx?")
	}
	select {
	case <-serverSawCancel:
	case <-guard.C:
		srv.CloseClientConnections()
		t.Fatal("the client's cancellation never reached the server's request context")
	}
}

// TestGetDeadlineCutsOffSlowBody checks the claim that the deadline covers
// the body, not only the wait for the headers: the server answers 200 and
// sends part of the body, then stalls. The real net/http transport runs over
// net.Pipe, an in-memory connection that works inside a synctest bubble (a
// loopback socket does not), so the deadline passes in virtual time.
func TestGetDeadlineCutsOffSlowBody(t *testing.T) {
	for _, tt := range []struct {
		name          string
		ctxTimeout    time.Duration // 0: no deadline on the caller's context
		clientTimeout time.Duration // 0: no http.Client.Timeout
		want          time.Duration
	}{
		{name: "caller's context deadline", ctxTimeout: 100 * time.Millisecond, want: 100 * time.Millisecond},
		{name: "http.Client.Timeout", clientTimeout: 150 * time.Millisecond, want: 150 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srvConn, cliConn := net.Pipe()
				defer srvConn.Close()
				tr := &http.Transport{
					DialContext: func(context.Context, string, string) (net.Conn, error) { return cliConn, nil },
				}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr, Timeout: tt.clientTimeout}

				ctx := t.Context()
				if tt.ctxTimeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
					defer cancel()
				}

				// The server: read the request, send the headers and 5 of
				// the 100 bytes promised, then stall until the client hangs
				// up, which ends the read below.
				serverDone := make(chan error, 1)
				go func() {
					if _, err := http.ReadRequest(bufio.NewReader(srvConn)); err != nil {
						serverDone <- err
						return
					}
					if _, err := io.WriteString(srvConn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst"); err != nil {
						serverDone <- err
						return
					}
					_, err := io.Copy(io.Discard, srvConn) // returns when the client closes the connection
					serverDone <- err
				}()

				start := time.Now()
				status, body, err := Get(ctx, client, "http://slow-body.test/")
				elapsed := time.Since(start)

				if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Get returned %v, want an error matching ErrTimeout and context.DeadlineExceeded", err)
				}
				if status != http.StatusOK {
					t.Errorf("status %d, want 200: the headers arrived in time, the body did not", status)
				}
				if len(body) != 0 {
					t.Errorf("body %q, want none from a cut-off read", body)
				}
				if elapsed != tt.want {
					t.Errorf("Get returned after %v, want %v: the deadline must cut off a stalled body", elapsed, tt.want)
				}
				// The transport closed the connection, so the server's read
				// ended too: the cut-off reached the other side.
				if err := <-serverDone; err != nil {
					t.Errorf("the server's side ended with %v, want a clean close", err)
				}
			})
		})
	}
}

func TestGetBadURL(t *testing.T) {
	_, _, err := Get(t.Context(), nil, "://no-scheme")
	if err == nil || errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "missing protocol scheme") {
		t.Errorf("Get with a malformed URL returned %v, want the URL parse error", err)
	}
}
