package ratelimit

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// DefaultIPv6Prefix is how many leading bits of an IPv6 address name one
// client, unless ClientIP.IPv6Prefix says otherwise. An ISP normally hands
// each customer a /64 at least (often a /56 or /48), and a host picks
// addresses within it freely: keyed by its full address, one host could
// send every request from a new one and find a full bucket every time.
const DefaultIPv6Prefix = 64

// ClientIP keys a request by its client's IP address. Its Key method is a
// Config.Key; RemoteIP and ForwardedFor are its two common settings.
//
// An IPv4 address, and an IPv4-mapped IPv6 address (::ffff:192.0.2.1, the
// same client reaching a dual-stack socket), is one key per address:
// "192.0.2.1". An IPv6 address is keyed by its first IPv6Prefix bits, as
// a prefix: "2001:db8:1:2::/64". A zone is kept (fe80::%eth0/64), since
// every link has its own fe80::/64. A RemoteAddr that is not an IP address
// (a Unix socket, a test) is its own key.
type ClientIP struct {
	// Proxies is how many reverse proxies of your own every request comes
	// through. 0 trusts no header and keys by the connection's address;
	// see ForwardedFor for n > 0. Below 0 is taken as 0.
	Proxies int
	// IPv6Prefix is how many leading bits of an IPv6 address make one
	// client, 1 to 128: 48 or 56 to be stricter with providers that hand
	// out larger blocks, 128 for one key per address (only where clients
	// cannot choose their address, such as an internal network). 0, or
	// anything outside 1 to 128, means DefaultIPv6Prefix.
	IPv6Prefix int
}

// Key returns r's client key, as the type's doc describes.
func (c ClientIP) Key(r *http.Request) string {
	if c.Proxies > 0 {
		var hops []string
		for _, line := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(line, ",")...)
		}
		if len(hops) >= c.Proxies {
			hop := strings.TrimSpace(hops[len(hops)-c.Proxies])
			if addr, err := netip.ParseAddr(hop); err == nil {
				return c.addrKey(addr)
			}
			if ap, err := netip.ParseAddrPort(hop); err == nil {
				return c.addrKey(ap.Addr())
			}
		}
		// Not through the proxies as configured: the connection is all
		// there is to go by.
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return c.addrKey(ap.Addr())
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr // no port
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		return c.addrKey(addr)
	}
	return host
}

// addrKey is the key of one address: an IPv4 address itself, an IPv6
// address its prefix.
func (c ClientIP) addrKey(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	bits := c.IPv6Prefix
	if bits < 1 || bits > 128 {
		bits = DefaultIPv6Prefix
	}
	p, _ := addr.Prefix(bits) // cannot fail: an IPv6 address, 1 to 128 bits
	if zone := addr.Zone(); zone != "" {
		// Prefix drops the zone; it is put back, written as in RFC 4007
		// (fe80::%eth0/64), because fe80::/64 is another network on
		// every link.
		return p.Addr().WithZone(zone).String() + "/" + strconv.Itoa(bits)
	}
	return p.String()
}

// RemoteIP is the middleware's default client key, ClientIP{}.Key: the IP
// address of the connection the request came in on (Request.RemoteAddr
// without its port, which is new with each connection), an IPv6 address
// by its /64. It ignores every header: headers are written by the client,
// and a key the client chooses is a limit the client can escape by
// changing it. For the same reason an IPv6 client is not keyed by its full
// address, which it chooses from its /64.
//
// Behind a reverse proxy or load balancer, every request arrives from the
// proxy, so RemoteIP would put all clients in one bucket; use
// ForwardedFor there.
func RemoteIP(r *http.Request) string { return ClientIP{}.Key(r) }

// ForwardedFor returns a key function for a server that only receives
// requests through a chain of `proxies` reverse proxies it runs and
// trusts: ClientIP{Proxies: proxies}.Key. It keys a request by the client
// address those proxies recorded in X-Forwarded-For, an IPv6 address by
// its /64 (set ClientIP.IPv6Prefix for another prefix).
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
	return ClientIP{Proxies: proxies}.Key
}
