package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"reliability/02_timeout/timeout"
	"reliability/flaky/narrate"
)

// httpResult counts the HTTP calls that were cut off on time and whose
// server-side work stopped as a result.
type httpResult struct{ cutOff, total int }

// httpTable calls the slow dependency over HTTP with the deadline set three
// ways and prints what the client got and what the server did.
func httpTable(n *narrate.Narrator, c config, nw network) httpResult {
	type way struct {
		name string
		call func(url string, client *http.Client) (int, []byte, error)
		// handler wraps the dependency's handler.
		handler func(http.Handler) http.Handler
	}
	plain := func(h http.Handler) http.Handler { return h }
	ways := []way{
		{
			name: "caller's ctx deadline",
			call: func(url string, client *http.Client) (int, []byte, error) {
				ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
				defer cancel()
				return timeout.Get(ctx, client, url)
			},
			handler: plain,
		},
		{
			name: "http.Client.Timeout",
			call: func(url string, client *http.Client) (int, []byte, error) {
				limited := *client
				limited.Timeout = c.timeout
				return timeout.Get(context.Background(), &limited, url)
			},
			handler: plain,
		},
		{
			name: "http.TimeoutHandler",
			call: func(url string, client *http.Client) (int, []byte, error) {
				return timeout.Get(context.Background(), client, url)
			},
			handler: func(h http.Handler) http.Handler {
				return http.TimeoutHandler(h, c.timeout, "server gave up\n")
			},
		},
	}

	var res httpResult
	var rows [][]string
	for _, w := range ways {
		svc := c.service(false)
		s, err := nw.serve(&http.Server{Handler: w.handler(svc), ReadHeaderTimeout: time.Second})
		if err != nil {
			rows = append(rows, []string{w.name, "cannot listen: " + err.Error(), "-", "-"})
			res.total++
			continue
		}
		start := time.Now()
		status, body, err := w.call(s.url, s.client)
		took := time.Since(start)
		stopped := waitFor(func() bool { return svc.Stats().Canceled == 1 }, c.latency)
		s.close()

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
	n.Table([]string{"deadline set by", "client got", "after", "server stopped"}, rows)
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
