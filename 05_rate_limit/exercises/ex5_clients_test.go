package exercises

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// allowAll is what Allow said for each (key, time) in order.
func allowAll(c *Clients, calls ...struct {
	key string
	at  float64
}) []bool {
	var got []bool
	for _, call := range calls {
		got = append(got, c.Allow(call.key, at(call.at)))
	}
	return got
}

func TestEx5EachClientHasItsOwnBucket(t *testing.T) {
	guard(t)
	c := &Clients{Rate: 1, Burst: 2, Idle: time.Hour, Max: 10}
	for i := 1; i <= 2; i++ {
		if !c.Allow("a", at(0)) {
			if clientsUntouched() {
				notStarted(t, "Allow refuses a new client's first request and Len is 0; want each key its own bucket, made full on its first request: a's first 2 requests allowed, its third refused, b's first allowed")
			}
			t.Fatalf("client a's request %d of a burst of 2 was refused", i)
		}
	}
	if c.Allow("a", at(0)) {
		t.Fatalf("client a's third request at once was allowed: each client's bucket holds only Burst (2) tokens (is a new bucket made for every request?)")
	}
	if !c.Allow("b", at(0)) {
		t.Fatalf("client b's first request was refused because client a spent its tokens: each key needs its own bucket")
	}
	if n := c.Len(); n != 2 {
		t.Errorf("after requests from a and b, Len() = %d, want 2", n)
	}
}

func TestEx5ForgetsIdleClients(t *testing.T) {
	guard(t)
	c := &Clients{Rate: 0.001, Burst: 1, Idle: 10 * time.Second, Max: 10}
	c.Allow("a", at(0))
	c.Allow("b", at(5))
	c.Allow("c", at(9.999))
	if n := c.Len(); n != 3 {
		if clientsUntouched() {
			notStarted(t, "Allow refuses a new client's first request and Len is 0; want the clients held: a, b and c, until one of them has not been seen for Idle")
		}
		t.Fatalf("a at 0s, b at 5s, c at 9.999s, Idle 10s: Len() = %d, want 3, nobody is idle yet", n)
	}
	c.Allow("c", at(10))
	if n := c.Len(); n != 2 {
		t.Fatalf("at 10s, a has not been seen for 10s (Idle or longer): it should be forgotten, leaving b and c; Len() = %d, want 2 (on every Allow, forget the clients idle for Idle or longer: at Idle, not only after it)", n)
	}
	if !c.Allow("a", at(10)) {
		t.Errorf("a was forgotten, so it comes back with a new, full bucket; its request was refused")
	}
}

func TestEx5RefusedRequestsCountAsSeen(t *testing.T) {
	guard(t)
	// One token every 10s, Idle 5s: a client refused every second is not
	// idle, and must not get a new bucket by being forgotten.
	c := &Clients{Rate: 0.1, Burst: 1, Idle: 5 * time.Second, Max: 10}
	if !c.Allow("a", at(0)) {
		if clientsUntouched() {
			notStarted(t, "Allow refuses a new client's first request and Len is 0; want a's first request allowed, and a refused every second until its next token at 10s")
		}
		t.Fatalf("a's first request was refused")
	}
	for s := 1; s <= 9; s++ {
		if c.Allow("a", at(float64(s))) {
			t.Fatalf("a knocked every second after spending its only token; at %ds it was allowed, but its next token comes at 10s: a refused request must count as seeing the client too, or a client that keeps knocking is forgotten after Idle and gets a full bucket", s)
		}
	}
	if !c.Allow("a", at(10)) {
		t.Errorf("at 10s a has earned a token: its request should be allowed")
	}
}

func TestEx5NeverMoreThanMax(t *testing.T) {
	guard(t)
	// A flood of new keys, faster than anyone goes idle.
	c := &Clients{Rate: 1, Burst: 1, Idle: time.Hour, Max: 100}
	for i := range 5_000 {
		if !c.Allow("flood-"+strconv.Itoa(i), at(float64(i)/1000)) {
			if clientsUntouched() {
				notStarted(t, "Allow refuses a new client's first request and Len is 0; want every new client's first request allowed, and never more than Max (100) clients held")
			}
			t.Fatalf("request %d from a new client was refused: a new client starts with a full bucket", i)
		}
		if n := c.Len(); n > 100 {
			t.Fatalf("after %d new clients, Len() = %d: Clients must never hold more than Max (100), or a flood of made-up keys grows memory without bound", i+1, n)
		}
	}
	if n := c.Len(); n != 100 {
		t.Errorf("after a flood of 5,000 clients, Len() = %d, want Max (100)", n)
	}
}

func TestEx5EvictsTheClientSeenLongestAgo(t *testing.T) {
	guard(t)
	type call = struct {
		key string
		at  float64
	}
	// Repeated, so that evicting any client at random is caught too.
	for round := range 50 {
		c := &Clients{Rate: 0.001, Burst: 1, Idle: time.Hour, Max: 3}
		// a, b and c spend their only token; a knocks again at 4s.
		allowAll(c, call{"a", 1}, call{"b", 2}, call{"c", 3})
		if c.Allow("a", at(4)) {
			t.Fatalf("round %d: a spent its only token at 1s and knocked again at 4s, with a, b and c held (Max 3): it was allowed, so it got a new, full bucket. Was a client evicted although nobody new needed room (is the table checked for room before looking the key up)? Evict only to make room for a new key", round)
		}
		if !c.Allow("d", at(5)) {
			if clientsUntouched() {
				notStarted(t, "Allow refuses a new client's first request and Len is 0; want a new client's first request allowed, and beyond Max the client seen longest ago evicted")
			}
			t.Fatalf("round %d: d is a new client: its first request should be allowed", round)
		}
		if n := c.Len(); n != 3 {
			t.Fatalf("round %d: Max 3, after a, b, c and d: Len() = %d, want 3", round, n)
		}
		if c.Allow("a", at(6)) {
			t.Fatalf("round %d: a (last seen at 4s) got a full bucket again at 6s, so it was evicted; the client seen longest ago was b (2s). Evict by the time a client was last seen, oldest first, not by when it was added", round)
		}
		if c.Allow("c", at(7)) {
			t.Fatalf("round %d: c (last seen at 3s) got a full bucket again, so it was evicted; the client seen longest ago was b (2s)", round)
		}
		if !c.Allow("b", at(8)) {
			t.Fatalf("round %d: when d arrived, the client seen longest ago was b (2s), so b should have been evicted and now start with a full bucket; it was refused", round)
		}
	}
}

func TestEx5ClientKey(t *testing.T) {
	for _, c := range []struct {
		remote, forwarded, want, why string
	}{
		{"192.0.2.1:1234", "", "192.0.2.1", "the port changes with every connection: drop it"},
		{"192.0.2.1:5678", "", "192.0.2.1", "another connection from the same address is the same client"},
		{"[2001:db8::1]:443", "", "2001:db8::1", "an IPv6 address contains colons: use net.SplitHostPort, not a split at the first colon"},
		{"192.0.2.7", "", "192.0.2.7", "an address without a port (net.SplitHostPort fails on it) is the IP address itself; an empty key would put every such client in one bucket"},
		{"192.0.2.1:1234", "203.0.113.9", "192.0.2.1", "X-Forwarded-For (and X-Real-IP, Forwarded) are written by the client: trusting them lets any client pick a new key, and a new bucket, with every request"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.remote
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-For", c.forwarded)
			r.Header.Set("X-Real-IP", c.forwarded)
			r.Header.Set("Forwarded", "for="+c.forwarded)
		}
		if got := ClientKey(r); got != c.want {
			if got == "" && ClientKey(httptest.NewRequest(http.MethodGet, "/", nil)) == "" {
				notStarted(t, "ClientKey returns \"\"; want RemoteAddr's IP address without the port: ClientKey(RemoteAddr %q) = %q", c.remote, c.want)
			}
			t.Errorf("ClientKey(RemoteAddr %q, X-Forwarded-For %q) = %q, want %q: %s", c.remote, c.forwarded, got, c.want, c.why)
		}
	}
}

func TestEx5WaitsForTheLock(t *testing.T) {
	guard(t)
	c := &Clients{Rate: 1, Burst: 1, Idle: time.Hour, Max: 10}
	for _, m := range []struct {
		name string
		call func() int
	}{
		{"Allow", func() int {
			if c.Allow("a", at(0)) {
				return 1
			}
			return 0
		}},
		{"Len", c.Len},
	} {
		asked, release := holdLock(&c.mu)
		done := make(chan int, 1)
		go func() { done <- m.call() }()
		select {
		case <-asked:
			release()
			if got := <-done; got != 1 {
				t.Errorf("%s returned %d, want 1", m.name, got)
			}
		case <-done:
			release()
			if clientsUntouched() {
				notStarted(t, "Allow refuses a new client's first request and Len is 0; want Allow and Len to lock mu before they read or change the clients")
			}
			t.Errorf("%s returned while the test held mu: it must lock mu before it reads or changes the clients", m.name)
		}
	}
}

func TestEx5TwoFirstRequestsShareOneBucket(t *testing.T) {
	guard(t)
	// Client a's first two requests arrive together; its burst is 1. The
	// first is paused just after it first unlocks mu, and the second goes
	// then. If the first looked a up in one critical section and stores
	// its new bucket in another, each request makes a bucket of its own.
	c := &Clients{Rate: 0.001, Burst: 1, Idle: time.Hour, Max: 10}
	paused, resume := pauseAfterUnlock(&c.mu)
	defer resume()
	first := make(chan bool, 1)
	go func() { first <- c.Allow("a", at(0)) }()
	select {
	case <-paused:
	case <-first:
		if clientsUntouched() {
			notStarted(t, "Allow refuses a new client's first request and Len is 0; want Allow to look up, create and use a client's bucket in one critical section: of a's first two requests, with burst 1, one allowed")
		}
		t.Fatalf("Allow returned without ever unlocking mu: it must lock mu (and unlock it) to guard the clients")
	}
	second := c.Allow("a", at(0))
	resume()
	if <-first && second {
		t.Errorf("client a (burst 1) had both of its first two requests allowed: they made a bucket each. Look up, create and use the bucket in one critical section")
	}
	if c.Allow("a", at(0)) {
		t.Errorf("client a's third request was allowed: its only token is spent")
	}
}

func TestEx5ManyClientsAtOnce(t *testing.T) {
	guard(t)
	c := &Clients{Rate: 0.001, Burst: 2, Idle: time.Hour, Max: 100}
	results := together(60, func() bool { return c.Allow("shared", at(0)) })
	allowed := 0
	for _, ok := range results {
		if ok {
			allowed++
		}
	}
	if allowed != 2 {
		if clientsUntouched() {
			notStarted(t, "Allow refuses a new client's first request and Len is 0; want 60 requests at once from one client with a burst of 2 to get exactly 2 allowed")
		}
		t.Errorf("60 requests at once from one client with a burst of 2: %d were allowed, want exactly 2", allowed)
	}
}
