// Package redisenv gives the course's tests and demos a Redis server to talk
// to, without asking a learner to install one.
//
// By default Start runs an embedded server (miniredis) inside the process:
// nothing to install, works on every OS, and its clock stands still at Epoch
// until Advance moves it, so a test or a demo moves time forward without
// sleeping and replays exactly. When the environment variable
// REDIS_URL is set (redis://127.0.0.1:6379/0), Start connects to that server
// instead. CI does this with a real redis-server, so code that passes on the
// embedded server is also checked against the real one.
//
// Either way, clients reach the server through a small proxy on the loopback
// interface that the Server owns. That proxy is how a test or a demo takes
// the store away mid-run (Stop), makes it hang (Stall) and brings it back
// (Resume): the failures a shared rate limiter or breaker must survive, shown
// without touching the server itself.
//
// A Server must be started outside any testing/synctest bubble: its
// goroutines wait on the network, which the bubble's fake clock cannot see.
package redisenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// EnvURL names the environment variable that points Start at a real server.
const EnvURL = "REDIS_URL"

// ErrRealClock is returned by Advance on a real server, whose clock only the
// operating system moves.
var ErrRealClock = errors.New("redisenv: a real server's clock cannot be set")

// Server is a Redis server for one test or one demo run, with a proxy in
// front of it that can fail on demand. Its methods are safe for concurrent
// use.
type Server struct {
	mu     sync.Mutex
	now    time.Time            // the embedded server's clock
	mini   *miniredis.Miniredis // nil for a real server
	opts   redis.Options        // how to reach the server itself
	url    string               // REDIS_URL, for messages
	proxy  *proxy
	prefix string
}

// Epoch is where the embedded server's clock starts: a fixed instant, so
// that a run replays the same answers whatever day it runs.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// serial numbers the Servers of one process, so that their key prefixes
// differ even when tests share one real server.
var serial atomic.Int64

// Start returns the server named by REDIS_URL, or an embedded one when the
// variable is unset or empty. It fails when REDIS_URL does not parse or the
// server does not answer PING within two seconds; it never falls back to the
// embedded server when a real one was asked for, so a broken CI setup shows
// as a failure instead of passing quietly on the wrong server.
func Start() (*Server, error) {
	if url := os.Getenv(EnvURL); url != "" {
		return startReal(url)
	}
	return StartEmbedded()
}

// StartEmbedded starts an in-process server whatever REDIS_URL says. Demos
// use it for runs that must replay byte for byte; tests use Start.
func StartEmbedded() (*Server, error) {
	m := miniredis.NewMiniRedis()
	// A clock that only Advance moves, and keys that expire by that clock:
	// TIME, PEXPIREAT and the time to live of every key agree.
	m.SetTime(Epoch)
	m.ClockTTL(true)
	if err := m.Start(); err != nil {
		return nil, fmt.Errorf("redisenv: start embedded server: %w", err)
	}
	s, err := newServer(redis.Options{Addr: m.Addr()})
	if err != nil {
		m.Close()
		return nil, err
	}
	s.mini = m
	s.now = Epoch
	return s, nil
}

func startReal(url string) (*Server, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisenv: %s=%q: %w", EnvURL, url, err)
	}
	s, err := newServer(*opts)
	if err != nil {
		return nil, err
	}
	s.url = url
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c := s.Client()
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		s.Close()
		return nil, fmt.Errorf("redisenv: %s=%q does not answer: %w", EnvURL, url, err)
	}
	return s, nil
}

func newServer(opts redis.Options) (*Server, error) {
	p, err := startProxy(opts.Addr)
	if err != nil {
		return nil, err
	}
	return &Server{
		opts:   opts,
		proxy:  p,
		prefix: "t" + strconv.Itoa(os.Getpid()) + "." + strconv.FormatInt(serial.Add(1), 10) + ":",
	}, nil
}

// New starts a server for a test (see Start), stops the test at once if it
// cannot, and closes the server when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Embedded reports whether this is the in-process server.
func (s *Server) Embedded() bool { return s.mini != nil }

// Name says which server this is, for a demo's header or a test's log:
// "embedded" or the REDIS_URL it was given.
func (s *Server) Name() string {
	if s.Embedded() {
		return "embedded"
	}
	return s.url
}

// Options returns client options that reach the server through the proxy.
// Every call a client makes with them is bounded: dialing, reading and
// writing each time out after 1 s, the caller's context is honoured, and a
// failed command is not retried behind the caller's back. One second is long
// enough that a busy test machine never trips it and short enough that a
// hung store never hangs a caller for long; code on a request path bounds
// its store calls tighter with a context (redislimit.Guard does). Change a
// copy to taste before redis.NewClient.
func (s *Server) Options() *redis.Options {
	o := s.opts
	o.Addr = s.proxy.addr()
	o.DialTimeout = time.Second
	o.ReadTimeout = time.Second
	o.WriteTimeout = time.Second
	o.ContextTimeoutEnabled = true
	o.MaxRetries = -1
	// Nor is a refused dial: one attempt, so a stopped server is refused
	// at once instead of after go-redis's default of five attempts 100 ms
	// apart.
	o.DialerRetries = 1
	o.PoolSize = 8
	// go-redis v9.15+ asks the server for maintenance notifications on every
	// new connection; the embedded server does not know the command, and the
	// course needs none of it.
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	o.DisableIdentity = true
	return &o
}

// Client returns a new client that reaches the server through the proxy, with
// the bounded calls described at Options. The caller closes it.
func (s *Server) Client() *redis.Client { return redis.NewClient(s.Options()) }

// Key returns name inside this Server's own namespace. Tests that share one
// real server use it so that their keys never collide.
func (s *Server) Key(name string) string { return s.prefix + name }

// Prefix is the namespace Key puts in front of every name.
func (s *Server) Prefix() string { return s.prefix }

// Now returns the embedded server's clock, or the local clock for a real
// server.
func (s *Server) Now() time.Time {
	if s.mini == nil {
		return time.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Advance moves the embedded server's clock forward by d: TIME answers d
// later, and keys whose time to live has run out are gone, as after d of
// real time. On a real server it returns ErrRealClock; a negative d is an
// error.
func (s *Server) Advance(d time.Duration) error {
	if s.mini == nil {
		return ErrRealClock
	}
	if d < 0 {
		return fmt.Errorf("redisenv: Advance(%v): time only moves forward", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
	s.mini.SetTime(s.now)
	return nil
}

// Stop takes the server away: connections through the proxy are cut and new
// ones refused until Resume, as when the server process dies. The server
// itself keeps its data.
func (s *Server) Stop() { s.proxy.setMode(modeDown) }

// Stall makes the server hang: connections are accepted and requests are
// read, but no answer comes back until Resume, as when the server is
// overloaded or a network path drops packets. Clients see their own timeouts.
func (s *Server) Stall() { s.proxy.setMode(modeStalled) }

// Resume ends a Stop or a Stall: new connections reach the server again.
// Connections cut by Stop stay cut; clients redial.
func (s *Server) Resume() { s.proxy.setMode(modeUp) }

// Close stops the proxy and, for an embedded server, the server; on a real
// server it first deletes every key this Server's namespace holds. Close is
// idempotent.
func (s *Server) Close() {
	if s.mini == nil && s.proxy.isOpen() {
		s.deleteOwnKeys()
	}
	s.proxy.close()
	if s.mini != nil {
		s.mini.Close()
	}
}

// deleteOwnKeys talks to the server directly, so that it works even when
// the proxy has been told to Stop or Stall.
func (s *Server) deleteOwnKeys() {
	c := redis.NewClient(s.DirectOptions())
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, s.prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		c.Del(ctx, iter.Val())
	}
}

// Addr is the proxy's address, the one clients dial.
func (s *Server) Addr() string { return s.proxy.addr() }
