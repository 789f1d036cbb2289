package ratelimit

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// RemoteIP is the middleware's default client key: the IP address of the
// connection the request came in on (Request.RemoteAddr without its port),
// in canonical form, so that "::ffff:10.0.0.1" and "10.0.0.1" are one
// client. It ignores every header: headers are written by the client, and
// a key the client chooses is a limit the client can escape by changing
// it. The port is dropped because each new connection gets a new one.
//
// Behind a reverse proxy or load balancer, every request arrives from the
// proxy, so RemoteIP would put all clients in one bucket; use
// ForwardedFor there.
func RemoteIP(r *http.Request) string {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().String()
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return canonicalIP(host)
	}
	return canonicalIP(r.RemoteAddr)
}

// ForwardedFor returns a key function for a server that only receives
// requests through a chain of `proxies` reverse proxies it runs and
// trusts. It keys a request by the client address those proxies recorded
// in X-Forwarded-For.
//
// Each proxy appends the address of whoever connected to it, so the
// header ends with `proxies` entries written by trusted proxies, and the
// first of those (the proxies-th from the right) is the address that
// connected to the outermost one: the client as far as anyone can know.
// Everything to its left was in the request when it reached the first
// proxy, so the client wrote it and may have made it up; it is never used.
// Several X-Forwarded-For header lines count as one list, in order.
//
// When the header has fewer than `proxies` entries, or that entry is not
// an IP address, the request did not come through the proxies as
// configured, and the key falls back to RemoteIP. With proxies < 1, no
// header is trusted: the key is RemoteIP.
//
// Trusting the header without proxies that overwrite or append to it is
// the classic mistake: any client then picks its own key and gets a fresh
// bucket with every request.
func ForwardedFor(proxies int) func(*http.Request) string {
	return func(r *http.Request) string {
		if proxies < 1 {
			return RemoteIP(r)
		}
		var hops []string
		for _, line := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(line, ",")...)
		}
		if len(hops) < proxies {
			return RemoteIP(r)
		}
		hop := strings.TrimSpace(hops[len(hops)-proxies])
		if addr, err := netip.ParseAddr(hop); err == nil {
			return addr.Unmap().String()
		}
		if ap, err := netip.ParseAddrPort(hop); err == nil {
			return ap.Addr().Unmap().String()
		}
		return RemoteIP(r)
	}
}

// canonicalIP returns s's canonical form if it is an IP address, and s as
// it is otherwise (a test's RemoteAddr, a Unix socket).
func canonicalIP(s string) string {
	if addr, err := netip.ParseAddr(s); err == nil {
		return addr.Unmap().String()
	}
	return s
}
