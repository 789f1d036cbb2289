package main

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// The demo's three clients, each with its own address. The server sits
// behind one reverse proxy it trusts, so every request arrives from the
// proxy's address and the client's address is the last X-Forwarded-For
// entry, the one the proxy appended.
var clientNames = []string{"steady", "bursty", "noisy"}

var clientAddrs = []string{"203.0.113.10", "203.0.113.20", "203.0.113.30"}

const (
	steady = iota
	bursty
	noisy
)

// arrival is one request: when it is sent, counted from the start of the
// run, and by whom.
type arrival struct {
	at     time.Duration
	client int
}

// traffic draws the requests of one run from the seed. Relative to the
// per-client rate r (requests per second):
//
//   - steady sends one request every 1.5/r seconds, give or take 100ms:
//     well under its limit;
//   - bursty sends burst+2 requests at once (10ms apart), twice: at the
//     start and halfway through;
//   - noisy sends 10*r requests per second on average, at random.
//
// The same seed, rate, burst and length give the same requests.
func traffic(seed uint64, length time.Duration, r float64, burst int) []arrival {
	rng := rand.New(rand.NewPCG(seed, 0x05))
	var out []arrival
	add := func(at time.Duration, client int) {
		if at >= 0 && at < length {
			out = append(out, arrival{at, client})
		}
	}
	jitter := func(d time.Duration) time.Duration { return time.Duration(rng.Int64N(int64(2*d))) - d }
	seconds := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

	every := seconds(1.5 / r)
	for at := seconds(rng.Float64() * 0.5); at < length; at += every {
		add(at+jitter(100*time.Millisecond), steady)
	}
	for _, start := range []time.Duration{0, length / 2} {
		at := start + seconds(rng.Float64()*0.5)
		for i := range burst + 2 {
			add(at+time.Duration(i)*10*time.Millisecond, bursty)
		}
	}
	for at := seconds(rng.ExpFloat64() / (10 * r)); at < length; at += seconds(rng.ExpFloat64() / (10 * r)) {
		add(at, noisy)
	}
	slices.SortStableFunc(out, func(a, b arrival) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.client, b.client))
	})
	return out
}
