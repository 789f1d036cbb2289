package redisenv

import (
	"fmt"
	"net"
	"sync"
)

// mode is what the proxy does with traffic.
type mode int

const (
	modeUp      mode = iota // forward both ways
	modeDown                // refuse new connections, cut open ones
	modeStalled             // accept and read, answer nothing
)

// proxy forwards TCP connections from a loopback port to the server and can
// fail on demand. Going through it, rather than stopping the server, keeps the
// server's data and works the same for the embedded and a real server.
type proxy struct {
	target string

	mu       sync.Mutex
	ln       net.Listener // nil while down
	lnAddr   string       // kept across Stop/Resume: clients dial one address
	mode     mode
	conns    map[net.Conn]struct{} // client and server ends, to cut on Stop
	closed   bool
	wg       sync.WaitGroup
	stallGen chan struct{} // closed when a stall ends
}

func startProxy(target string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("redisenv: proxy: %w", err)
	}
	p := &proxy{
		target: target,
		ln:     ln,
		lnAddr: ln.Addr().String(),
		conns:  map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.accept(ln)
	return p, nil
}

func (p *proxy) addr() string { return p.lnAddr }

func (p *proxy) isOpen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.closed
}

// setMode switches what the proxy does. Down closes the listener, so a dial
// is refused at once, as for a server that is not running; it also cuts every
// open connection. Up listens again on the same address.
func (p *proxy) setMode(m mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == m {
		return
	}
	if p.mode == modeStalled {
		close(p.stallGen)
		p.stallGen = nil
	}
	p.mode = m
	switch m {
	case modeDown:
		p.cutLocked()
	case modeStalled:
		p.stallGen = make(chan struct{})
		if p.ln == nil {
			p.listenLocked()
		}
	case modeUp:
		if p.ln == nil {
			p.listenLocked()
		}
	}
}

// listenLocked listens on the proxy's address again. If the port was taken
// meanwhile the proxy stays down: clients see refused connections, which is
// still an honest "the store is down".
func (p *proxy) listenLocked() {
	ln, err := net.Listen("tcp", p.lnAddr)
	if err != nil {
		return
	}
	p.ln = ln
	p.wg.Add(1)
	go p.accept(ln)
}

// cutLocked closes the listener and every open connection.
func (p *proxy) cutLocked() {
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.stallGen != nil {
		close(p.stallGen)
		p.stallGen = nil
	}
	p.cutLocked()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		client, err := ln.Accept()
		if err != nil {
			return // listener closed by Stop or close
		}
		p.mu.Lock()
		if p.closed || p.ln != ln {
			p.mu.Unlock()
			client.Close()
			return
		}
		p.conns[client] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(client)
	}
}

// serve forwards one client connection.
func (p *proxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.forget(client)

	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(server) {
		server.Close()
		client.Close()
		return
	}
	defer p.forget(server)

	done := make(chan struct{}, 2)
	go p.pipe(server, client, done)
	go p.pipe(client, server, done)
	<-done
	<-done
}

// pipe copies src to dst until either ends. While the proxy is stalled it
// holds what it read, so requests and answers arrive late, after Resume, by
// which time the caller has usually given up.
func (p *proxy) pipe(dst, src net.Conn, done chan<- struct{}) {
	defer func() {
		// Either side ending ends the connection: closing both wakes the
		// other copy.
		dst.Close()
		src.Close()
		done <- struct{}{}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitUnstalled() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitUnstalled returns at once unless the proxy is stalled; then it waits
// for the stall to end. It reports false if the proxy was closed meanwhile.
func (p *proxy) waitUnstalled() bool {
	p.mu.Lock()
	stall, closed := p.stallGen, p.closed
	p.mu.Unlock()
	if stall != nil {
		<-stall
		p.mu.Lock()
		closed = p.closed
		p.mu.Unlock()
	}
	return !closed
}

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.mode == modeDown {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
