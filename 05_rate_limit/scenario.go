package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky"
)

// epoch is the virtual time at which every run starts.
var epoch = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)

// vclock is the demo's clock. The limiters read it; the demo sets it to
// each request's time before sending it. The requests are real HTTP
// requests to a real server, but their times are exact, so the counts are
// the same on every machine and the run takes a fraction of a second.
type vclock struct{ ns atomic.Int64 }

func (c *vclock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *vclock) set(since time.Duration) { c.ns.Store(epoch.Add(since).UnixNano()) }

// clockedAllower gives OneForAll, which calls Allow(), the demo's clock.
type clockedAllower struct {
	lim   *rate.Limiter
	clock *vclock
}

func (c clockedAllower) Allow() bool { return c.lim.AllowN(c.clock.Now(), 1) }

// scenario is one replayable demo run.
type scenario struct {
	seed   uint64
	length time.Duration // how long the clients send
	rate   float64       // each client's limit, requests per second
	burst  int
}

// cell counts one client's requests in one second of a run.
type cell struct {
	ok, refused int
	retryAfter  []int // the distinct Retry-After values sent, sorted
}

func (c *cell) add(status int, retryAfter string) error {
	switch status {
	case http.StatusOK:
		c.ok++
		return nil
	case http.StatusTooManyRequests:
		c.refused++
	default:
		return fmt.Errorf("unexpected status %d", status)
	}
	if retryAfter == "" {
		return nil
	}
	secs, err := strconv.Atoi(retryAfter)
	if err != nil {
		return fmt.Errorf("Retry-After %q: %w", retryAfter, err)
	}
	if i, found := slices.BinarySearch(c.retryAfter, secs); !found {
		c.retryAfter = slices.Insert(c.retryAfter, i, secs)
	}
	return nil
}

// result is one run: cells per second and client, and totals.
type result struct {
	perSecond    [][3]cell
	total        [3]cell
	withoutRA    int // 429s sent without a Retry-After
	serviceCalls int // requests that reached the service
}

// run sends the scenario's traffic through h, wrapped around a healthy
// flaky service, on a real httptest server, setting clock to each
// request's time.
func (s scenario) run(limit func(http.Handler) http.Handler, clock *vclock) (result, error) {
	svc := flaky.MustNew(flaky.Config{Seed: s.seed})
	srv := httptest.NewServer(limit(svc))
	defer srv.Close()
	client := srv.Client()

	seconds := int((s.length + time.Second - 1) / time.Second)
	res := result{perSecond: make([][3]cell, seconds)}
	for _, a := range traffic(s.seed, s.length, s.rate, s.burst) {
		clock.set(a.at)
		req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
		if err != nil {
			return res, err
		}
		// What the trusted proxy sends on: the client's own header, if
		// any, with the address it saw appended. The noisy client forges
		// an entry, hoping to be keyed by it.
		xff := clientAddrs[a.client]
		if a.client == noisy {
			xff = "198.51.100." + strconv.Itoa(1+int(a.at%250)) + ", " + xff
		}
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := client.Do(req)
		if err != nil {
			return res, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()

		ra := resp.Header.Get("Retry-After")
		sec := int(a.at / time.Second)
		if err := res.perSecond[sec][a.client].add(resp.StatusCode, ra); err != nil {
			return res, err
		}
		if err := res.total[a.client].add(resp.StatusCode, ra); err != nil {
			return res, err
		}
		if resp.StatusCode == http.StatusTooManyRequests && ra == "" {
			res.withoutRA++
		}
	}
	res.serviceCalls = svc.Stats().Calls
	return res, nil
}

// perClient runs the scenario through Middleware with buckets from
// newBucket, keyed by the proxy's X-Forwarded-For entry.
func (s scenario) perClient(newBucket func(ratelimit.Limit, int) ratelimit.Bucket) (result, error) {
	clock := &vclock{}
	mw, err := ratelimit.NewMiddleware(ratelimit.Config{
		Rate: ratelimit.Limit(s.rate), Burst: s.burst,
		Key:       ratelimit.ForwardedFor(1),
		NewBucket: newBucket,
		Now:       clock.Now,
	})
	if err != nil {
		return result{}, err
	}
	return s.run(mw.Wrap, clock)
}

// oneForAll runs the scenario through the version found online: one
// bucket for every client. To be fair, it gets the three clients'
// allowances together: three times the rate and the burst.
func (s scenario) oneForAll() (result, error) {
	clock := &vclock{}
	lim := rate.NewLimiter(rate.Limit(3*s.rate), 3*s.burst)
	return s.run(func(h http.Handler) http.Handler {
		return ratelimit.OneForAll(clockedAllower{lim, clock}, h)
	}, clock)
}

// floodResult is what the flood phase measured.
type floodResult struct {
	keys, maxClients  int
	mostHeld          int // the most clients the table held at once
	evicted           int
	overflowed        int // requests limited by the shared overflow bucket
	floodAdmitted     int // the flood's requests let through
	heldAfterQuiet    int // clients held after everyone went quiet
	forgottenOnReturn int
	noisyAdmitted     int // the noisy client's admissions during the flood
	noisyRequests     int
}

// flood sends `keys` requests from as many made-up addresses within one
// second, straight to the middleware's Allow (HTTP would only make it
// slower), with the noisy client knocking every 10ms among them, and then
// lets everyone fall quiet for longer than a bucket takes to fill up
// before one more request.
func (s scenario) flood(keys, maxClients int) (floodResult, error) {
	mw, err := ratelimit.NewMiddleware(ratelimit.Config{
		Rate: ratelimit.Limit(s.rate), Burst: s.burst, MaxClients: maxClients,
	})
	if err != nil {
		return floodResult{}, err
	}
	res := floodResult{keys: keys, maxClients: maxClients}
	const ticks = 100 // of 10ms
	sent := 0
	for tick := range ticks {
		at := time.Duration(tick) * 10 * time.Millisecond
		res.noisyRequests++
		if ok, _ := mw.Allow(clientAddrs[noisy], epoch.Add(at)); ok {
			res.noisyAdmitted++
		}
		// This tick's share of the flood, spread over its 10ms.
		share := keys*(tick+1)/ticks - sent
		for i := range share {
			t := at + time.Duration(i)*10*time.Millisecond/time.Duration(share)
			// The key RemoteIP gives a client of that /64.
			key := fmt.Sprintf("2001:db8:%x:%x::/64", sent>>16, sent&0xffff)
			if ok, _ := mw.Allow(key, epoch.Add(t)); ok {
				res.floodAdmitted++
			}
			sent++
		}
		res.mostHeld = max(res.mostHeld, mw.Stats().Clients)
	}
	res.evicted, res.overflowed = mw.Stats().Evicted, mw.Stats().Overflowed
	quiet := time.Duration(float64(s.burst)/s.rate*float64(time.Second)) + time.Second
	mw.Allow(clientAddrs[steady], epoch.Add(time.Second+quiet))
	after := mw.Stats()
	res.heldAfterQuiet, res.forgottenOnReturn = after.Clients, after.Forgotten
	return res, nil
}
