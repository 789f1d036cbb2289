package timeout

import (
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// oneConnListener hands out one connection, then blocks until closed.
type oneConnListener struct {
	conn chan net.Conn
	done chan struct{}
	once sync.Once
}

func newOneConnListener(c net.Conn) *oneConnListener {
	l := &oneConnListener{conn: make(chan net.Conn, 1), done: make(chan struct{})}
	l.conn <- c
	return l
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conn:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *oneConnListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *oneConnListener) Addr() net.Addr { return &net.TCPAddr{} }

// TestReadHeaderTimeoutCutsOffASlowClient is the Slowloris attack against
// a real http.Server, over an in-memory connection in virtual time: the
// client sends a request line and then one header line every 5s, never
// the blank line that ends the headers. Without ReadHeaderTimeout the
// server waits as long as the client keeps talking (an hour here, and its
// handler never runs); with it, the server closes the connection at the
// deadline, however busy the client is.
func TestReadHeaderTimeoutCutsOffASlowClient(t *testing.T) {
	for _, tt := range []struct {
		name              string
		readHeaderTimeout time.Duration
		wantClosedAfter   time.Duration // 0: still open when the client quits
	}{
		{"no ReadHeaderTimeout", 0, 0},
		{"ReadHeaderTimeout 2s", 2 * time.Second, 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const quit = time.Hour
				srvConn, cliConn := net.Pipe()
				var handled atomic.Bool
				srv := &http.Server{
					Handler:           http.HandlerFunc(func(http.ResponseWriter, *http.Request) { handled.Store(true) }),
					ReadHeaderTimeout: tt.readHeaderTimeout,
				}
				served := make(chan struct{})
				go func() {
					defer close(served)
					_ = srv.Serve(newOneConnListener(srvConn))
				}()

				closed := make(chan struct{})
				go func() {
					_, _ = io.Copy(io.Discard, cliConn) // ends when either side closes
					close(closed)
				}()
				start := time.Now()
				_, _ = io.WriteString(cliConn, "GET / HTTP/1.1\r\nHost: slow\r\n")
				var open time.Duration
			trickle:
				for {
					select {
					case <-closed:
						open = time.Since(start)
						break trickle
					case <-time.After(5 * time.Second):
						if time.Since(start) >= quit {
							break trickle // the client gives up; the connection is still open
						}
						_, _ = io.WriteString(cliConn, "X-Slow: 1\r\n")
					}
				}
				_ = cliConn.Close()
				<-closed
				_ = srv.Close()
				<-served

				if open != tt.wantClosedAfter {
					if open == 0 {
						t.Errorf("the server held the connection for the client's whole hour, want it closed after %v", tt.wantClosedAfter)
					} else {
						t.Errorf("the server closed the connection after %v, want %v", open, tt.wantClosedAfter)
					}
				}
				if handled.Load() {
					t.Error("the handler ran, but the request's headers never ended")
				}
			})
		})
	}
}
