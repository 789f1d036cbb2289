package ratelimit

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRemoteIP(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.1:1234":           "192.0.2.1",
		"[2001:db8::1]:443":        "2001:db8::1",
		"[::ffff:192.0.2.1]:80":    "192.0.2.1", // IPv4-mapped: one client
		"[2001:DB8:0:0::1]:443":    "2001:db8::1",
		"192.0.2.1":                "192.0.2.1", // no port
		"@unix-socket":             "@unix-socket",
		"[fe80::1%eth0]:8080":      "fe80::1%eth0",
		"not an address at all:80": "not an address at all",
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
