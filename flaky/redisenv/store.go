package redisenv

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store and Client are a Server and a client as the exercise tests see
// them: interfaces, so that a package holding them never names a go-redis
// type that embeds the client. The reason is compile time alone. A
// package that names *redis.Client, redis.Options or *Server (which
// holds Options) compiles some 1,700 extra functions for it, about a
// second of work (go-redis v9.23 and Go 1.26; go build -gcflags=-bench
// shows it), while redis.Cmdable and these interfaces cost next to
// nothing. make test compiles the exercises package once per catalogued
// wrong answer, hundreds of times; the tests and demos elsewhere use
// *Server and *redis.Client as usual.

// Store is what an exercise test does with a Server.
type Store interface {
	Key(name string) string
	Embedded() bool
	Now() time.Time
	Advance(d time.Duration) error
	Stop()
	Resume()
	Close()
	PatientClient(d time.Duration) Client
}

// Client is what an exercise test does with a client: every command,
// hooks, Close. A *redis.Client is one.
type Client interface {
	redis.Cmdable
	AddHook(redis.Hook)
	Close() error
}

// NewStore is New as a Store: it stops the test at once if the server
// cannot start, and closes it when the test ends.
//
// It and the functions below are never inlined: inlined, they would name
// *Server or *redis.Client in their caller, which is what Store is for
// avoiding.
//
//go:noinline
func NewStore(t testing.TB) Store { return New(t) }

// StartEmbeddedStore is StartEmbedded as a Store. The caller closes it.
//
//go:noinline
func StartEmbeddedStore() (Store, error) {
	s, err := StartEmbedded()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// PatientClient returns a new client like Client's whose dial, read and
// write timeouts are d instead of one second: for tests about what code
// does with the store, which a loaded machine must not fail. The caller
// closes it.
func (s *Server) PatientClient(d time.Duration) Client {
	o := s.Options()
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = d, d, d
	return redis.NewClient(o)
}
