package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"reliability/flaky/narrate"
)

// The slow client's pace, and the server's header deadline. A real
// Slowloris client sends a header line every few seconds; the demo's pace
// is scaled down with everything else.
const (
	drip              = 20 * time.Millisecond // between two header lines
	slowClientGivesUp = time.Second           // the demo's client stops here
	readHeaderTimeout = 200 * time.Millisecond
)

// slowResult is what one server did with the slow client.
type slowResult struct {
	server         string
	open           time.Duration // how long the connection stayed open
	closedByServer bool          // false: the client gave up first
	err            error         // the client could not connect or write
}

// slowClient connects to addr, sends a request line and then one header
// line every drip, never the blank line that ends the headers, and gives
// up after hold. It reports how long the connection stayed open and
// whether the server was the one to close it.
func slowClient(nw network, addr string, hold time.Duration) (open time.Duration, closedByServer bool, err error) {
	conn, err := nw.dial(context.Background(), "tcp", addr)
	if err != nil {
		return 0, false, err
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		// The server sends nothing; this read ends when the connection
		// does, closed by the server or by us below.
		_, _ = io.Copy(io.Discard, conn)
		close(closed)
	}()

	giveUp := time.NewTimer(hold)
	defer giveUp.Stop()
	tick := time.NewTicker(drip)
	defer tick.Stop()
	line := "GET / HTTP/1.1\r\nHost: demo\r\n"
	for {
		// A write error means the server closed the connection; the
		// reader above sees that too.
		_, _ = io.WriteString(conn, line)
		line = "X-Slow: 1\r\n"
		select {
		case <-closed:
			return time.Since(start), true, nil
		case <-giveUp.C:
			_ = conn.Close()
			<-closed
			return hold, false, nil
		case <-tick.C:
		}
	}
}

// slowlorisPhase runs the slow client against a server without a header
// deadline and against one with ReadHeaderTimeout, and prints both.
func slowlorisPhase(n *narrate.Narrator, nw network) []slowResult {
	var results []slowResult
	for _, rht := range []time.Duration{0, readHeaderTimeout} {
		r := slowResult{server: "no ReadHeaderTimeout"}
		if rht > 0 {
			r.server = fmt.Sprintf("ReadHeaderTimeout: %v", rht)
		}
		handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ok\n") // never reached: the headers never end
		})
		s, err := nw.serve(&http.Server{Handler: handler, ReadHeaderTimeout: rht})
		if err == nil {
			r.open, r.closedByServer, r.err = slowClient(nw, s.addr, slowClientGivesUp)
			s.close()
		} else {
			r.err = err
		}
		results = append(results, r)
	}

	var rows [][]string
	for _, r := range results {
		rows = append(rows, []string{r.server, r.connection()})
	}
	n.Table([]string{"server", "the slow client's connection"}, rows)
	return results
}

// connection says in words what happened to the slow client's connection.
func (r slowResult) connection() string {
	switch {
	case r.err != nil:
		return "could not connect: " + errText(r.err)
	case r.closedByServer:
		return "closed by the server after " + ms(r.open)
	default:
		return fmt.Sprintf("still open after %v, when the client quit", ms(r.open))
	}
}

// summary is connection, shorter.
func (r slowResult) summary() string {
	switch {
	case r.err != nil:
		return "could not connect"
	case r.closedByServer:
		return "closed by the server at " + ms(r.open)
	default:
		return fmt.Sprintf("open %v, until the client quit", ms(r.open))
	}
}
