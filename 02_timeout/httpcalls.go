package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky/narrate"
)

// httpResult counts the HTTP calls that were cut off on time and whose
// server-side work stopped as a result.
type httpResult struct{ cutOff, total int }

// httpTable calls the slow dependency over real loopback HTTP with the
// deadline set three ways and prints what the client got and what the
// server did.
func httpTable(n *narrate.Narrator, c config) httpResult {
	type way struct {
		name string
		call func(url string, client *http.Client) (int, []byte, error)
		// server wraps the dependency's handler.
		server func(http.Handler) http.Handler
	}
	plain := func(h http.Handler) http.Handler { return h }
	ways := []way{
		{
			name: "caller's context deadline (NewRequestWithContext)",
			call: func(url string, client *http.Client) (int, []byte, error) {
				ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
				defer cancel()
				return timeout.Get(ctx, client, url)
			},
			server: plain,
		},
		{
			name: "http.Client{Timeout}",
			call: func(url string, client *http.Client) (int, []byte, error) {
				limited := *client
				limited.Timeout = c.timeout
				return timeout.Get(context.Background(), &limited, url)
			},
			server: plain,
		},
		{
			name: "server side: http.TimeoutHandler",
			call: func(url string, client *http.Client) (int, []byte, error) {
				return timeout.Get(context.Background(), client, url)
			},
			server: func(h http.Handler) http.Handler {
				return http.TimeoutHandler(h, c.timeout, "server gave up\n")
			},
		},
	}

	var res httpResult
	var rows [][]string
	for _, w := range ways {
		svc := c.service(false)
		srv := httptest.NewServer(w.server(svc))

		start := time.Now()
		status, body, err := w.call(srv.URL, srv.Client())
		took := time.Since(start)
		stopped := waitFor(func() bool { return svc.Stats().Canceled == 1 }, c.latency)
		srv.Close()

		got := errText(err)
		if err == nil {
			got = fmt.Sprintf("%d %s", status, strings.TrimSpace(string(body)))
		}
		res.total++
		if took < c.latency && stopped {
			res.cutOff++
		}
		rows = append(rows, []string{w.name, got, ms(took), yesNo(stopped)})
	}
	n.Table([]string{"deadline set by", "client got", "after", "server work cancelled"}, rows)
	return res
}

// waitFor polls cond until it holds or limit has passed. The server learns
// that its client left only when it notices the closed connection, a
// moment after the client returned.
func waitFor(cond func() bool, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
