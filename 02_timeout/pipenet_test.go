package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
)

// pipeNet is a network of in-memory connections (net.Pipe) for tests.
// Unlike loopback sockets, they block durably, so the demo's servers and
// clients run inside a synctest bubble, in virtual time.
func pipeNet(goroutines func() int) network {
	var (
		mu        sync.Mutex
		listeners = map[string]*pipeListener{}
	)
	return network{
		listen: func() (net.Listener, error) {
			mu.Lock()
			defer mu.Unlock()
			l := &pipeListener{addr: pipeAddr(fmt.Sprintf("pipe-%d:80", len(listeners)+1)),
				conns: make(chan net.Conn), done: make(chan struct{})}
			listeners[string(l.addr)] = l
			return l, nil
		},
		dial: func(ctx context.Context, _, addr string) (net.Conn, error) {
			mu.Lock()
			l := listeners[addr]
			mu.Unlock()
			if l == nil {
				return nil, &net.OpError{Op: "dial", Net: "pipe", Err: syscall.ECONNREFUSED}
			}
			client, server := net.Pipe()
			select {
			case l.conns <- server:
				return client, nil
			case <-l.done:
				return nil, &net.OpError{Op: "dial", Net: "pipe", Err: syscall.ECONNREFUSED}
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
		goroutines: goroutines,
	}
}

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeListener hands the server end of each dialled pipe to Accept.
type pipeListener struct {
	addr  pipeAddr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return l.addr }
