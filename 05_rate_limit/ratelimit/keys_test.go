package ratelimit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRemoteIP(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.1:1234":                    "192.0.2.1",
		"[2001:db8::1]:443":                 "2001:db8::/64", // IPv6: its /64
		"[2001:db8:0:0:ffff:1:2:3]:443":     "2001:db8::/64",
		"[2001:DB8:0:1::1]:443":             "2001:db8:0:1::/64",
		"[::ffff:192.0.2.1]:80":             "192.0.2.1", // IPv4-mapped: one client
		"192.0.2.1":                         "192.0.2.1", // no port
		"2001:db8::7":                       "2001:db8::/64",
		"@unix-socket":                      "@unix-socket",
		"[fe80::1%eth0]:8080":               "fe80::%eth0/64",
		"not an address at all:80":          "not an address at all",
		"[2001:db8:aaaa:bbbb:1:2:3:4]:8080": "2001:db8:aaaa:bbbb::/64",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", "203.0.113.1")
		assert.Equal(t, want, RemoteIP(r), "RemoteAddr %q", remote)
	}
}

func TestForwardedFor(t *testing.T) {
	for _, c := range []struct {
		proxies int
		lines   []string
		want    string
		why     string
	}{
		{1, []string{"203.0.113.5"}, "203.0.113.5", "one proxy: the entry it appended"},
		{1, []string{"6.6.6.6, 203.0.113.5"}, "203.0.113.5", "what the client wrote is ignored"},
		{2, []string{"6.6.6.6, 203.0.113.5, 10.0.0.2"}, "203.0.113.5", "two proxies: the outer one's entry, second from the right"},
		{2, []string{"6.6.6.6, 203.0.113.5", "10.0.0.2"}, "203.0.113.5", "several header lines are one list"},
		{2, []string{"10.0.0.2"}, "10.0.0.1", "fewer entries than proxies: not through the proxies, use the connection"},
		{1, nil, "10.0.0.1", "no header: the connection"},
		{1, []string{"6.6.6.6, garbage"}, "10.0.0.1", "the trusted entry is not an address: the connection"},
		{1, []string{"203.0.113.5:4711"}, "203.0.113.5", "an entry with a port"},
		{1, []string{" ::ffff:203.0.113.5 "}, "203.0.113.5", "spaces and IPv4-mapped form"},
		{1, []string{"2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::/64", "an IPv6 client: its /64"},
		{1, []string{"[2001:db8:1:2::9]:443"}, "2001:db8:1:2::/64", "an IPv6 entry with a port"},
		{0, []string{"203.0.113.5"}, "10.0.0.1", "no trusted proxy: no header is trusted"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "10.0.0.1:80"
		for _, l := range c.lines {
			r.Header.Add("X-Forwarded-For", l)
		}
		assert.Equal(t, c.want, ForwardedFor(c.proxies)(r), "%d proxies, %q: %s", c.proxies, c.lines, c.why)
	}
}

// One IPv6 host owns a whole /64 and may send every request from a new
// address in it. Keyed by the full address, each request would find a
// fresh, full bucket: the host would never be limited. IPv4 addresses, and
// IPv4-mapped ones, stay one client each.
func TestIPv6ClientCannotMintKeys(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			for _, key := range []struct {
				name string
				fn   func(*http.Request) string
				from func(i int) (remote, forwarded string)
			}{
				{"RemoteIP", RemoteIP, func(i int) (string, string) {
					return fmt.Sprintf("[2001:db8:7:7:%x:%x::1]:443", i>>16, i&0xffff), ""
				}},
				{"ForwardedFor(1)", ForwardedFor(1), func(i int) (string, string) {
					return "10.0.0.1:80", fmt.Sprintf("2001:db8:7:7::%x:%x", i>>16, i&0xffff)
				}},
			} {
				s := newServer(t, Config{Rate: 1, Burst: 3, NewBucket: impl.newBucket, Key: key.fn})
				admitted := 0
				for i := range 1000 {
					remote, forwarded := key.from(i)
					var code int
					if forwarded != "" {
						code, _ = s.request(remote, forwarded)
					} else {
						code, _ = s.request(remote)
					}
					if code == http.StatusOK {
						admitted++
					}
				}
				assert.Equal(t, 3, admitted, "%s: 1,000 requests at one moment, each from a new address in one /64, burst 3", key.name)
				assert.Equal(t, 1, s.mw.Stats().Clients, "%s: one /64, one client", key.name)
			}
		})
	}
}

func TestClientIPPrefix(t *testing.T) {
	for _, c := range []struct {
		prefix int
		remote string
		want   string
	}{
		{0, "[2001:db8:1:2:3::1]:1", "2001:db8:1:2::/64"},
		{48, "[2001:db8:1:2:3::1]:1", "2001:db8:1::/48"},
		{56, "[2001:db8:1:2ff::1]:1", "2001:db8:1:200::/56"},
		{128, "[2001:db8:1:2:3::1]:1", "2001:db8:1:2:3::1/128"},
		{-1, "[2001:db8:1:2:3::1]:1", "2001:db8:1:2::/64"},  // out of range: the default
		{129, "[2001:db8:1:2:3::1]:1", "2001:db8:1:2::/64"}, // likewise
		{48, "192.0.2.1:1", "192.0.2.1"},                    // IPv4 is never a prefix
		{48, "[::ffff:192.0.2.1]:1", "192.0.2.1"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.remote
		assert.Equal(t, c.want, ClientIP{IPv6Prefix: c.prefix}.Key(r), "IPv6Prefix %d, RemoteAddr %q", c.prefix, c.remote)
	}
	// Distinct IPv4 addresses are distinct clients, however close.
	a := httptest.NewRequest(http.MethodGet, "/", nil)
	b := httptest.NewRequest(http.MethodGet, "/", nil)
	a.RemoteAddr, b.RemoteAddr = "192.0.2.1:1", "192.0.2.2:1"
	assert.NotEqual(t, RemoteIP(a), RemoteIP(b))
}
