package ratelimit

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// alwaysFull is a bucket that always has a token, for tests about the
// table rather than the buckets: it costs no allocation and no lock.
type alwaysFull struct{}

func (alwaysFull) AllowN(time.Time, int) bool { return true }
func (alwaysFull) TokensAt(time.Time) float64 { return 1 }

// liveHeap returns the bytes of heap objects still reachable: a full
// collection first, so garbage from earlier tests does not count.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A flood of a million made-up client keys, as from an attacker who mints
// a new key per request: the table, and the memory it holds, must stay
// within its maximum. The test fills the middleware's table directly,
// without HTTP, and with buckets that cost nothing, to stay fast; the
// table is the same.
func TestFloodOfDistinctKeysKeepsMemoryBounded(t *testing.T) {
	const flood, maxClients = 1_000_000, 10_000
	before := liveHeap()
	c := newClients(1, 1, maxClients, time.Hour, func() Bucket { return alwaysFull{} })
	now := t0
	most := 0
	for i := range flood {
		// All within one second: nobody goes idle, so only the cap
		// bounds the table.
		now = now.Add(time.Microsecond / 2)
		c.takeAt(strconv.Itoa(i), now)
		most = max(most, len(c.byKey))
	}
	held, forgotten, evicted, _ := c.count()
	grown := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(c)
	// About 130 bytes per client held on amd64 (the struct, its key, its
	// map slot); the bound leaves eight times that. A map that kept every
	// key it was ever given (a delete forgotten) grows about six times
	// past the bound, so the two never come close.
	assert.Less(t, grown, int64(maxClients*1024),
		"the live heap grew by %d bytes for %d clients held: does the table keep evicted keys?", grown, maxClients)
	assert.Equal(t, maxClients, held)
	assert.LessOrEqual(t, most, maxClients, "the table grew past its maximum during the flood")
	assert.Equal(t, flood-maxClients, evicted)
	assert.Zero(t, forgotten)
	n := 0
	for cl := c.ring.next; cl != &c.ring; cl = cl.next {
		n++
	}
	assert.Equal(t, maxClients, n, "the recency list and the map must hold the same clients")
	_, newest := c.byKey[strconv.Itoa(flood-1)]
	_, oldest := c.byKey[strconv.Itoa(flood-maxClients-1)]
	assert.True(t, newest, "the newest client is kept")
	assert.False(t, oldest, "the clients seen longest ago are the ones evicted")
}

// A client that keeps sending stays in the table through a flood of new
// keys, so the flood cannot reset its bucket: it stays limited.
func TestActiveClientSurvivesTheFlood(t *testing.T) {
	m, err := NewMiddleware(Config{Rate: 0.1, Burst: 2, MaxClients: 100})
	require.NoError(t, err)
	now := t0
	admitted := 0
	for i := range 100_000 {
		now = now.Add(time.Millisecond)
		if i%50 == 0 { // the real client, every 50ms
			if ok, _ := m.Allow("real", now); ok {
				admitted++
			}
			continue
		}
		m.Allow("flood-"+strconv.Itoa(i), now)
	}
	// About 100s at 0.1/s: the burst of 2, then 9 refills.
	assert.Equal(t, 11, admitted, "the real client's bucket must not have been reset by the flood")
}

// Forgetting idle clients changes no answer: a table that forgets them
// answers exactly like one that never forgets, request for request.
func TestForgettingIdleClientsIsLossless(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			for round := range 20 {
				rate := Limit(0.5 + r.Float64()*5)
				burst := 1 + r.IntN(5)
				forgetting, err := NewMiddleware(Config{Rate: rate, Burst: burst, NewBucket: impl.newBucket})
				require.NoError(t, err)
				never := map[string]Bucket{}
				now := t0
				for range 2000 {
					now = now.Add(time.Duration(r.ExpFloat64() * float64(200*time.Millisecond)))
					key := strconv.Itoa(r.IntN(8))
					b := never[key]
					if b == nil {
						b = impl.newBucket(rate, burst)
						never[key] = b
					}
					want := b.AllowN(now, 1)
					got, _ := forgetting.Allow(key, now)
					require.Equal(t, want, got, "round %d (rate %v, burst %d): key %s at %v", round, rate, burst, key, now.Sub(t0))
				}
				st := forgetting.Stats()
				require.Positive(t, st.Forgotten, "round %d: the traffic should have let some clients go idle", round)
				require.Zero(t, st.Evicted)
			}
		})
	}
}

func TestIdleClientsAreForgottenLeastRecentFirst(t *testing.T) {
	// Rate 1, burst 2: a bucket is full 2s after its last request.
	m, err := NewMiddleware(Config{Rate: 1, Burst: 2, MaxClients: 3})
	require.NoError(t, err)
	m.Allow("a", t0)
	m.Allow("b", t0.Add(time.Second))
	m.Allow("a", t0.Add(1500*time.Millisecond)) // a is now the most recent
	m.Allow("c", t0.Add(1900*time.Millisecond))
	// The table is full. b, seen longest ago, has its 2 tokens again at
	// 2s (1 left at 1s, plus 1 earned): it is evicted, not a.
	m.Allow("d", t0.Add(2000*time.Millisecond))
	_, hasA := m.clients.byKey["a"]
	_, hasB := m.clients.byKey["b"]
	assert.True(t, hasA, "a was seen after b")
	assert.False(t, hasB, "b was the least recently seen")
	assert.Equal(t, 1, m.Stats().Evicted)

	m.Allow("d", t0.Add(3600*time.Millisecond)) // a idle for 2.1s, c for 1.7s
	held, forgotten, _, _ := m.clients.count()
	assert.Equal(t, 2, held, "a should be forgotten, c and d kept")
	assert.Equal(t, 1, forgotten)
}

// A sender that rotates through MaxClients+1 keys, faster than a bucket
// refills. If a new key could always evict the client seen longest ago,
// every request would evict the key about to come back, and every key
// would find a fresh, full bucket: no request ever refused. A client
// still limited is never evicted, so the sender gets what MaxClients+1
// honest clients get: each key its burst and its rate, the last one
// through the shared overflow bucket.
func TestRotatingMaxClientsPlusOneKeysStaysLimited(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			const maxClients, rate, burst = 10, 1, 2
			m, err := NewMiddleware(Config{Rate: rate, Burst: burst, MaxClients: maxClients, NewBucket: impl.newBucket})
			require.NoError(t, err)
			now, admitted := t0, 0
			for i := range 10_000 { // one request a millisecond for 10s
				now = now.Add(time.Millisecond)
				if ok, _ := m.Allow(strconv.Itoa(i%(maxClients+1)), now); ok {
					admitted++
				}
			}
			// 11 keys, each its burst of 2 and 1 per second for 10s.
			assert.LessOrEqual(t, admitted, (maxClients+1)*(burst+rate*10),
				"a sender rotating through MaxClients+1 keys must stay limited: were clients that still owe tokens evicted?")
			st := m.Stats()
			assert.Zero(t, st.Evicted, "no key was ever full again when a new one came")
			assert.Positive(t, st.Overflowed)
		})
	}
}

// A real client that has spent its burst, then a flood of MaxClients new
// keys, then the real client again, over and over. If the flood could
// evict it, the real client would come back to a full bucket every time.
func TestFloodBetweenTwoRequestsDoesNotResetAClient(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			const maxClients = 100
			m, err := NewMiddleware(Config{Rate: 0.1, Burst: 2, MaxClients: maxClients, NewBucket: impl.newBucket})
			require.NoError(t, err)
			now, admitted, key := t0, 0, 0
			for range 20 { // 20 rounds, 1s each
				if ok, _ := m.Allow("real", now); ok {
					admitted++
				}
				for range maxClients {
					now = now.Add(time.Second / (maxClients + 1))
					m.Allow("flood-"+strconv.Itoa(key), now)
					key++
				}
				now = now.Add(time.Second / (maxClients + 1))
			}
			// One request a second at 0.1 per second: the burst of 2 at
			// 0s and 1s, then one more at 10s, the next at 20s.
			assert.Equal(t, 3, admitted, "the real client's debt must survive every flood of MaxClients new keys")
			_, held := m.clients.byKey["real"]
			assert.True(t, held)
		})
	}
}

// Requests whose times reach the middleware out of order, as when one
// reads the clock and another gets the lock first. Told an earlier time,
// a bucket moves its clock back and earns the same stretch again (both
// x/time/rate's and this package's do); the middleware takes a late
// request at the latest time it has seen instead. Rate 1, burst 3: in
// 2.5s a client gets its burst and 2 more, never 7.
func TestRequestsOutOfOrderEarnNothingTwice(t *testing.T) {
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			m, err := NewMiddleware(Config{Rate: 1, Burst: 3, NewBucket: impl.newBucket})
			require.NoError(t, err)
			admitted := 0
			for _, at := range []float64{0, 0, 0, 2.5, 0, 2.5, 0, 2.5, 0, 2.5, 0, 2.5} {
				if ok, _ := m.Allow("a", sec(at)); ok {
					admitted++
				}
			}
			assert.Equal(t, 5, admitted, "3 at once, then 2.5 tokens earned by 2.5s: two whole ones")
		})
	}
}

// The middleware reads its clock under the lock, so that the order of
// the times is the order in which requests reach the buckets.
func TestMiddlewareReadsTheClockUnderItsLock(t *testing.T) {
	var m *Middleware
	unlocked := 0
	m, err := NewMiddleware(Config{Rate: 1, Burst: 1, Now: func() time.Time {
		if m.clients.mu.TryLock() {
			m.clients.mu.Unlock()
			unlocked++
		}
		return t0
	}})
	require.NoError(t, err)
	h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	assert.Zero(t, unlocked, "Config.Now was called while the table's lock was free: a request can then take a token at a time older than the one before it")
}

// When every client held still owes tokens, a new client is not let in:
// all such clients share one overflow bucket, with the middleware's rate
// and burst, until a place frees up.
func TestNewClientsShareTheOverflowBucketWhileEveryClientOwes(t *testing.T) {
	m, err := NewMiddleware(Config{Rate: 1, Burst: 2, MaxClients: 2})
	require.NoError(t, err)
	for _, key := range []string{"a", "b"} {
		ok, _ := m.Allow(key, t0)
		require.True(t, ok)
	}
	// a and b each owe a token until 1s. c, d and e share one bucket of 2.
	var got []bool
	for _, key := range []string{"c", "d", "e"} {
		ok, _ := m.Allow(key, sec(0.5))
		got = append(got, ok)
	}
	assert.Equal(t, []bool{true, true, false}, got, "three new clients, one shared bucket of 2")
	ok, retryAfter := m.Allow("f", sec(0.5))
	assert.False(t, ok)
	assert.Equal(t, int64(1), retryAfter, "the shared bucket's own Retry-After")
	st := m.Stats()
	assert.Equal(t, 2, st.Clients, "the table stays at MaxClients")
	assert.Equal(t, 4, st.Overflowed)
	assert.Zero(t, st.Evicted)

	// At 1s, a (seen longest ago) has its 2 tokens again: forgetting it
	// changes nothing, so the next new client takes its place.
	ok, _ = m.Allow("g", sec(1))
	assert.True(t, ok)
	assert.Equal(t, 1, m.Stats().Evicted)
	_, heldA := m.clients.byKey["a"]
	_, heldG := m.clients.byKey["g"]
	assert.False(t, heldA)
	assert.True(t, heldG)
}
