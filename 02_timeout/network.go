package main

import (
	"context"
	"net"
	"net/http"
	"runtime"
)

// network is what the demo needs from its surroundings: a way to listen,
// a way to dial, and a goroutine count. The demo uses real loopback sockets
// and runtime.NumGoroutine; the tests swap in in-memory connections and a
// count of one synctest bubble, so the whole demo runs in virtual time.
type network struct {
	listen     func() (net.Listener, error)
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	goroutines func() int
}

// realNet is loopback TCP and the process's goroutine count.
func realNet() network {
	var d net.Dialer
	return network{
		listen:     func() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") },
		dial:       d.DialContext,
		goroutines: runtime.NumGoroutine,
	}
}

// server is an HTTP server on the network and a client that reaches it.
type server struct {
	addr   string // host:port
	url    string
	client *http.Client
	srv    *http.Server
	tr     *http.Transport
}

// serve starts srv (its Handler and timeouts set by the caller) on a new
// listener and returns it with a client of its own.
func (nw network) serve(srv *http.Server) (*server, error) {
	l, err := nw.listen()
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.Serve(l) }() // returns when Close is called
	tr := &http.Transport{DialContext: nw.dial}
	return &server{addr: l.Addr().String(), url: "http://" + l.Addr().String(), client: &http.Client{Transport: tr}, srv: srv, tr: tr}, nil
}

// close stops the server, its connections and the client's idle ones.
func (s *server) close() {
	_ = s.srv.Close()
	s.tr.CloseIdleConnections()
}
